"""Departments' quarterly sweeps (三(四)1: at least once a quarter)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from organization.models import Role
from suixi_monitor.forms import run_service

from .. import forms, selectors, services
from .common import crumbs, paginate


@login_required
def sweeps(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_record = user.role in {Role.DEPARTMENT_STAFF, Role.COUNTY_BUREAU}
    form = forms.SweepForm(request.POST or None, user=user) if can_record else None
    if (
        request.method == "POST"
        and form is not None
        and form.is_valid()
        and run_service(form, services.sweep_record, actor=user, **form.cleaned_data)
    ):
        messages.success(request, "排查情况已登记。")
        return redirect("early_warnings:sweeps")
    return render(
        request,
        "early_warnings/sweeps.html",
        {
            "form": form,
            "page": paginate(request, selectors.sweep_list(user=user)),
            "missing": selectors.departments_missing_sweep(day=timezone.localdate())
            if user.is_county
            else [],
            "nav_active": "warnings",
            "crumbs": crumbs(("部门季度排查", "")),
        },
    )
