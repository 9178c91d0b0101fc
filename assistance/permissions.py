"""Who does which help work (三(三), 三(八)1): one table, read by services, pages and API.

三(三) puts the helpers, the town and village cadres and the work team in charge of a
subject; 三(八)1 has the plan made "由驻村工作队、镇村干部、帮扶人及帮扶单位共同制定". The
county bureau oversees (三(十)) and keeps the catalogue; it does not help door to door.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from organization.models import Role, User

VILLAGE = frozenset({Role.VILLAGE_MONITOR})
TOWN = frozenset({Role.TOWN_OFFICIAL})
COUNTY = frozenset({Role.COUNTY_BUREAU})
HELPER = frozenset({Role.HELPER})

# action: (the roles that take it, the refusal)
TABLE: dict[str, tuple[frozenset[str], str]] = {
    # 三(八)1 不脱钩 / 镇村帮扶联系人制度: the town pairs; the bureau may correct.
    "pair": (TOWN | COUNTY, "帮扶结对由镇（园区）办理"),
    # 三(八)1 共同制定: the village, the town and the helper draft and edit the plan.
    "plan_draft": (VILLAGE | TOWN | HELPER, "帮扶方案由村、镇干部或帮扶人制定"),
    "plan_activate": (TOWN, "帮扶方案由镇（园区）确认"),
    "plan_review": (VILLAGE | TOWN | HELPER, "帮扶方案由村、镇干部或帮扶人评估"),
    "measure_edit": (VILLAGE | TOWN | HELPER, "帮扶措施由村、镇干部或帮扶人安排"),
    # 三(八)1 "及时落实帮扶措施": whoever follows the household updates its measures.
    "measure_progress": (VILLAGE | TOWN | HELPER, "帮扶措施进展由村、镇干部或帮扶人更新"),
    # 三(八)1 "帮扶责任人要定期上门走访"; monitors and cadres visit too (三(四)1 人防).
    "help_visit": (VILLAGE | TOWN | HELPER, "帮扶走访由帮扶人或村、镇干部登记"),
    "catalogue": (COUNTY, "帮扶措施目录由县扶贫局维护"),
    # --- plans (一户一方案) ---
    # 三(九) "逐步停止有关针对性帮扶措施": the exit filing (county) or the town closes a plan.
    "plan_close": (TOWN | COUNTY, "帮扶方案由镇（园区）或县扶贫局关闭"),
}


def can(user: User, action: str) -> bool:
    roles, _ = TABLE[action]
    return user.is_authenticated and user.role in roles


def require(user: User, action: str) -> None:
    roles, message = TABLE[action]
    if not (user.is_authenticated and user.role in roles):
        raise PermissionDenied(message)
