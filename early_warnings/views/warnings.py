"""Warnings in the towns and villages: the town inbox and assignment, the village inbox,
one warning with its verification and closing (三(四)2: pushed by the 15th)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from households.selectors import can_edit_registry
from organization.models import Role
from suixi_monitor.forms import run_action, run_service
from suixi_monitor.redirects import safe_next

from .. import forms, selectors, services
from ..models import Priority, State, period_label, previous_period
from .common import crumbs, get_or_404, paginate, period_param, require_roles


def _latest_period(user) -> str:
    latest = selectors.warning_list(user=user).order_by("-period").values_list("period", flat=True)
    return latest.first() or previous_period(timezone.localdate())


@login_required
def town_inbox(request: HttpRequest) -> HttpResponse:
    require_roles(request, Role.TOWN_OFFICIAL)
    user = request.user
    overdue_only = request.GET.get("overdue") == "1"
    period = "" if overdue_only else period_param(request, _latest_period(user))
    state = request.GET.get("state", "")
    priority = request.GET.get("priority", "")
    filters = selectors.WarningFilters(
        period=period,
        state=state if state in State.values else "",
        priority=priority if priority in Priority.values else "",
        village=int(request.GET["village"]) if request.GET.get("village", "").isdigit() else None,
        overdue=True if overdue_only else None,
    )
    warnings = selectors.warning_list(user=user, filters=filters).order_by(
        "state", "-priority", "village_id", "household_id"
    )
    clues = selectors.clue_list(
        user=user, filters=selectors.ClueFilters(overdue=True if overdue_only else None)
    ).exclude(state=State.CLOSED)
    months = selectors.town_months(user=user, current=previous_period(timezone.localdate()))
    shown = period or previous_period(timezone.localdate())
    due, push = selectors.due_dates(shown)
    return render(
        request,
        "early_warnings/town_inbox.html",
        {
            "page": paginate(request, warnings),
            "period": period,
            "period_label": period_label(period) if period else "",
            "months": months,
            "month": next((m for m in months if m.period == period), None),
            "due": due,
            "push": push,
            "overdue_only": overdue_only,
            "filters": filters,
            "states": State.choices,
            "counts": selectors.warning_list(
                user=user, filters=selectors.WarningFilters(period=period)
            )
            .values("state")
            .annotate(n=Count("pk"))
            .order_by(),
            "overdue_count": selectors.warning_list(user=user).filter(overdue=True).count(),
            "clues": clues[:100],
            "village_form": forms.VillageChoiceForm(user=user),
            "villages": forms.VillageChoiceForm(user=user).fields["village"].queryset,
            "nav_active": "warnings",
            "crumbs": crumbs(("本镇预警", "")),
        },
    )


@login_required
@require_POST
def warning_assign(request: HttpRequest, pk: int) -> HttpResponse:
    warning = get_or_404(selectors.warning_get, user=request.user, pk=pk)
    if run_action(request, services.item_assign, actor=request.user, item=warning):
        messages.success(request, f"已分派到{warning.village}。")
    return redirect(safe_next(request, reverse("early_warnings:town_inbox")))


@login_required
@require_POST
def warnings_assign_bulk(request: HttpRequest) -> HttpResponse:
    require_roles(request, Role.TOWN_OFFICIAL)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    items = list(selectors.warning_list(user=request.user).filter(pk__in=ids))
    if not ids or len(items) != len(set(ids)):
        messages.error(request, "请勾选本镇待分派的预警。")
    elif run_action(request, services.items_assign_bulk, actor=request.user, items=items):
        messages.success(request, f"已批量分派{len(items)}条预警到村。")
    return redirect(safe_next(request, reverse("early_warnings:town_inbox")))


@login_required
def village_inbox(request: HttpRequest) -> HttpResponse:
    require_roles(request, Role.VILLAGE_MONITOR)
    user = request.user
    open_states = [State.ASSIGNED, State.VERIFIED]
    return render(
        request,
        "early_warnings/village_inbox.html",
        {
            "warnings": selectors.warning_list(user=user)
            .filter(state__in=open_states)
            .order_by("state", "-priority", "household_id"),
            "clues": selectors.clue_list(user=user).filter(state__in=open_states),
            "closed_count": selectors.warning_list(user=user).filter(state=State.CLOSED).count(),
            "nav_active": "warnings",
            "crumbs": crumbs(("待核实预警", "")),
        },
    )


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    warning = get_or_404(selectors.warning_get, user=user, pk=pk)
    form = forms.VerifyForm(request.POST or None)
    may = selectors.item_permissions(user, warning)
    if (
        request.method == "POST"
        and may.verify
        and form.is_valid()
        and run_service(
            form, services.warning_verify, actor=user, warning=warning, **form.cleaned_data
        )
    ):
        messages.success(request, "核实结果已保存。")
        return redirect("early_warnings:warning_detail", pk)
    household_warnings = []
    if user.role != Role.DEPARTMENT_STAFF:
        household_warnings = (
            selectors.warning_list(user=user)
            .filter(household_id=warning.household_id, period=warning.period)
            .exclude(pk=warning.pk)
        )
    return render(
        request,
        "early_warnings/warning_detail.html",
        {
            "warning": warning,
            "form": form,
            "may": may,
            # 三(五) before the result is chosen: in scope or not, why, and what would change it.
            "verdict": warning.household.identification_scope() if may.verify else None,
            "can_edit_registry": may.verify and can_edit_registry(user, warning.household),
            "push_on": selectors.due_dates(warning.period)[1],
            "department_view": user.role == Role.DEPARTMENT_STAFF,
            "household_warnings": household_warnings,
            "nav_active": "warnings",
            "crumbs": crumbs((f"预警 #{warning.pk}", "")),
        },
    )


@login_required
@require_POST
def warning_close(request: HttpRequest, pk: int) -> HttpResponse:
    warning = get_or_404(selectors.warning_get, user=request.user, pk=pk)
    if run_action(request, services.item_close, actor=request.user, item=warning):
        messages.success(request, "已销号。")
    return redirect("early_warnings:warning_detail", pk)
