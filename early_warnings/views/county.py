"""The county bureau's month at a glance: departments on time, towns verifying, clues."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from organization.models import Role
from organization.selectors import town_list
from suixi_monitor.forms import run_action

from .. import selectors, services
from ..models import Priority, State, Warning, period_label, previous_period
from .common import crumbs, period_param, require_roles


@login_required
def county(request: HttpRequest) -> HttpResponse:
    require_roles(request, Role.COUNTY_BUREAU)
    today = timezone.localdate()
    period = period_param(request, previous_period(today))
    due, push = selectors.due_dates(period)
    town = int(request.GET["town"]) if request.GET.get("town", "").isdigit() else None
    rows = selectors.county_month_report(user=request.user, period=period, town=town)
    clues = selectors.clue_list(user=request.user)
    return render(
        request,
        "early_warnings/county.html",
        {
            "period": period,
            "period_label": period_label(period),
            "due": due,
            "push": push,
            "rows": rows,
            "totals": {
                "warnings": sum(r.warnings for r in rows),
                "verified": sum(r.verified for r in rows),
                "overdue": sum(r.overdue for r in rows),
                "late": sum(1 for r in rows if r.late_flagged or r.on_time is False),
            },
            "red": Warning.objects.filter(period=period, priority=Priority.RED)
            .values("household_id")
            .distinct()
            .count(),
            "clue_counts": [
                (row["state"], State(row["state"]).label, row["n"])
                for row in clues.filter(period=period)
                .values("state")
                .annotate(n=Count("pk"))
                .order_by("state")
            ],
            "county_clues": clues.filter(town__isnull=True, state=State.RECEIVED).count(),
            "waiting": selectors.received_count(user=request.user, period=period),
            "today": today,
            "town": town_list(user=request.user).filter(pk=town).first() if town else None,
            "missing_sweeps": selectors.departments_missing_sweep(day=today),
            "sweeps": selectors.sweep_list(user=request.user)[:10],
            "nav_active": "warnings",
            "crumbs": crumbs(("全县预警调度", "")),
        },
    )


@login_required
@require_POST
def push_now(request: HttpRequest) -> HttpResponse:
    """立即推送: the bureau sends a month's written warnings to the towns now (三(四)2)."""
    require_roles(request, Role.COUNTY_BUREAU)
    period = request.POST.get("period", "")
    result: list[int] = []
    if run_action(
        request,
        lambda: result.append(services.period_push_now(actor=request.user, period=period)),
    ):
        messages.success(
            request, f"已将{period_label(period)}的{result[0]}条预警和线索推送到各镇。"
        )
    return redirect(reverse("early_warnings:county") + f"?period={period}")
