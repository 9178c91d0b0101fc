"""帮扶工作台: each role's page of the help work waiting for it (三(三), 三(八)).

- a helper: 我的帮扶户, phone first — the next visit due, the plan, the measures to update;
- a village: visits due and overdue, the six must-visit households, plans to draft;
- a town: unpaired subjects, plans to confirm and plans overdue for review, visits overdue;
- the county: per town, the share of subjects with an active plan, the share of members
  who can work with a development measure, visits overdue and subjects unpaired.
Every figure is a scoped aggregate; the lists link to their full pages.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from households.views.common import require_registry_reader
from organization.models import Role

from .. import permissions
from ..selectors.pairing import unpaired_count_by_town, unpaired_subject_list
from ..selectors.plans import county_plan_coverage, plans_overdue_for_review, plans_to_confirm
from ..selectors.visits import DueFilters, due_row, interval_days, must_visit_list, visits_due
from ..selectors.work import my_subjects, overdue_visits_by_town, subjects_without_plan
from ..suggestions import WORKING_AGE_MAX, WORKING_AGE_MIN

SHOWN = 10  # rows of each list on the page; its full page has the rest


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_registry_reader(user)
    today = timezone.localdate()
    interval = interval_days(today)
    context: dict = {"nav_active": "help", "interval": interval, "today": today}
    if user.role == Role.HELPER:
        subjects = list(my_subjects(user=user, today=today))
        context["cards"] = [
            {
                "due": due_row(subject, interval=interval, today=today),
                "plan": subject.open_plans[0] if subject.open_plans else None,
            }
            for subject in subjects
        ]
        context["can_draft"] = permissions.can(user, "plan_draft")
        return render(request, "assistance/home_helper.html", context)
    if user.role == Role.COUNTY_BUREAU:
        context["rows"] = _county_rows(user, today)
        context["working_age"] = f"{WORKING_AGE_MIN}至{WORKING_AGE_MAX}岁、非丧失或无劳动力"
        return render(request, "assistance/home_county.html", context)
    if user.role not in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL}:
        raise PermissionDenied
    overdue = visits_due(user=user, filters=DueFilters(overdue_only=True), today=today)
    without_plan = subjects_without_plan(user=user)
    context.update(
        overdue_count=overdue.count(),
        overdue_rows=[due_row(s, interval=interval, today=today) for s in overdue[:SHOWN]],
        must_visit_count=must_visit_list(user=user, today=today).count(),
        without_plan_count=without_plan.count(),
        without_plan=without_plan[:SHOWN],
        to_confirm_count=plans_to_confirm(user).count(),
        to_confirm=plans_to_confirm(user).order_by("made_on", "id")[:SHOWN],
        overdue_review_count=plans_overdue_for_review(user, today).count(),
        overdue_review=plans_overdue_for_review(user, today).order_by("next_review_on")[:SHOWN],
        can_draft=permissions.can(user, "plan_draft"),
        can_activate=permissions.can(user, "plan_activate"),
    )
    if user.role == Role.TOWN_OFFICIAL:
        unpaired = unpaired_subject_list(user=user)
        shown = list(unpaired[:SHOWN])
        for subject in shown:
            subject.days_since_filing = (today - subject.started_on).days
        context.update(unpaired_count=unpaired.count(), unpaired=shown)
    return render(request, "assistance/home_local.html", context)


def _county_rows(user, today) -> list[dict]:
    unpaired = {town.pk: town.n_unpaired for town in unpaired_count_by_town(user=user)}
    overdue = overdue_visits_by_town(user=user, today=today)
    rows = county_plan_coverage(user, today)
    for row in rows:
        row["unpaired"] = unpaired.get(row["town"].pk, 0)
        row["visits_overdue"] = overdue.get(row["town"].pk, 0)
    return rows
