"""The county bureau's month at a glance: departments on time, towns verifying, clues."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from organization.models import Role

from .. import selectors
from ..models import Priority, State, Warning, period_label, previous_period
from .common import crumbs, period_param, require_roles


@login_required
def county(request: HttpRequest) -> HttpResponse:
    require_roles(request, Role.COUNTY_BUREAU)
    today = timezone.localdate()
    period = period_param(request, previous_period(today))
    due, push = selectors.due_dates(period)
    rows = selectors.county_month_report(user=request.user, period=period)
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
            "missing_sweeps": selectors.departments_missing_sweep(day=today),
            "sweeps": selectors.sweep_list(user=request.user)[:10],
            "nav_active": "warnings",
            "crumbs": crumbs(("全县预警调度", "")),
        },
    )
