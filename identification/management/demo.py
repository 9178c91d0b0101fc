"""Taking a case through the steps of 三(七) with the real services, for demo data and tests.

Dates are entered after the fact, as paper meetings are: each step is dated a
few days after the one before, counted back from ``start`` days ago, so both
publicities (三(七)5, 三(七)6: seven days) have run their days by the time
they are concluded, unless ``start`` is small enough to leave one running.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from households.models import Household, Member, RiskType
from organization.models import PolicySettings, User

from .. import services
from ..models import IdentificationCase
from ..notices import PROPOSED_CATEGORY
from ..procedures import procedure_for


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def walk_case(
    *,
    household: Household,
    target: str,
    monitor: User,
    town: User,
    county: User,
    start: int = 80,
    applied: int | None = None,
    category: str | None = None,
    judgements: dict[int, tuple[str, str]] | None = None,
    source_note: str = "",
) -> IdentificationCase:
    """Apply for ``household`` and take the case to ``target``, one service per step of the
    procedure of the application's year (2021 Suixi or Anhui 2024).

    ``monitor`` records the village steps, ``town`` the town's, ``county`` the comparison and
    the filing (or approval); ``judgements`` are the county's verdicts on comparison hits
    (record id → (judgement, note)). The application is dated ``applied`` days ago (default
    ``start``), the steps from ``start`` days ago on.
    """
    applied_on = days_ago(start if applied is None else applied)
    head = household.members.get(relation=Member.Relation.HEAD)
    illness = RiskType.objects.get(code="illness")
    procedure = procedure_for(PolicySettings.for_year(applied_on.year).identification_procedure)
    if target not in procedure.path:
        raise ValueError(f"{procedure.name}没有“{target}”环节")
    consent = procedure.step("consent") is not None
    case = services.case_apply(
        actor=monitor,
        household=household,
        applicant=head,
        applied_on=applied_on,
        hardship="户主突发重病，医疗支出大",
        risk_types=[illness],
        source_note=source_note,
        consent_given=consent,
        consent_signed_on=applied_on if consent else None,
    )
    verify = lambda: services.case_verify(  # noqa: E731
        actor=monitor,
        case=case,
        checked_on=days_ago(start - 2),
        team=[
            services.TeamMember(role="village_committee", user=monitor),
            services.TeamMember(role="helper", name="帮扶人吴某"),
        ],
        findings="入户核实，户主住院",
        passed=True,
        medical_burden=True,
    )
    meeting = {"held_on": days_ago(start - 4), "expected": 9, "present": 6, "approvals": 5}
    category = category or PROPOSED_CATEGORY[household.status_2020]  # 三(一)
    steps: dict[str, Callable[[int], object]] = {
        "verify": lambda _: verify(),
        "deliberate": lambda _: services.case_record_deliberation(
            actor=monitor,
            case=case,
            group=household.group or household.village.groups.first(),
            **meeting,
        ),
        "deliberate_village": lambda _: services.case_record_village_deliberation(
            actor=monitor, case=case, **meeting
        ),
        "compare": lambda day: services.case_compare(
            actor=county, case=case, compared_on=days_ago(day), judgements=judgements or {}
        ),
        "publicize_village": lambda day: services.case_publicize_village(
            actor=monitor,
            case=case,
            meeting_on=days_ago(day),
            decision="同意纳入，予以公示",
            publicity_started_on=days_ago(day),
        ),
        "conclude": lambda _: services.publicity_conclude(case=case),
        "approve_town": lambda day: services.case_approve_town(
            actor=town,
            case=case,
            meeting_on=days_ago(day),
            approved=True,
            opinion="同意",
            publicity_started_on=days_ago(day),
        ),
        "review_town": lambda day: services.case_review_town(
            actor=town, case=case, meeting_on=days_ago(day), approved=True, opinion="同意"
        ),
        "file": lambda day: services.case_file(
            actor=county,
            case=case,
            filed_on=days_ago(day),
            category=category,
            risk_types=[illness],
        ),
        "approve_county": lambda day: services.case_approve_county(
            actor=county,
            case=case,
            approved_on=days_ago(day),
            category=category,
            risk_types=[illness],
        ),
    }
    for name, offset in WALKS[procedure.key]:
        if case.state == target:
            break
        steps[name](start - offset)
        case.refresh_from_db()
    return case


# Each procedure's steps in order, each dated this many days after ``start``: both
# publicities (seven days) have run by the time they are concluded.
WALKS: dict[str, list[tuple[str, int]]] = {
    "suixi_2021": [
        ("verify", 2),
        ("deliberate", 4),
        ("compare", 6),
        ("publicize_village", 8),
        ("conclude", 0),
        ("approve_town", 20),
        ("conclude", 0),
        ("file", 30),
    ],
    "anhui_2024": [
        ("verify", 2),
        ("deliberate_village", 4),
        ("publicize_village", 6),
        ("compare", 8),  # during the village publicity
        ("conclude", 0),
        ("review_town", 16),
        ("approve_county", 20),
    ],
}
