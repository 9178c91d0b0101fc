"""The lifecycle of a warning or a clue: received → pushed → assigned → verified → closed.

Clues entered by hand (三(四)3 协防) live here too: they are checked like warnings.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from households.id_numbers import normalize_id_number
from households.models import Household, Member, MonitoringSubject, RiskType
from households.selectors import household_scope_q
from households.services import monitoring_subject_update_risks
from identification.services import case_apply
from organization.models import Role, Town, User, Village
from organization.services import notify
from suixi_monitor.exceptions import ConflictError
from suixi_monitor.services import save_with_actor

from .. import spreadsheets
from ..models import (
    CheckedItem,
    Clue,
    Result,
    Warning,
    period_of,
)
from ..selectors import ITEM_STEPS, may_take
from ._common import active_users
from .cycle import notify_towns


def _lock(item: CheckedItem) -> CheckedItem:
    return type(item).objects.select_for_update().get(pk=item.pk)


def _label(item: CheckedItem) -> str:
    return "预警" if isinstance(item, Warning) else "线索"


def _require_state(item: CheckedItem, step: str, action: str) -> None:
    if item.state != ITEM_STEPS[step].state:
        raise ConflictError(f"该{_label(item)}当前为“{item.get_state_display()}”，不能{action}")


def item_assign(*, actor: User, item: CheckedItem, village: Village | None = None) -> CheckedItem:
    """镇分派到村: a town official hands a pushed warning or clue to one of the town's villages."""
    with transaction.atomic():
        item = _assign(actor, item, village)
        _notify_village(item.village_id, [item])
    return item


def _assign(actor: User, item: CheckedItem, village: Village | None) -> CheckedItem:
    if actor.role not in ITEM_STEPS["assign"].roles:
        raise PermissionDenied("只有镇（园区）干部可以分派")
    item = _lock(item)
    if not may_take(actor, item, "assign"):
        raise PermissionDenied("不能分派其他镇的预警")
    _require_state(item, "assign", "分派")
    if isinstance(item, Warning):
        village = item.village  # a registered household's village is not a choice
    elif village is None:
        village = item.village
    if village is None:
        raise ValidationError({"village": "请选择核实的村"})
    if village.town_id != actor.town_id:
        raise ValidationError({"village": "只能分派到本镇的村"})
    item.assign(by=actor, at=timezone.now(), village=village)
    save_with_actor(item, actor=actor)
    return item


# How many households one message names before it says "等": a message holds 500 characters.
NAMED_IN_MESSAGE = 10


def _names(items: list[CheckedItem]) -> list[str]:
    """The households the warnings are about (their heads' names, one query), or the people
    the clues name, each once, in the order given."""
    heads = dict(
        Household.objects.filter(
            pk__in={item.household_id for item in items if isinstance(item, Warning)}
        ).values_list("pk", "head_name")
    )
    return list(
        dict.fromkeys(
            f"{heads.get(item.household_id, '')}户" if isinstance(item, Warning) else item.name
            for item in items
        )
    )


def _notify_village(village_id: int | None, items: list[CheckedItem]) -> None:
    """One message for what the town handed the village at once, naming the households:
    "镇里分派了3条预警：张…户、李…户、王…户，请入户核实"."""
    if not items:
        return
    kinds = {_label(item) for item in items}
    kind = kinds.pop() if len(kinds) == 1 else "预警和线索"
    names = _names(items)
    named = "、".join(names[:NAMED_IN_MESSAGE]) + ("等" if len(names) > NAMED_IN_MESSAGE else "")
    if len(items) == 1:
        item = items[0]
        what = (
            f"（{item.department.short_name}：{item.indicator.name}）"
            if isinstance(item, Warning)
            else ""
        )
        message = f"镇里分派了一条{kind}：{named}{what}，请入户核实"
        url = reverse(
            "early_warnings:warning_detail"
            if isinstance(item, Warning)
            else "early_warnings:clue_detail",
            args=[item.pk],
        )
    else:
        message = f"镇里分派了{len(items)}条{kind}：{named}，请入户核实"
        url = reverse("early_warnings:village_inbox")
    notify(
        recipients=active_users(Role.VILLAGE_MONITOR, village_id=village_id),
        message=message[:500],
        url=url,
    )


def items_assign_bulk(
    *, actor: User, items: Iterable[CheckedItem], village: Village | None = None
) -> int:
    """批量分派: every item or none, so a refused one does not leave half a batch assigned;
    each village is told once, with the households named."""
    by_village: dict[int | None, list[CheckedItem]] = {}
    with transaction.atomic():
        for item in items:
            assigned = _assign(actor, item, village)
            by_village.setdefault(assigned.village_id, []).append(assigned)
        for village_id, assigned in by_village.items():
            _notify_village(village_id, assigned)
    return sum(len(assigned) for assigned in by_village.values())


MSG_REFERRED_REASON = "转为线索/其他救助时请写明风险情况和转介的救助措施（如医疗救助、临时救助）"


def _verified_at(item: CheckedItem, on: datetime.date | None) -> datetime.datetime:
    """When the door was knocked on: the date entered (back-dated, never ahead, not before the
    item reached the town), as the dates of identification's steps; today is now."""
    now = timezone.now()
    if on is None:
        return now
    today = timezone.localdate(now)
    if on > today:
        raise ValidationError({"verified_on": "核实日期不能晚于今天"})
    pushed = timezone.localdate(item.pushed_at) if item.pushed_at else None
    if pushed and on < pushed:
        raise ValidationError(
            {"verified_on": f"核实日期不能早于推送到镇的日期（{pushed:%Y-%m-%d}）"}
        )
    if on == today:
        return now
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time.min))


def _refuse_referral_in_scope(household: Household) -> None:
    """三(五): "转为线索/其他救助" is for a household outside the scope; one inside it applies."""
    verdict = household.identification_scope()
    if verdict.in_scope:
        raise ValidationError(
            {"result": f"该户属于识别范围（{verdict.because}），请选择“纳入监测”启动识别程序"}
        )


def _notify_referral(item: CheckedItem, household: Household | None, reason: str) -> None:
    who = f"{household.head_name}户" if household else getattr(item, "name", "")
    notify(
        recipients=active_users(Role.TOWN_OFFICIAL, town_id=item.town_id),
        message=f"{who}经入户核实有风险但不在识别范围，已转为线索/其他救助：{reason}"[:500],
        url=reverse(
            "early_warnings:warning_detail"
            if isinstance(item, Warning)
            else "early_warnings:clue_detail",
            args=[item.pk],
        ),
    )


def warning_verify(
    *,
    actor: User,
    warning: Warning,
    result: str,
    reason: str = "",
    risk_types: Iterable[RiskType] = (),
    verified_on: datetime.date | None = None,
) -> Warning:
    """入户核实 with one of four results; the consequence happens in the same transaction."""
    reason = (reason or "").strip()
    if result not in Result.values:
        raise ValidationError({"result": "请选择核实结果"})
    if result == Result.NO_RISK and not reason:
        raise ValidationError({"reason": "核实无风险时请填写核实情况和理由"})
    if result == Result.REFERRED and not reason:
        raise ValidationError({"reason": MSG_REFERRED_REASON})
    with transaction.atomic():
        warning = _lock(warning)
        if not may_take(actor, warning, "verify"):
            raise PermissionDenied("只能核实本村（本镇）的预警")
        _require_state(warning, "verify", "核实")
        at = _verified_at(warning, verified_on)
        subject = MonitoringSubject.objects.filter(
            household_id=warning.household_id, status=MonitoringSubject.Status.MONITORING
        ).first()
        if result == Result.REFERRED:
            if subject is not None:
                raise ValidationError({"result": "该户已是监测对象，请选择“已是监测对象”"})
            _refuse_referral_in_scope(warning.household)
            _notify_referral(warning, warning.household, reason)
        elif result == Result.ALREADY_MONITORED:
            if subject is None:
                raise ValidationError({"result": "该户不是监测对象，请选择“纳入监测”或“无风险”"})
            types = {*subject.risk_types.all(), warning.indicator.risk_type, *risk_types}
            monitoring_subject_update_risks(actor=actor, subject=subject, risk_types=types)
        elif result == Result.INCLUDE:
            if subject is not None:
                raise ValidationError({"result": "该户已是监测对象，请选择“已是监测对象”"})
            warning.case = _open_case(
                actor=actor,
                item=warning,
                household=warning.household,
                member=warning.member,
                reason=reason,
                applied_on=timezone.localdate(at),
            )
        warning.verify(by=actor, at=at, result=result, reason=reason)
        save_with_actor(warning, actor=actor)
    return warning


def _open_case(
    *,
    actor: User,
    item: CheckedItem,
    household: Household,
    member: Member,
    reason: str,
    applied_on: datetime.date | None = None,
):
    """三(七)1: 风险预警后，由村主动联系对象户进行申请 — the application opens with its source kept."""
    is_warning = isinstance(item, Warning)
    risk_type = item.indicator.risk_type if item.indicator_id else None
    note = (
        f"部门预警：{item.department.short_name} {item.indicator.name}（{item.period}）"
        if is_warning
        else f"协防线索：{item.get_source_display()} {item.name}"
    )
    return case_apply(
        actor=actor,
        household=household,
        applicant=member,
        applied_on=applied_on or timezone.localdate(),
        hardship=reason or note,
        risk_types=[risk_type or RiskType.objects.get(code="other")],
        source="warning" if is_warning else "clue",
        source_note=note[:200],
    )


def clue_verify(
    *,
    actor: User,
    clue: Clue,
    result: str,
    reason: str = "",
    household: Household | None = None,
) -> Clue:
    """A clue is checked like a warning; when it names a registered household, say which."""
    reason = (reason or "").strip()
    if result not in Result.values:
        raise ValidationError({"result": "请选择核实结果"})
    if not reason:
        raise ValidationError({"reason": "请填写核实情况"})
    if (
        household is not None
        and not Household.objects.filter(household_scope_q(actor), pk=household.pk).exists()
    ):
        raise ValidationError({"household": "只能关联本村（本镇）的农户"})
    if result in {Result.ALREADY_MONITORED, Result.INCLUDE} and household is None:
        raise ValidationError({"household": "请先在台账中登记该户，再选择对应农户"})
    with transaction.atomic():
        clue = _lock(clue)
        if not may_take(actor, clue, "verify"):
            raise PermissionDenied("只能核实本村（本镇）的线索")
        _require_state(clue, "verify", "核实")
        clue.household = household
        if result == Result.REFERRED:
            if household is not None:
                _refuse_referral_in_scope(household)
            _notify_referral(clue, household, reason)
        elif result == Result.ALREADY_MONITORED:
            subject = MonitoringSubject.objects.filter(
                household=household, status=MonitoringSubject.Status.MONITORING
            ).first()
            if subject is None:
                raise ValidationError({"result": "该户不是监测对象，请选择“纳入监测”或“无风险”"})
            if clue.indicator_id:
                types = {*subject.risk_types.all(), clue.indicator.risk_type}
                monitoring_subject_update_risks(actor=actor, subject=subject, risk_types=types)
        elif result == Result.INCLUDE:
            member = household.members.filter(relation=Member.Relation.HEAD).first()
            member = member or household.members.first()
            if member is None:
                raise ValidationError({"household": "该户尚未登记家庭成员"})
            clue.case = _open_case(
                actor=actor, item=clue, household=household, member=member, reason=reason
            )
        clue.verify(by=actor, at=timezone.now(), result=result, reason=reason)
        save_with_actor(clue, actor=actor)
    return clue


def item_close(*, actor: User, item: CheckedItem) -> CheckedItem:
    """销号: the village that verified, its town, or the bureau closes the verified item."""
    with transaction.atomic():
        item = _lock(item)
        if not may_take(actor, item, "close"):
            raise PermissionDenied("不能销号其他村（镇）的预警")
        _require_state(item, "close", "销号")
        item.close(by=actor, at=timezone.now())
        save_with_actor(item, actor=actor)
    return item


def clue_create(
    *,
    actor: User,
    source: str,
    name: str,
    description: str,
    town: Town | None = None,
    village: Village | None = None,
    id_number: str = "",
    phone: str = "",
    address: str = "",
) -> Clue:
    """三(四)3: the bureau (12317, 12345, petitions) or a town (its own work) records a clue;
    a clue with a town goes to it at once."""
    if actor.role == Role.TOWN_OFFICIAL:
        town = actor.town
    elif actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县扶贫局和镇（园区）干部可以录入线索")
    if source == Clue.Source.DEPARTMENT:
        raise ValidationError({"source": "部门数据线索由上传生成"})
    if village is not None and (town is None or village.town_id != town.pk):
        raise ValidationError({"village": "所选村不属于该镇"})
    if id_number:
        try:
            id_number = normalize_id_number(id_number)
        except ValidationError as error:
            raise ValidationError({"id_number": error.messages}) from None
    now = timezone.now()
    clue = Clue(
        source=source,
        period=period_of(timezone.localdate()),
        name=spreadsheets.normalize_name(name),
        id_number=id_number,
        phone=phone,
        address=address,
        description=description,
        town=town,
        village=village,
        created_by=actor,
    )
    with transaction.atomic():
        if town is not None:
            clue.push(at=now)
        save_with_actor(clue, actor=actor)
        if town is not None:
            notify_towns(clue.period, {town.pk: 1})
    return clue


def clue_route(*, actor: User, clue: Clue, town: Town, village: Village | None = None) -> Clue:
    """The bureau sends a clue that named no known town to the town that should check it."""
    if actor.role not in ITEM_STEPS["route"].roles:
        raise PermissionDenied("只有县扶贫局可以转交线索")
    if village is not None and village.town_id != town.pk:
        raise ValidationError({"village": "所选村不属于该镇"})
    with transaction.atomic():
        clue = _lock(clue)
        _require_state(clue, "route", "转交")
        clue.town, clue.village = town, village
        clue.push(at=timezone.now())
        save_with_actor(clue, actor=actor)
        notify_towns(clue.period, {town.pk: 1})
    return clue
