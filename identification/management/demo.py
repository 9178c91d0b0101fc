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
from organization.models import User

from .. import services
from ..models import IdentificationCase
from ..models.case import STEP_ORDER
from ..notices import PROPOSED_CATEGORY


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
    category: str | None = None,
    judgements: dict[int, tuple[str, str]] | None = None,
    source_note: str = "",
) -> IdentificationCase:
    """Apply for ``household`` and take the case to ``target``, one service per step.

    ``monitor`` records the village steps, ``town`` the town approval and
    ``county`` the comparison and the filing; ``judgements`` are the county's
    verdicts on comparison hits (record id → (judgement, note)).
    """
    head = household.members.get(relation=Member.Relation.HEAD)
    illness = RiskType.objects.get(code="illness")
    case = services.case_apply(
        actor=monitor,
        household=household,
        applicant=head,
        applied_on=days_ago(start),
        hardship="户主突发重病，医疗支出大",
        risk_types=[illness],
        source_note=source_note,
    )
    steps: list[Callable[[], object]] = [
        lambda: services.case_verify(
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
        ),
        lambda: services.case_record_deliberation(
            actor=monitor,
            case=case,
            group=household.group or household.village.groups.first(),
            held_on=days_ago(start - 4),
            expected=9,
            present=6,
            approvals=5,
        ),
        lambda: services.case_compare(
            actor=county, case=case, compared_on=days_ago(start - 6), judgements=judgements or {}
        ),
        lambda: services.case_publicize_village(
            actor=monitor,
            case=case,
            meeting_on=days_ago(start - 8),
            decision="同意纳入，予以公示",
            publicity_started_on=days_ago(start - 8),
        ),
        lambda: services.publicity_conclude(case=case),
        lambda: services.case_approve_town(
            actor=town,
            case=case,
            meeting_on=days_ago(start - 20),
            approved=True,
            opinion="同意",
            publicity_started_on=days_ago(start - 20),
        ),
        lambda: services.publicity_conclude(case=case),
        lambda: services.case_file(
            actor=county,
            case=case,
            filed_on=days_ago(start - 30),
            # 三(一): the category that goes with the household's 2020 status, unless given.
            category=category or PROPOSED_CATEGORY[household.status_2020],
            risk_types=[illness],
        ),
    ]
    for step in steps[: STEP_ORDER.index(target)]:
        step()
        case.refresh_from_db()
    return case
