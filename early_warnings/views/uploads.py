"""Department staff: upload the month's file, download the template and error report,
and see what became of their rows (三(四)2)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from organization.models import Department, PolicySettings, Role
from organization.selectors import department_directory
from suixi_monitor.forms import run_service

from .. import downloads, forms, selectors, services
from ..models import Result, State, period_start, period_validator, previous_period
from .common import crumbs, get_or_404, paginate, period_param, require_roles


@login_required
def department_home(request: HttpRequest) -> HttpResponse:
    """The department's home: this month's file (sent or not, due when) and what to do here."""
    require_roles(request, Role.DEPARTMENT_STAFF)
    today = timezone.localdate()
    return render(
        request,
        "early_warnings/department_home.html",
        {
            "file": selectors.department_file(user=request.user, period=previous_period(today)),
            "today": today,
            "departments": department_directory(user=request.user),
            "policy": PolicySettings.current(),
            "nav_active": "home",
        },
    )


@login_required
def upload_list(request: HttpRequest) -> HttpResponse:
    require_roles(request, Role.DEPARTMENT_STAFF, Role.COUNTY_BUREAU)
    user = request.user
    today = timezone.localdate()
    form = forms.UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        upload = run_service(form, services.upload_create, actor=user, **form.cleaned_data)
        if upload is not None:
            messages.success(request, "文件已上传，正在后台处理，完成后会通知您。")
            return redirect("early_warnings:upload_detail", upload.pk)
    outcomes = (
        selectors.warning_list(user=user)
        .values("period")
        .annotate(
            total=Count("pk"),
            pushed=Count("pk", filter=~Q(state=State.RECEIVED)),
            verified=Count("pk", filter=Q(state__in=[State.VERIFIED, State.CLOSED])),
            included=Count("pk", filter=Q(result=Result.INCLUDE)),
            monitored=Count("pk", filter=Q(result=Result.ALREADY_MONITORED)),
            no_risk=Count("pk", filter=Q(result=Result.NO_RISK)),
            referred=Count("pk", filter=Q(result=Result.REFERRED)),
            overdue=Count("pk", filter=Q(overdue=True)),
        )
        .order_by("-period")[:12]
    )
    return render(
        request,
        "early_warnings/upload_list.html",
        {
            "form": form,
            "file": selectors.department_file(user=user, period=previous_period(today)),
            "today": today,
            "late_due": _late_due(form["period"].value(), today),
            "page": paginate(request, selectors.upload_list(user=user)),
            "outcomes": outcomes,
            "policy": PolicySettings.current(),
            "indicators": selectors.indicator_list(user=user).filter(
                department=user.department, active=True
            )
            if user.department_id
            else [],
            "departments": Department.objects.all() if user.is_county else [],
            # 民政's roster of the low-income population has its own template.
            "roster_departments": Department.objects.filter(
                indicators__active=True, indicators__roster_status__gt=""
            ).distinct()
            if user.is_county or user.department_id
            else [],
            "nav_active": "warnings",
            "crumbs": crumbs(("上传预警信息", "")),
        },
    )


def _late_due(period, today) -> datetime.date | None:
    """The due day of the month chosen on the form, when it has passed (三(四)2)."""
    try:
        period_validator(str(period or ""))
        period_start(str(period))
    except ValidationError:
        return None
    due = selectors.due_dates(period)[0]
    return due if today > due else None


@login_required
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_or_404(selectors.upload_get, user=request.user, pk=pk)
    return render(
        request,
        "early_warnings/upload_detail.html",
        {
            "upload": upload,
            "errors": upload.errors[:500],
            "nav_active": "warnings",
            "crumbs": crumbs(
                ("上传预警信息", reverse("early_warnings:upload_list")), (upload.original_name, "")
            ),
        },
    )


@login_required
def upload_errors(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_or_404(selectors.upload_get, user=request.user, pk=pk)
    return downloads.error_report_response(request, upload)


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    require_roles(request, Role.DEPARTMENT_STAFF, Role.COUNTY_BUREAU)
    if request.user.role == Role.DEPARTMENT_STAFF:
        department = request.user.department
    else:
        department = Department.objects.filter(pk=request.GET.get("department") or 0).first()
        if department is None:
            raise Http404
    roster = request.GET.get("kind") == "roster"
    if roster and not department.indicators.filter(active=True).exclude(roster_status="").exists():
        raise Http404("本部门没有低收入人口名册指标")
    return downloads.template_response(department, roster=roster)


@login_required
def department_warnings(request: HttpRequest) -> HttpResponse:
    """What became of a department's rows, without the household behind them."""
    require_roles(request, Role.DEPARTMENT_STAFF)
    filters = selectors.WarningFilters(
        period=period_param(request, ""),
        state=request.GET.get("state", "") if request.GET.get("state") in State.values else "",
    )
    qs = selectors.warning_list(user=request.user, filters=filters).order_by(
        "-period", "row_number"
    )
    return render(
        request,
        "early_warnings/department_warnings.html",
        {
            "page": paginate(request, qs),
            "filters": filters,
            "states": State.choices,
            "nav_active": "warnings",
            "crumbs": crumbs(("预警去向", "")),
        },
    )
