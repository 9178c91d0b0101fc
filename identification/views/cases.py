"""The case pages: role queues, the case with its timeline and what the user may do next."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from organization.models import PolicySettings, Role
from organization.selectors import town_list

from .. import forms, selectors, services
from ..models import CaseState, IdentificationCase, Publicity
from ..models.case import OPEN_STATES, PUBLICIZING_STATES

NAV = {"nav_active": "identification"}
PROCEDURE = [
    (value, label)
    for value, label in CaseState.choices
    if value not in {CaseState.REJECTED, CaseState.WITHDRAWN}
]


def _case(request, pk: int) -> IdentificationCase:
    try:
        return selectors.case_get(user=request.user, pk=pk)
    except IdentificationCase.DoesNotExist:
        raise Http404 from None


def _crumbs(*items) -> list[tuple[str, str]]:
    return [("识别纳入", reverse("identification:list")), *items]


# --- what the user may do next -----------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    danger: bool = False

    def url(self, case: IdentificationCase) -> str:
        return reverse(f"identification:{self.name}", args=[case.pk])


def case_actions(case: IdentificationCase, user) -> list[Action]:
    role = user.role
    actions: list[Action] = []
    step = {
        (CaseState.APPLIED, Role.VILLAGE_MONITOR): Action("verify", "录入村初核"),
        (CaseState.COMPARED, Role.VILLAGE_MONITOR): Action("publicize_village", "村研究确定并公示"),
        (CaseState.TOWN_REVIEWING, Role.TOWN_OFFICIAL): Action("approve_town", "镇审定"),
        (CaseState.COUNTY_FILING, Role.COUNTY_BUREAU): Action("file", "县备案"),
        (CaseState.DELIBERATED, Role.COUNTY_BUREAU): Action("compare", "信息比对"),
    }.get((case.state, role))
    if step:
        actions.append(step)
    if case.state == CaseState.VERIFIED:
        required = services.deliberation_required(case)
        if required and role == Role.VILLAGE_MONITOR:
            actions.append(Action("deliberate", "录入组评议"))
        if not required and role == Role.COUNTY_BUREAU:
            actions.append(Action("compare", "信息比对"))
    if case.state in PUBLICIZING_STATES:
        actions.append(Action("objection_lodge", "登记异议"))
        if role in {Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}:
            actions.append(Action("conclude", "公示期满，结束公示"))
    if role in services.REJECT_ROLES.get(case.state, set()):
        actions.append(Action("reject", "不予通过", danger=True))
    if case.state in OPEN_STATES and role in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL}:
        actions.append(Action("withdraw", "农户撤回申请", danger=True))
    return actions


def household_button(user, household) -> tuple[str, str] | None:
    """The household page's button: the open application, or a new one where the user may apply."""
    if user.role not in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}:
        return None
    case = household.identification_cases.filter(state__in=OPEN_STATES).only("pk").first()
    if case:
        return ("识别申请办理中", reverse("identification:detail", args=[case.pk]))
    if getattr(household, "is_monitored", False):
        return None
    return ("识别申请（户申请）", reverse("identification:apply", args=[household.pk]))


# --- lists -------------------------------------------------------------------------


QUEUES_BY_ROLE = {
    Role.VILLAGE_MONITOR: ["village", "publicizing", "open"],
    Role.TOWN_OFFICIAL: ["town", "publicizing", "open"],
    Role.COUNTY_BUREAU: ["compare", "filing", "publicizing", "open"],
    Role.HELPER: ["open"],
}


@login_required
def case_list(request):
    if request.user.role == Role.DEPARTMENT_STAFF:
        return redirect("identification:datasets")
    towns = town_list(user=request.user)
    form = forms.CaseFilterForm(request.GET or None, towns=towns)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.CaseFilters(
        q=data.get("q") or "",
        town=data.get("town"),
        state=data.get("state") or "",
        source=data.get("source") or "",
        overdue=data.get("overdue"),
        queue=data.get("queue") or "",
    )
    qs = selectors.case_list(user=request.user, filters=filters).order_by("state_changed_at", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    cutoff = selectors.overdue_cutoff()
    rows = [
        {
            "case": case,
            "days": selectors.days_waiting(case),
            "overdue": selectors.case_is_overdue(case, cutoff),
        }
        for case in page
    ]
    if request.user.role == Role.COUNTY_BUREAU:
        counts = selectors.hit_counts([row["case"] for row in rows])
        for row in rows:
            row["hits"] = counts[row["case"].pk]
    queues = [(key, selectors.QUEUES[key][0]) for key in QUEUES_BY_ROLE.get(request.user.role, [])]
    open_objections = selectors.objection_list(user=request.user, open_only=True)
    return render(
        request,
        "identification/case_list.html",
        {
            **NAV,
            "form": form,
            "page": page,
            "rows": rows,
            "queues": queues,
            "queue": filters.queue,
            # The village sees its cases' open objections (the town decides them).
            "open_objections": open_objections,
            "can_decide": request.user.role in {Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU},
            "overdue_days": PolicySettings.current().case_overdue_days,
            "crumbs": _crumbs(("识别申请", "")),
        },
    )


@login_required
def case_detail(request, pk: int):
    case = _case(request, pk)
    comparison = case.comparisons.prefetch_related("hits__member", "hits__dataset").first()
    publicity = case.publicities.filter(outcome=Publicity.Outcome.RUNNING).first()
    today = timezone.localdate()
    return render(
        request,
        "identification/case_detail.html",
        {
            **NAV,
            "case": case,
            "procedure": PROCEDURE,
            "timeline": selectors.case_timeline(case),
            "actions": case_actions(case, request.user),
            "comparison": comparison,
            "publicity": publicity,
            # Days counted from the recorded start (三(七)5/6), capped at the publicity's length.
            "publicity_days_run": min(publicity.days_run(today), publicity.days)
            if publicity
            else 0,
            "publicity_ran": bool(publicity and publicity.has_run_on(today)),
            "objections": case.objections.select_related("lodged_by", "decided_by"),
            "can_decide": request.user.role in {Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU},
            "overdue": selectors.case_is_overdue(case),
            "days": selectors.days_waiting(case),
            "today": today,
            "crumbs": _crumbs((f"{case.household.head_name}户", "")),
        },
    )
