"""The case pages: role queues, the case with its timeline and what the user may do next."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from households.selectors import can_edit_registry
from organization.models import PolicySettings, Role
from organization.selectors import town_list

from .. import forms, selectors
from ..models import IdentificationCase, Objection, Publicity
from ..models.case import OPEN_STATES
from ..selectors import clock as clock_selectors
from ..services import permissions

NAV = {"nav_active": "identification"}


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


# The button of each step the page offers where it is not the step's own title (the case's
# procedure names the others: 村研究确定并公示 or 村级公示, 县备案 or 县级审定公告…); who may press
# it is the procedure's table.
BUTTONS: dict[str, tuple[str, bool]] = {
    "consent": ("登记承诺授权", False),
    "verify": ("录入村初核", False),
    "deliberate": ("录入组评议", False),
    "deliberate_village": ("录入民主评议", False),
    "compare": ("信息比对", False),
    "objection_lodge": ("登记异议", False),
    "conclude": ("公示期满，结束公示", False),
    "reject": ("不予通过", True),
    "withdraw": ("农户撤回申请", True),
}
# Steps with no page of their own (an objection is decided from its row).
NO_BUTTON = {"objection_decide"}


def case_actions(case: IdentificationCase, user, *, conclude_ready: bool = True) -> list[Action]:
    """The buttons of the steps ``user`` may take now under the case's procedure; "结束公示"
    only once it can succeed (the publicity has run its days, no objection is open and, under
    Anhui 2024, the comparison is recorded)."""
    steps = permissions.case_steps(case, user.role)
    return [
        Action(s.name, *BUTTONS.get(s.name, (s.title, False)))
        for s in steps
        if s.name not in NO_BUTTON and (s.name != "conclude" or conclude_ready)
    ]


def can_decide_objections(user) -> bool:
    return permissions.may_take(user.role, permissions.OBJECTION_DECIDE)


def household_button(user, household) -> tuple[str, str] | None:
    """The household page's button: the open application, or a new one where the user may apply."""
    if not can_edit_registry(user):
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
        village=data.get("village"),
        state=data.get("state") or "",
        source=data.get("source") or "",
        clock=data.get("clock") or "",
        queue=data.get("queue") or "",
    )
    today = clock_selectors.clock_today()
    cases = selectors.case_list(user=request.user, filters=filters, today=today)
    qs = cases.order_by("state_changed_at", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [{"case": case, "days": selectors.days_waiting(case)} for case in page]
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
            "can_decide": can_decide_objections(request.user),
            "policy": PolicySettings.current(today),
            # The town and the county see the open cases by clock per village and town.
            "clock_summary": clock_selectors.clock_summary(cases, today=today)
            if request.user.role in {Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}
            else None,
            "crumbs": _crumbs(("识别申请", "")),
        },
    )


@login_required
def case_detail(request, pk: int):
    case = _case(request, pk)
    comparison = case.comparisons.prefetch_related(
        "hits__member", "hits__dataset", "datasets"
    ).first()
    publicity = case.publicities.filter(outcome=Publicity.Outcome.RUNNING).first()
    today = timezone.localdate()
    objections = list(case.objections.select_related("lodged_by", "decided_by"))
    open_objection = any(
        o.status == Objection.Status.OPEN and o.publicity_id == getattr(publicity, "pk", None)
        for o in objections
    )
    procedure = case.procedure_definition
    # Anhui 2024: the village publicity waits for the county's comparison.
    comparison_waits = bool(
        publicity
        and procedure.compares_during_publicity
        and not permissions.comparison_recorded(case)
    )
    conclude_ready = bool(
        publicity and publicity.has_run_on(today) and not open_objection and not comparison_waits
    )
    may_conclude = any(
        step.name == permissions.CONCLUDE.name
        for step in permissions.case_steps(case, request.user.role)
    )
    return render(
        request,
        "identification/case_detail.html",
        {
            **NAV,
            "case": case,
            "procedure": procedure,
            "comparison_waits": comparison_waits,
            "timeline": selectors.case_timeline(case),
            "actions": case_actions(case, request.user, conclude_ready=conclude_ready),
            # Why "结束公示" is not offered yet, and from when it will be.
            "conclude_waits": may_conclude and publicity is not None and not conclude_ready,
            "open_objection": open_objection,
            "comparison": comparison,
            "publicity": publicity,
            # Days counted from the recorded start (三(七)5/6), capped at the publicity's length.
            "publicity_days_run": min(publicity.days_run(today), publicity.days)
            if publicity
            else 0,
            "publicity_ran": bool(publicity and publicity.has_run_on(today)),
            "objections": objections,
            "can_decide": can_decide_objections(request.user),
            "days": selectors.days_waiting(case),
            "today": today,
            "crumbs": _crumbs((f"{case.household.head_name}户", "")),
        },
    )
