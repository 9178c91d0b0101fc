"""The time limit of each open case (Anhui's 2022 一码申报 rules), and its daily warnings.

From the application: the home check within ``home_check_working_days`` working days, the
whole identification within ``identification_working_days`` (the year's PolicySettings, the
year of the application). The publicities keep their calendar days (三(七)5/6 "公示…不少于
7天") and count inside the whole limit. The limit does not depend on the steps a case's
procedure has: only on whether a home check is recorded.

``due_on`` is stored on the case and kept here: by every step's save (``_advance``, the
application), and for the open cases of the years a changed PolicySettings row governs.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from organization.models import PolicySettings
from organization.services import area_role_q, notify_on_commit
from organization.working_days import Clock, add_working_days

from ..models import HomeCheck, IdentificationCase
from ..models.case import OPEN_STATES
from ..selectors.clock import clock_q, clock_today
from .permissions import next_step


def due_on_for(*, applied_on: datetime.date, home_check_done: bool) -> datetime.date:
    """The last day of the case's limit: working days after the application date."""
    policy = PolicySettings.for_year(applied_on.year)
    if home_check_done:
        return add_working_days(applied_on, policy.identification_working_days)
    return add_working_days(applied_on, policy.home_check_working_days)


def case_refresh_due_on(case: IdentificationCase) -> None:
    """Set ``case.due_on`` (unsaved) from its application and home checks; a moved limit
    clears the warnings sent for the old one. Called by each step before it saves."""
    done = case.pk is not None and case.home_checks.exists()
    _set_due_on(case, due_on_for(applied_on=case.applied_on, home_check_done=done))


def _set_due_on(case: IdentificationCase, due_on: datetime.date) -> bool:
    if case.due_on == due_on:
        return False
    case.due_on = due_on
    case.clock_notified = ""
    return True


def case_due_dates_refresh(*, year: int) -> int:
    """Recompute the limits of the open cases applied in ``year`` or later (those a changed
    PolicySettings row of ``year`` may govern); returns how many moved. Runs inside the
    policy's transaction, so the limits change with the numbers or not at all."""
    cases = list(
        IdentificationCase.objects.select_for_update()
        .filter(state__in=OPEN_STATES, applied_on__year__gte=year)
        .annotate(checked=_home_check_done())
    )
    moved = [
        case
        for case in cases
        if _set_due_on(case, due_on_for(applied_on=case.applied_on, home_check_done=case.checked))
    ]
    # A derived date, not a step: written without a history row of its own (the policy's
    # change is in the policy's history).
    IdentificationCase.objects.bulk_update(moved, ["due_on", "clock_notified"])
    return len(moved)


# Each warning, and the warnings that, once sent, make it redundant.
WARNINGS = [
    (Clock.RED, {Clock.RED}, "已超过办理时限"),
    (Clock.ORANGE, {Clock.ORANGE, Clock.RED}, "临近办理时限"),
]


def _home_check_done():
    return Exists(HomeCheck.objects.filter(case=OuterRef("pk")))


def case_clocks_notify(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily: tell the role that takes each case's next step when the case turns orange and
    when it turns red, once each per limit (``clock_notified`` keeps what was sent). A case
    found red that was never warned gets the red warning only. Reads dates, so a run after
    downtime catches up and a second run the same day finds nothing to send."""
    today = today or clock_today()
    sent = {Clock.ORANGE.value: 0, Clock.RED.value: 0}
    for clock, covered, wording in WARNINGS:
        with transaction.atomic():
            # Locked and filtered again under the lock: two runs at once send each warning once.
            cases = list(
                IdentificationCase.objects.select_for_update(of=("self",))
                .filter(clock_q(clock, today=today))
                .exclude(clock_notified__in=covered)
                .select_related("household", "village")
                .annotate(checked=_home_check_done())
                .order_by("pk")
            )
            for case in cases:
                case.clock_notified = clock
                found = next_step(case)
                if found is None:
                    continue
                step, role = found
                limit = "识别办结" if case.checked else "入户核查"
                notify_on_commit(
                    recipients=area_role_q(
                        role, village_id=case.village_id, town_id=case.village.town_id
                    ),
                    message=(
                        f"{case.household.head_name}户识别申请{wording}"
                        f"（{limit}时限 {case.due_on:%Y-%m-%d}），请尽快办理{step.title}"
                    ),
                    url=reverse("identification:detail", args=[case.pk]),
                )
                sent[clock] += 1
            IdentificationCase.objects.bulk_update(cases, ["clock_notified"])
    return sent
