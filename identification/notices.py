"""The three public notices of 三(七): village publicity, town publicity, county announcement.

Each lists name, villager group, household size, category and reason. Public
notices never show a whole ID number, a phone or a health detail: the head's
ID number is masked, the reason is the risk types (因病, 因灾…), never the
free-text hardship description.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from households.id_numbers import mask
from households.models import MonitoringSubject, Status2020
from organization.models import Town, User, Village

from . import selectors
from .models import Announcement, Filing, IdentificationCase
from .procedures import PROCEDURES

# The category a case is publicised under before the county files it (三(一)).
PROPOSED_CATEGORY = {
    Status2020.POVERTY_ALLEVIATED: MonitoringSubject.Category.UNSTABLE,
    Status2020.DIBAO: MonitoringSubject.Category.MARGINAL,
    Status2020.TEKUN: MonitoringSubject.Category.MARGINAL,
    Status2020.SEVERE_DISABILITY: MonitoringSubject.Category.MARGINAL,
    Status2020.SERIOUS_ILLNESS: MonitoringSubject.Category.MARGINAL,
    Status2020.ORDINARY: MonitoringSubject.Category.SUDDEN,
}

HEADERS = [
    "序号",
    "镇（园区）",
    "村",
    "村民小组",
    "户主姓名",
    "身份证号",
    "家庭人口",
    "类别",
    "认定理由",
]


@dataclass(frozen=True)
class NoticeRow:
    town: str
    village: str
    group: str
    head_name: str
    masked_id: str
    size: int
    category: str
    reason: str


@dataclass
class Notice:
    kind: str
    title: str
    subtitle: str
    rows: list[NoticeRow]
    period: str = ""
    issuer: str = ""
    issued_on: datetime.date | None = None
    closing: str = ""
    number: str = ""

    def table(self) -> list[list[object]]:
        return [
            [i, r.town, r.village, r.group, r.head_name, r.masked_id, r.size, r.category, r.reason]
            for i, r in enumerate(self.rows, start=1)
        ]


def _row(case: IdentificationCase, category: str, risk_types=None) -> NoticeRow:
    household = case.household
    members = list(household.members.all())
    head = next((m for m in members if m.relation == "head"), case.applicant)
    return NoticeRow(
        town=household.village.town.name,
        village=household.village.name,
        group=household.group.name if household.group else "",
        head_name=household.head_name,
        masked_id=mask(head.id_number),
        size=len(members),
        category=category,
        reason="、".join(
            r.name for r in (risk_types if risk_types is not None else case.risk_types.all())
        ),
    )


def _proposed(case: IdentificationCase) -> str:
    return MonitoringSubject.Category(PROPOSED_CATEGORY[case.household.status_2020]).label


@dataclass(frozen=True)
class PublicityRow:
    """One line of the 本镇公示中 list: the notice row, which publicity, and its days."""

    notice: NoticeRow
    level: str
    period: str


def publicity_row(case: IdentificationCase) -> PublicityRow:
    """What the printed notice shows of a publicised case, and no more (masked, no phone/health).

    ``case`` comes from ``selectors.publicity_rows`` (running publicities prefetched).
    """
    publicity = case.running_publicities[0] if case.running_publicities else None
    return PublicityRow(
        notice=_row(case, _proposed(case)),
        level=publicity.get_level_display() if publicity else "",
        period=f"{publicity.started_on:%Y-%m-%d}至{publicity.last_day:%Y-%m-%d}"
        if publicity
        else "",
    )


def _period(cases: list[IdentificationCase]) -> str:
    publicities = [p for c in cases for p in c.running_publicities]
    if not publicities:
        return ""
    start = min(p.started_on for p in publicities)
    end = max(p.last_day for p in publicities)
    return f"{start:%Y年%m月%d日}至{end:%Y年%m月%d日}"


def _wording(cases: list[IdentificationCase], key: str, mixed: str) -> str:
    """A notice's wording from the procedure its cases follow (each keeps its own); a notice
    listing cases of both procedures says what they share."""
    keys = {case.procedure for case in cases}
    if len(keys) == 1:
        return PROCEDURES[keys.pop()].texts[key]
    return mixed if keys else PROCEDURES["suixi_2021"].texts[key]


def village_notice(*, user: User, village: Village) -> Notice:
    cases = list(selectors.village_notice_cases(user=user, village_id=village.pk))
    return Notice(
        kind="village",
        title=f"{village.town.name}{village.name}防止返贫监测对象识别公示",
        subtitle=_wording(
            cases,
            "village_subtitle",
            "经农户申请、村入户核查、评议及村两委研究，拟将下列农户纳入防止返贫监测对象，现予公示。",
        ),
        rows=[_row(c, _proposed(c)) for c in cases],
        period=_period(cases),
        issuer=f"{village.name}村民委员会",
        issued_on=timezone.localdate(),
        closing="公示期间如有异议，请向村委会或镇（园区）反映。（依据濉扶组〔2021〕6号 三(七)5）",
    )


def town_notice(*, user: User, town: Town) -> Notice:
    cases = list(selectors.town_notice_cases(user=user, town_id=town.pk))
    return Notice(
        kind="town",
        title=f"{town.name}防止返贫监测对象审定公示",
        subtitle=f"经{town.name}防贫工作领导小组会议审定，拟将下列农户纳入防止返贫监测对象，现予公示。",
        rows=[_row(c, _proposed(c)) for c in cases],
        period=_period(cases),
        issuer=f"{town.name}人民政府",
        issued_on=timezone.localdate(),
        closing="公示时间不少于7天。公示期间如有异议，请向镇（园区）防贫工作领导小组反映。（依据濉扶组〔2021〕6号 三(七)6）",
    )


def announcement_notice(*, user: User, announcement: Announcement) -> Notice:
    filings: list[Filing] = list(
        selectors.announcement_filings(user=user, announcement=announcement)
    )
    cases = [filing.case for filing in filings]
    return Notice(
        kind="announcement",
        title=_wording(cases, "announcement_title", "濉溪县防止返贫监测对象认定公告"),
        number=f"濉溪县防贫监测公告{announcement.label}",
        subtitle=_wording(
            cases,
            "announcement_subtitle",
            "经农户申请、村级核查评议、公示及信息比对、乡镇审核（审定），县级备案或审定，"
            "下列农户纳入防止返贫监测对象，现予公告。",
        ),
        rows=[_row(f.case, f.get_category_display(), f.risk_types.all()) for f in filings],
        issuer="濉溪县扶贫开发领导小组办公室",
        issued_on=announcement.published_on,
        closing="特此公告。（依据濉扶组〔2021〕6号 三(七)7）",
    )
