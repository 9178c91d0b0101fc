"""Pages for department warnings: thin views over the selectors and services.

Department staff upload and follow their rows; the town assigns; the village verifies;
the county watches the month. Another scope's object is a 404, as in the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from organization.models import Department, Role
from suixi_monitor.exceptions import ApplicationError

from .. import api, forms, selectors, services
from ..models import (
    Clue,
    Priority,
    Result,
    State,
    Upload,
    Warning,
    period_label,
    period_validator,
    previous_period,
)

PAGE_SIZE = 50


def _roles(request: HttpRequest, *roles: str) -> None:
    if request.user.role not in roles:
        raise PermissionDenied("您的角色不能使用此页面")


def _page(request: HttpRequest, qs) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _get_or_404(getter: Callable, **kwargs):
    try:
        return getter(**kwargs)
    except (Warning.DoesNotExist, Clue.DoesNotExist, Upload.DoesNotExist, ValueError):
        raise Http404 from None


def _run(request: HttpRequest, form, action: Callable[[], Any]) -> bool:
    """Call a service; its refusal becomes a form error (or a message when there is no form)."""
    try:
        action()
        return True
    except ValidationError as error:
        if form is None:
            messages.error(request, "；".join(error.messages))
        elif hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
    except ApplicationError as error:
        if form is None:
            messages.error(request, error.message)
        else:
            form.add_error(None, error.message)
    return False


def _period_param(request: HttpRequest, default: str) -> str:
    period = request.GET.get("period", "").strip()
    try:
        period_validator(period)
    except ValidationError:
        return default
    return period


def _crumbs(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    return [("部门预警", reverse("early_warnings:home")), *pairs]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    target = {
        Role.DEPARTMENT_STAFF: "early_warnings:upload_list",
        Role.TOWN_OFFICIAL: "early_warnings:town_inbox",
        Role.VILLAGE_MONITOR: "early_warnings:village_inbox",
        Role.COUNTY_BUREAU: "early_warnings:county",
    }.get(request.user.role)
    if target is None:
        raise PermissionDenied("您的角色不能使用预警功能")
    return redirect(target)


# --- department staff -----------------------------------------------------------------------


@login_required
def upload_list(request: HttpRequest) -> HttpResponse:
    _roles(request, Role.DEPARTMENT_STAFF, Role.COUNTY_BUREAU)
    user = request.user
    form = forms.UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        holder: dict[str, Upload] = {}

        def create() -> None:
            holder["upload"] = services.upload_create(
                actor=user,
                period=form.cleaned_data["period"],
                file=form.cleaned_data["file"],
                department=form.cleaned_data.get("department"),
            )

        if _run(request, form, create):
            messages.success(request, "文件已上传，正在后台处理，完成后会通知您。")
            return redirect("early_warnings:upload_detail", holder["upload"].pk)
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
            overdue=Count("pk", filter=Q(overdue=True)),
        )
        .order_by("-period")[:12]
    )
    return render(
        request,
        "early_warnings/upload_list.html",
        {
            "form": form,
            "page": _page(request, selectors.upload_list(user=user)),
            "outcomes": outcomes,
            "indicators": selectors.indicator_list(user=user).filter(
                department=user.department, active=True
            )
            if user.department_id
            else [],
            "departments": Department.objects.all() if user.is_county else [],
            "nav_active": "warnings",
            "crumbs": _crumbs(("上传预警信息", "")),
        },
    )


@login_required
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _get_or_404(selectors.upload_get, user=request.user, pk=pk)
    return render(
        request,
        "early_warnings/upload_detail.html",
        {
            "upload": upload,
            "errors": upload.errors[:500],
            "nav_active": "warnings",
            "crumbs": _crumbs(
                ("上传预警信息", reverse("early_warnings:upload_list")), (upload.original_name, "")
            ),
        },
    )


@login_required
def upload_errors(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _get_or_404(selectors.upload_get, user=request.user, pk=pk)
    return api.error_report_response(upload)


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    _roles(request, Role.DEPARTMENT_STAFF, Role.COUNTY_BUREAU)
    if request.user.role == Role.DEPARTMENT_STAFF:
        department = request.user.department
    else:
        department = Department.objects.filter(pk=request.GET.get("department") or 0).first()
        if department is None:
            raise Http404
    return api._template_response(department)


@login_required
def department_warnings(request: HttpRequest) -> HttpResponse:
    """What became of a department's rows, without the household behind them."""
    _roles(request, Role.DEPARTMENT_STAFF)
    filters = selectors.WarningFilters(
        period=_period_param(request, ""),
        state=request.GET.get("state", "") if request.GET.get("state") in State.values else "",
    )
    qs = selectors.warning_list(user=request.user, filters=filters).order_by(
        "-period", "row_number"
    )
    return render(
        request,
        "early_warnings/department_warnings.html",
        {
            "page": _page(request, qs),
            "filters": filters,
            "states": State.choices,
            "nav_active": "warnings",
            "crumbs": _crumbs(("预警去向", "")),
        },
    )


# --- town official --------------------------------------------------------------------------


def _latest_period(user) -> str:
    latest = selectors.warning_list(user=user).order_by("-period").values_list("period", flat=True)
    return latest.first() or previous_period(timezone.localdate())


@login_required
def town_inbox(request: HttpRequest) -> HttpResponse:
    _roles(request, Role.TOWN_OFFICIAL)
    user = request.user
    overdue_only = request.GET.get("overdue") == "1"
    period = "" if overdue_only else _period_param(request, _latest_period(user))
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
    periods = (
        selectors.warning_list(user=user)
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()[:12]
    )
    return render(
        request,
        "early_warnings/town_inbox.html",
        {
            "page": _page(request, warnings),
            "period": period,
            "period_label": period_label(period) if period else "",
            "periods": [(p, period_label(p)) for p in periods],
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
            "crumbs": _crumbs(("本镇预警", "")),
        },
    )


@login_required
@require_POST
def warning_assign(request: HttpRequest, pk: int) -> HttpResponse:
    warning = _get_or_404(selectors.warning_get, user=request.user, pk=pk)
    if _run(request, None, lambda: services.item_assign(actor=request.user, item=warning)):
        messages.success(request, f"已分派到{warning.village}。")
    return redirect(request.POST.get("next") or reverse("early_warnings:town_inbox"))


@login_required
@require_POST
def warnings_assign_bulk(request: HttpRequest) -> HttpResponse:
    _roles(request, Role.TOWN_OFFICIAL)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    items = list(selectors.warning_list(user=request.user).filter(pk__in=ids))
    if not ids or len(items) != len(set(ids)):
        messages.error(request, "请勾选本镇待分派的预警。")
    elif _run(request, None, lambda: services.items_assign_bulk(actor=request.user, items=items)):
        messages.success(request, f"已批量分派{len(items)}条预警到村。")
    return redirect(request.POST.get("next") or reverse("early_warnings:town_inbox"))


# --- village monitor ------------------------------------------------------------------------


@login_required
def village_inbox(request: HttpRequest) -> HttpResponse:
    _roles(request, Role.VILLAGE_MONITOR)
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
            "crumbs": _crumbs(("待核实预警", "")),
        },
    )


# --- one warning ----------------------------------------------------------------------------


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    warning = _get_or_404(selectors.warning_get, user=user, pk=pk)
    form = forms.VerifyForm(request.POST or None)
    can_verify = warning.state == State.ASSIGNED and user.role in {
        Role.VILLAGE_MONITOR,
        Role.TOWN_OFFICIAL,
    }
    if request.method == "POST" and can_verify and form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            form,
            lambda: services.warning_verify(
                actor=user,
                warning=warning,
                result=data["result"],
                reason=data["reason"],
                risk_types=data["risk_types"],
            ),
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
            "can_verify": can_verify,
            "can_assign": warning.state == State.PUSHED and user.role == Role.TOWN_OFFICIAL,
            "can_close": warning.state == State.VERIFIED
            and user.role in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU},
            "department_view": user.role == Role.DEPARTMENT_STAFF,
            "household_warnings": household_warnings,
            "nav_active": "warnings",
            "crumbs": _crumbs((f"预警 #{warning.pk}", "")),
        },
    )


@login_required
@require_POST
def warning_close(request: HttpRequest, pk: int) -> HttpResponse:
    warning = _get_or_404(selectors.warning_get, user=request.user, pk=pk)
    if _run(request, None, lambda: services.item_close(actor=request.user, item=warning)):
        messages.success(request, "已销号。")
    return redirect("early_warnings:warning_detail", pk)


# --- clues ----------------------------------------------------------------------------------


@login_required
def clue_list(request: HttpRequest) -> HttpResponse:
    _roles(request, Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL, Role.VILLAGE_MONITOR)
    county_only = request.GET.get("county") == "1"
    filters = selectors.ClueFilters(
        state=request.GET.get("state", "") if request.GET.get("state") in State.values else "",
        county_only=county_only,
    )
    return render(
        request,
        "early_warnings/clue_list.html",
        {
            "page": _page(request, selectors.clue_list(user=request.user, filters=filters)),
            "filters": filters,
            "states": State.choices,
            "can_create": request.user.role in {Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL},
            "nav_active": "warnings",
            "crumbs": _crumbs(("协防线索", "")),
        },
    )


@login_required
def clue_new(request: HttpRequest) -> HttpResponse:
    _roles(request, Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL)
    form = forms.ClueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        holder: dict[str, Clue] = {}
        data = form.cleaned_data

        def create() -> None:
            holder["clue"] = services.clue_create(
                actor=request.user,
                source=data["source"],
                name=data["name"],
                description=data["description"],
                town=data.get("town"),
                village=data.get("village"),
                id_number=data.get("id_number", ""),
                phone=data.get("phone", ""),
                address=data.get("address", ""),
            )

        if _run(request, form, create):
            messages.success(request, "线索已登记。")
            return redirect("early_warnings:clue_detail", holder["clue"].pk)
    return render(
        request,
        "early_warnings/clue_form.html",
        {
            "form": form,
            "nav_active": "warnings",
            "crumbs": _crumbs(("协防线索", reverse("early_warnings:clue_list")), ("登记线索", "")),
        },
    )


@login_required
def clue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    clue = _get_or_404(selectors.clue_get, user=user, pk=pk)
    verify_form = forms.ClueVerifyForm(
        request.POST if request.POST.get("do") == "verify" else None, user=user
    )
    assign_form = forms.VillageChoiceForm(
        request.POST if request.POST.get("do") == "assign" else None,
        user=user,
        initial={"village": clue.village_id},
    )
    route_form = forms.RouteForm(request.POST if request.POST.get("do") == "route" else None)
    action = request.POST.get("do")
    done = False
    if action == "verify" and verify_form.is_valid():
        data = verify_form.cleaned_data
        done = _run(
            request,
            verify_form,
            lambda: services.clue_verify(
                actor=user,
                clue=clue,
                result=data["result"],
                reason=data["reason"],
                household=data.get("household"),
            ),
        )
    elif action == "assign" and assign_form.is_valid():
        done = _run(
            request,
            assign_form,
            lambda: services.item_assign(
                actor=user, item=clue, village=assign_form.cleaned_data["village"]
            ),
        )
    elif action == "route" and route_form.is_valid():
        data = route_form.cleaned_data
        done = _run(
            request,
            route_form,
            lambda: services.clue_route(
                actor=user, clue=clue, town=data["town"], village=data.get("village")
            ),
        )
    elif action == "close":
        done = _run(request, None, lambda: services.item_close(actor=user, item=clue))
    if done:
        messages.success(request, "已保存。")
        return redirect("early_warnings:clue_detail", pk)
    return render(
        request,
        "early_warnings/clue_detail.html",
        {
            "clue": clue,
            "verify_form": verify_form,
            "assign_form": assign_form,
            "route_form": route_form,
            "can_verify": clue.state == State.ASSIGNED
            and user.role in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL},
            "can_assign": clue.state == State.PUSHED and user.role == Role.TOWN_OFFICIAL,
            "can_route": clue.state == State.RECEIVED and user.role == Role.COUNTY_BUREAU,
            "can_close": clue.state == State.VERIFIED
            and user.role in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU},
            "nav_active": "warnings",
            "crumbs": _crumbs(("协防线索", reverse("early_warnings:clue_list")), (clue.name, "")),
        },
    )


# --- county bureau --------------------------------------------------------------------------


@login_required
def county(request: HttpRequest) -> HttpResponse:
    _roles(request, Role.COUNTY_BUREAU)
    today = timezone.localdate()
    period = _period_param(request, previous_period(today))
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
            "crumbs": _crumbs(("全县预警调度", "")),
        },
    )


# --- sweeps ---------------------------------------------------------------------------------


@login_required
def sweeps(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_record = user.role in {Role.DEPARTMENT_STAFF, Role.COUNTY_BUREAU}
    form = forms.SweepForm(request.POST or None, user=user) if can_record else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            form,
            lambda: services.sweep_record(
                actor=user,
                carried_out_on=data["carried_out_on"],
                scope=data["scope"],
                findings=data["findings"],
                households_checked=data["households_checked"],
                department=data.get("department"),
            ),
        ):
            messages.success(request, "排查情况已登记。")
            return redirect("early_warnings:sweeps")
    return render(
        request,
        "early_warnings/sweeps.html",
        {
            "form": form,
            "page": _page(request, selectors.sweep_list(user=user)),
            "missing": selectors.departments_missing_sweep(day=timezone.localdate())
            if user.is_county
            else [],
            "nav_active": "warnings",
            "crumbs": _crumbs(("部门季度排查", "")),
        },
    )


# --- indicators -----------------------------------------------------------------------------


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "early_warnings/indicator_list.html",
        {
            "indicators": selectors.indicator_list(user=request.user),
            "can_edit": request.user.is_county,
            "nav_active": "warnings",
            "crumbs": _crumbs(("预警指标", "")),
        },
    )


@login_required
def indicator_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The county bureau keeps each department's indicators (thresholds are data, DESIGN §3)."""
    _roles(request, Role.COUNTY_BUREAU)
    indicator = None
    if pk is not None:
        indicator = selectors.indicator_list(user=request.user).filter(pk=pk).first()
        if indicator is None:
            raise Http404
    form = forms.IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if _run(
            request,
            form,
            lambda: services.indicator_save(actor=request.user, indicator=indicator, **fields),
        ):
            messages.success(request, "预警指标已保存。")
            return redirect("early_warnings:indicators")
    return render(
        request,
        "early_warnings/indicator_form.html",
        {
            "form": form,
            "indicator": indicator,
            "nav_active": "warnings",
            "crumbs": _crumbs(
                ("预警指标", reverse("early_warnings:indicators")),
                (str(indicator) if indicator else "新增指标", ""),
            ),
        },
    )
