"""Help visit pages (帮扶走访, 三(八)1; 六个必访, 三(四)1): record a visit on a phone, one visit with
its one-click follow-ups, the visits due, the must-visit list. Thin: the rules are the services'."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from households.models import Household, Visit
from households.selectors import can_edit_registry
from households.views.common import (
    PAGE_SIZE,
    crumbs,
    household_crumbs,
    household_or_404,
    in_scope,
    require_registry_reader,
    today,
)
from organization.models import Role
from organization.selectors import village_list
from suixi_monitor.forms import run_action, run_service

from .. import permissions
from ..forms.visits import DueFilterForm, HelpVisitForm, MustVisitFilterForm
from ..models import OPEN_MEASURE_STATES, OPEN_PLAN_STATES, HelpVisit, Measure
from ..selectors import help_visit_list
from ..selectors.visits import (
    MUST_VISIT_RULES,
    DueFilters,
    due_helper_choices,
    due_row,
    interval_days,
    must_visit_kinds,
    must_visit_list,
)
from ..selectors.visits import (
    visits_due as select_visits_due,
)
from ..services.visits import (
    help_visit_add_risks as add_risks,
)
from ..services.visits import (
    help_visit_record,
    open_subject,
    risk_summary,
)

NAV = {"nav_active": "help"}


def help_visit_button(user, household: Household) -> tuple[str, str] | None:
    """For ``households.views.register_detail_action``: record a help visit (三(八)1), for
    those who visit (a helper sees only the households paired with them)."""
    if not permissions.can(user, "help_visit"):
        return None
    return "登记帮扶走访", reverse("assistance:help_visit_create", args=[household.pk])


def _open_measures(household: Household) -> list[Measure]:
    """One block per open measure of the household's current plan."""
    return list(
        Measure.objects.filter(
            plan__subject__household=household,
            plan__subject__status="monitoring",
            plan__state__in=OPEN_PLAN_STATES,
            state__in=OPEN_MEASURE_STATES,
        )
        .select_related("kind", "member")
        .order_by("id")
    )


@login_required
def help_visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = household_or_404(user, pk)
    permissions.require(user, "help_visit")
    form = HelpVisitForm(request.POST or None, measures=_open_measures(household))
    if request.method == "POST" and form.is_valid():
        help_visit = run_service(
            form, help_visit_record, actor=user, household=household, **form.service_data()
        )
        if help_visit is not None:
            messages.success(request, "帮扶走访已登记")
            return redirect("assistance:help_visit_detail", help_visit.pk)
    return render(
        request,
        "assistance/visit_help_form.html",
        {
            **NAV,
            "household": household,
            "subject": open_subject(household),
            "form": form,
            "crumbs": household_crumbs(household, ("登记帮扶走访", "")),
        },
    )


def apply_url(help_visit: HelpVisit) -> str:
    """identification's application page, prefilled from the visit (来源：走访发现)."""
    visit = help_visit.visit
    query = urlencode(
        {
            "source": "visit",
            "source_note": f"{visit.visited_on:%Y-%m-%d} 帮扶走访（{visit.visitor}）",
            "hardship": visit.findings,
            "risk_types": [r.pk for r in help_visit.new_risk_types.all()],
        },
        doseq=True,
    )
    return reverse("identification:apply", args=[visit.household_id]) + "?" + query


@login_required
def help_visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    help_visit = in_scope(help_visit_list(user=user), pk=pk)
    household = help_visit.visit.household
    subject = open_subject(household)
    new_risks = list(help_visit.new_risk_types.all())
    may_edit = can_edit_registry(user, household)
    missing = []
    if subject is not None:
        current = set(subject.risk_types.all())
        missing = [r for r in new_risks if r not in current]
    found_risk = help_visit.visit.risk_found
    return render(
        request,
        "assistance/visit_help_detail.html",
        {
            **NAV,
            "help_visit": help_visit,
            "visit": help_visit.visit,
            "household": household,
            "subject": subject,
            "new_risks": new_risks,
            "summary": risk_summary(help_visit, new_risks),
            "progress": help_visit.progress.select_related("measure__kind", "measure__member"),
            # One click from what the visit found (三(四)1 人防 → 三(七)1 申请, or the risks updated).
            "apply_url": apply_url(help_visit)
            if may_edit and subject is None and found_risk
            else "",
            "missing_risks": missing if may_edit else [],
            "crumbs": household_crumbs(household, ("帮扶走访", "")),
        },
    )


@login_required
@require_POST
def help_visit_add_risks(request: HttpRequest, pk: int) -> HttpResponse:
    help_visit = in_scope(help_visit_list(user=request.user), pk=pk)
    if run_action(request, add_risks, actor=request.user, help_visit=help_visit):
        messages.success(request, "已把本次走访发现的风险加入监测对象的风险类型")
    return redirect("assistance:help_visit_detail", help_visit.pk)


def _villages(user):
    return village_list(user=user).order_by("code")


@login_required
def visits_due(request: HttpRequest) -> HttpResponse:
    """三(八)1 定期上门走访: each subject's next visit, the overdue first; a helper sees their own."""
    user = request.user
    require_registry_reader(user)
    is_helper = user.role == Role.HELPER
    form = DueFilterForm(
        request.GET or None,
        helpers=due_helper_choices(user=user),
        villages=_villages(user),
        show_helper=not is_helper,
    )
    filters = DueFilters()
    if request.GET and form.is_valid():
        data = form.cleaned_data
        filters = DueFilters(
            overdue_only=data["overdue"],
            helper=data["helper"].pk if data.get("helper") else None,
            village=data["village"].pk if data.get("village") else None,
        )
    day = today()
    n = interval_days(day)
    page = Paginator(select_visits_due(user=user, filters=filters, today=day), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assistance/visit_due_list.html",
        {
            **NAV,
            "form": form,
            "page": page,
            "rows": [due_row(s, interval=n, today=day) for s in page],
            "interval": n,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "crumbs": crumbs(("帮扶走访提醒", "")),
        },
    )


@login_required
def must_visit(request: HttpRequest) -> HttpResponse:
    """三(四)1 六个必访: the village's households that must be visited, with their last visit."""
    user = request.user
    require_registry_reader(user)
    form = MustVisitFilterForm(
        request.GET or None,
        kinds=[(rule.code, rule.label) for rule in MUST_VISIT_RULES],
        villages=_villages(user),
    )
    kind, village = "", None
    if request.GET and form.is_valid():
        kind = form.cleaned_data["kind"]
        village = form.cleaned_data["village"].pk if form.cleaned_data.get("village") else None
    day = today()
    page = Paginator(
        must_visit_list(user=user, kind=kind, village=village, today=day), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/must_visit_list.html",
        {
            **NAV,
            "form": form,
            "page": page,
            "rows": [
                (
                    h,
                    must_visit_kinds(h),
                    (day - h.last_visited_on).days if h.last_visited_on else None,
                )
                for h in page
            ],
            "rules": MUST_VISIT_RULES,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "visit_reasons": Visit.Reason,
            "crumbs": crumbs(("六个必访", "")),
        },
    )
