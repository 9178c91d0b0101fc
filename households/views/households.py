"""The household pages: the home page, the registry list, one household, entering and editing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from organization.audit import record_id_search
from organization.models import PolicySettings, Role
from suixi_monitor.forms import run_service

from .. import services
from ..dashboard import build_dashboard
from ..filters import SEARCH_HOUSEHOLDS
from ..forms import (
    HouseholdCreateForm,
    HouseholdFilterForm,
    HouseholdForm,
    MemberForm,
    MemberFormSet,
)
from ..models import Household, Member
from ..selectors import (
    HouseholdFilters,
    can_edit_registry,
    household_history,
    registry_counts,
    visit_list,
)
from ..selectors import (
    household_list as select_households,
)
from .common import (
    PAGE_SIZE,
    crumbs,
    household_crumbs,
    household_or_404,
    require_editor,
    require_registry_reader,
    today,
)

# What the household list shows; ``templatetags/registry.household_rows`` renders them.
LIST_COLUMNS = (
    "pk",
    "head_name",
    "village__town__name",
    "village__name",
    "group__name",
    "size",
    "status_2020",
    "latest_per_capita_income",
    "latest_income_year",
    "below_income_line",
    "is_monitored",
)


# --- extension point --------------------------------------------------------------

# Buttons that higher apps add to the household page (e.g. identification's "申请纳入"),
# so this app never imports them. Each callable takes (user, household) and returns
# (label, url) or None when the button does not apply.
DetailAction = Callable[[Any, Household], tuple[str, str] | None]
DETAIL_ACTIONS: list[DetailAction] = []


def register_detail_action(action: DetailAction) -> DetailAction:
    """Call from an app's ``AppConfig.ready``; usable as a decorator."""
    if action not in DETAIL_ACTIONS:
        DETAIL_ACTIONS.append(action)
    return action


# --- home ---------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The home page of every role that keeps or reads the registry; a bounded number of queries."""
    user = request.user
    require_registry_reader(user)
    context: dict = {"nav_active": "home"}
    if user.role == Role.VILLAGE_MONITOR:
        context["counts"] = registry_counts(user=user)
        context["recent_visits"] = visit_list(user=user).order_by("-visited_on", "-id")[:10]
    elif user.role in {Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}:
        # The county's and each town's home is the dashboard (households/dashboard.py).
        context.update(dashboard=build_dashboard(user=user), policy=PolicySettings.current())
        return render(request, "households/dashboard.html", context)
    elif user.role == Role.HELPER:
        context["households"] = select_households(user=user).order_by("village__town", "village")
    return render(request, "households/overview.html", context)


# --- households ---------------------------------------------------------------------


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    """The registry list: a fixed number of queries whatever the page size."""
    require_registry_reader(request.user)
    form = HouseholdFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else HouseholdFilters()
    record_id_search(request, filters.q, where=SEARCH_HOUSEHOLDS)
    # Plain rows: building four model instances per household cost more than the query.
    households = select_households(user=request.user, filters=filters)
    paginator = Paginator(households.order_by("-id").values(*LIST_COLUMNS), PAGE_SIZE)
    # Count the plain queryset: counting the .values() rows would keep the town and
    # group joins, a scan of every household in the county on PostgreSQL.
    paginator.count = households.count()
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "households/household_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "can_create": can_edit_registry(request.user),
            # Detail pages live at <list>/<pk>/; one reverse() instead of fifty.
            "detail_base": reverse("households:list"),
            "nav_active": "households",
            "crumbs": crumbs(("农户台账", "")),
        },
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = household_or_404(user, pk)
    # The head first, then the others in the order they were entered.
    head_first = Case(When(relation=Member.Relation.HEAD, then=0), default=1)
    members = list(household.members.order_by(head_first, "id"))
    incomes = list(household.income_records.order_by("-year"))
    lines = {year: PolicySettings.for_year(year).income_line for year in {r.year for r in incomes}}
    income_rows = [
        {"record": r, "line": lines[r.year], "below": r.per_capita_net_income < lines[r.year]}
        for r in incomes
    ]
    # The household's latest income is always one of its records, so its line is in ``lines``.
    latest_line = lines.get(household.latest_income_year)
    policy = PolicySettings.for_year(household.latest_income_year or today().year)
    subjects = household.monitoring_subjects.prefetch_related("risk_types")
    # Current statuses first, then the ended ones, newest first within each.
    statuses = sorted(
        household.low_income_statuses.all(),
        key=lambda s: (s.ended_on is not None, -s.started_on.toordinal(), -s.pk),
    )
    show_full = user.can_see_full_id_numbers
    return render(
        request,
        "households/household_detail.html",
        {
            "household": household,
            "members": members,
            "show_full_ids": show_full,
            "income_rows": income_rows,
            "latest_line": latest_line,
            "policy": policy,
            "in_scope": household.in_identification_scope(policy),
            "below_minimum": household.below_minimum_living_standard(policy),
            "visits": household.visits.select_related("visitor"),
            "subjects": subjects,
            "statuses": statuses,
            "history": household_history(household=household, show_full_id_numbers=show_full),
            "can_edit": can_edit_registry(user),
            "can_visit": user.role != Role.DEPARTMENT_STAFF,
            "can_file_subject": user.is_county and not household.is_monitored,
            "extra_actions": [a for action in DETAIL_ACTIONS if (a := action(user, household))],
            "nav_active": "households",
            "crumbs": household_crumbs(household)[:-1] + [(f"{household.head_name}户", "")],
        },
    )


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    """A household and its members on one page, saved all or nothing."""
    user = request.user
    require_registry_reader(user)
    if not can_edit_registry(user):
        raise PermissionDenied("您没有新增农户的权限")
    data = request.POST if request.method == "POST" else None
    form = HouseholdCreateForm(data, user=user)
    formset = MemberFormSet(data, prefix="members", initial=[{"relation": Member.Relation.HEAD}])
    if data is not None and form.is_valid() and formset.is_valid():
        rows = formset.filled_forms()
        members = [member_fields(f) for _, f in rows]
        head = next(m for m in members if m["relation"] == Member.Relation.HEAD)
        fields = {name: form.cleaned_data[name] for name in HouseholdCreateForm.Meta.fields}
        try:
            household = services.household_create(
                actor=user, members=members, head_name=head["name"], **fields
            )
        except ValidationError as error:
            _apply_member_errors(form, formset, [index for index, _ in rows], error)
        else:
            messages.success(request, f"已新增{household.head_name}户，共{len(members)}人")
            return redirect("households:detail", pk=household.pk)
    return render(
        request,
        "households/household_form.html",
        {
            "form": form,
            "formset": formset,
            "title": "新增农户",
            "nav_active": "households",
            "crumbs": crumbs(("农户台账", reverse("households:list")), ("新增农户", "")),
        },
    )


def member_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in MemberForm.Meta.fields}


def _apply_member_errors(form, formset, row_of: list[int], error: ValidationError) -> None:
    """Map the service's ``members[i].field`` keys back onto the formset rows they came from.

    The one refusal the shared ``apply_service_error`` cannot place: it knows a form's
    fields, not the rows of a formset beside it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, field_errors in error.message_dict.items():
        if key.startswith("members["):
            index_text, _, field = key[len("members[") :].partition("]")
            field = field.lstrip(".")
            member_form = formset.forms[row_of[int(index_text)]]
            target = field if field in member_form.fields else None
            member_form.add_error(target, field_errors)
        else:
            form.add_error(key if key in form.fields else None, field_errors)


@login_required
def household_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = household_or_404(user, pk)
    require_editor(user)
    form = HouseholdForm(request.POST or None, instance=household, user=user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in HouseholdForm.Meta.fields}
        if run_service(form, services.household_update, actor=user, household=household, **fields):
            messages.success(request, "农户信息已保存")
            return redirect("households:detail", pk=household.pk)
    return render(
        request,
        "households/household_form.html",
        {
            "form": form,
            "household": household,
            "title": "修改农户信息",
            "nav_active": "households",
            "crumbs": household_crumbs(household, ("修改农户信息", "")),
        },
    )
