"""The ledger pages (三(十)), their exports and the export log, and the year-end assessment."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from households.views.common import MSG_NOT_FOUND
from organization.audit import record_id_search
from organization.models import Role
from organization.selectors import town_list, village_list
from suixi_monitor.downloads import XLSX

from . import services
from .forms import ExportLogFilterForm, LedgerFilterForm, LowIncomeFilterForm
from .models import LedgerExport, LedgerKind
from .selectors import (
    ExportLogFilters,
    LedgerFilters,
    assessment,
    columns,
    export_log,
    ledger_export_get,
    ledger_queryset,
    ledger_rows,
    may_read_assessment,
    may_read_export_log,
    may_read_ledgers,
)
from .selectors.assessment import MSG_NO_ASSESSMENT
from .selectors.ledgers import MSG_NO_LEDGER
from .selectors.low_income import (
    COLUMNS as LOW_INCOME_COLUMNS,
)
from .selectors.low_income import (
    MSG_NO_LIST,
    Group,
    LowIncomeFilters,
    low_income_queryset,
    low_income_rows,
    may_read_low_income,
)
from .selectors.low_income import (
    TITLE as LOW_INCOME_TITLE,
)

PAGE_SIZE = 50
FIRST_YEAR = 2021  # the policy (濉扶组〔2021〕6号) took effect in 2021


def _require_ledgers(user) -> None:
    if not may_read_ledgers(user):
        raise PermissionDenied(MSG_NO_LEDGER)


def _kind_or_404(kind: str) -> LedgerKind:
    if kind not in LedgerKind.values:
        raise Http404(MSG_NOT_FOUND)
    return LedgerKind(kind)


@login_required
def ledger_index(request: HttpRequest) -> HttpResponse:
    _require_ledgers(request.user)
    return render(
        request,
        "reports/ledger_index.html",
        {
            "kinds": LedgerKind.choices,
            "can_assess": may_read_assessment(request.user),
            "can_read_log": may_read_export_log(request.user),
            "can_read_low_income": may_read_low_income(request.user),
            "nav_active": "reports",
            "crumbs": [("台账与考核", "")],
        },
    )


@login_required
def ledger_page(request: HttpRequest, kind: str) -> HttpResponse:
    """One ledger, filtered and paginated: the count, one page of rows and their look-ups."""
    user = request.user
    _require_ledgers(user)
    kind = _kind_or_404(kind)
    form = LedgerFilterForm(request.GET or None, user=user, kind=kind)
    filters = form.filters() if request.GET else LedgerFilters()
    record_id_search(request, filters.q, where=kind.label)
    rows = ledger_queryset(user=user, kind=kind, filters=filters)
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(ledger_rows(list(page.object_list), kind=kind, user=user))
    return render(
        request,
        "reports/ledger.html",
        {
            "kind": kind,
            "form": form,
            "page": page,
            "header": [title for _, title in columns(kind)],
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "places": _places(user, filters),
            "sync_rows": settings.LEDGER_EXPORT_SYNC_ROWS,
            "nav_active": "reports",
            "crumbs": [("台账与考核", reverse("reports:index")), (kind.label, "")],
        },
    )


def _places(user, filters: LedgerFilters) -> list[tuple[str, dict]]:
    """Links one level down: the county's towns, or the chosen town's villages (one query)."""
    if filters.village:
        return []
    if filters.town or user.role == Role.TOWN_OFFICIAL:
        villages = village_list(user=user)
        if filters.town:
            villages = villages.filter(town_id=filters.town)
        return [
            (name, {"town": town, "village": pk})
            for pk, town, name in villages.order_by("code").values_list("pk", "town_id", "name")
        ]
    if user.role == Role.COUNTY_BUREAU:
        return [
            (name, {"town": pk})
            for pk, name in town_list(user=user).order_by("code").values_list("pk", "name")
        ]
    return []


@login_required
@require_POST
def ledger_export(request: HttpRequest, kind: str) -> HttpResponse:
    """Export what the page shows (its filters come with the form): the file at once when
    small, else a background job and its page."""
    user = request.user
    _require_ledgers(user)
    kind = _kind_or_404(kind)
    form = LedgerFilterForm(request.POST, user=user, kind=kind)
    started = services.ledger_export_start(
        actor=user, kind=kind, filters=form.filters(), requester=services.Requester.of(request)
    )
    if started.job is not None:
        return redirect("reports:export_job", pk=started.job.pk)
    return FileResponse(
        started.file, as_attachment=True, filename=started.filename, content_type=XLSX
    )


def _job_or_404(user, pk) -> LedgerExport:
    try:
        return ledger_export_get(user=user, pk=pk)
    except LedgerExport.DoesNotExist:
        raise Http404(MSG_NOT_FOUND) from None


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request.user, pk)
    return render(
        request,
        "reports/export_job.html",
        {
            "job": job,
            "nav_active": "reports",
            "crumbs": [
                ("台账与考核", reverse("reports:index")),
                (job.get_kind_display(), reverse("reports:ledger", args=[job.kind])),
                ("导出", ""),
            ],
        },
    )


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request.user, pk)
    if job.status != LedgerExport.Status.DONE or not job.file:
        raise Http404("文件尚未生成")
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.original_name, content_type=XLSX
    )


@login_required
def export_log_page(request: HttpRequest) -> HttpResponse:
    if not may_read_export_log(request.user):
        raise PermissionDenied("只有县扶贫局可以查看导出记录")
    form = ExportLogFilterForm(request.GET or None)
    filters = export_log_filters(form) if request.GET else None
    page = Paginator(export_log(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        # The audit log's own page: the same table, narrowed to exports.
        "organization/audit_log.html",
        {
            "title": "导出记录",
            "intro": "三(十) 台账及各类名单的每一次导出：谁、何时、哪本台账、筛选条件（查询条件）"
            "和行数。记录只增不改。",
            "form": form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "nav_active": "reports",
            "crumbs": [("台账与考核", reverse("reports:index")), ("导出记录", "")],
        },
    )


def export_log_filters(form: ExportLogFilterForm) -> ExportLogFilters:
    audit = form.filters()
    return ExportLogFilters(
        who=audit.who,
        ledger=form.cleaned_data.get("ledger", ""),  # filters() has cleaned the form
        date_from=audit.date_from,
        date_to=audit.date_to,
    )


def assessment_year(value: str | None) -> int:
    """The year asked for, within the years the policy has run (2021 to this year)."""
    this_year = timezone.localdate().year
    try:
        year = int(value or this_year)
    except ValueError:
        year = this_year
    return min(max(year, FIRST_YEAR), this_year)


@login_required
def assessment_page(request: HttpRequest) -> HttpResponse:
    if not may_read_assessment(request.user):
        raise PermissionDenied(MSG_NO_ASSESSMENT)
    year = assessment_year(request.GET.get("year"))
    table = assessment(user=request.user, year=year)
    return render(
        request,
        "reports/assessment.html",
        {
            "table": table,
            "rows": [(row, row.cells(table.columns)) for row in table.rows],
            "years": range(timezone.localdate().year, FIRST_YEAR - 1, -1),
            "nav_active": "reports",
            "crumbs": [("台账与考核", reverse("reports:index")), (f"{year}年度考核", "")],
        },
    )


@login_required
@require_POST
def assessment_export(request: HttpRequest) -> HttpResponse:
    year = assessment_year(request.POST.get("year"))
    file = services.assessment_export(
        actor=request.user, year=year, requester=services.Requester.of(request)
    )
    return FileResponse(
        file, as_attachment=True, filename=f"{year}年度考核表.xlsx", content_type=XLSX
    )


# --- the low-income population and the monitoring subjects -------------------------------


def _require_low_income(user) -> None:
    if not may_read_low_income(user):
        raise PermissionDenied(MSG_NO_LIST)


@login_required
def low_income_page(request: HttpRequest) -> HttpResponse:
    """Both records side by side: who is in both, who only in one and why; one page of rows
    and their look-ups in a fixed number of queries."""
    user = request.user
    _require_low_income(user)
    form = LowIncomeFilterForm(request.GET or None, user=user)
    filters = form.filters() if request.GET else LowIncomeFilters()
    record_id_search(request, filters.q, where=LOW_INCOME_TITLE)
    base = low_income_queryset(user=user, filters=filters)
    page = Paginator(base, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(low_income_rows(list(page.object_list), user=user))
    return render(
        request,
        "reports/low_income.html",
        {
            "title": LOW_INCOME_TITLE,
            "form": form,
            "page": page,
            "header": [title for _, title in LOW_INCOME_COLUMNS],
            "groups": Group,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "places": _places(user, LedgerFilters(town=filters.town, village=filters.village)),
            "detail_base": reverse("households:list"),
            "nav_active": "low_income",
            "crumbs": [(LOW_INCOME_TITLE, "")],
        },
    )


@login_required
@require_POST
def low_income_export(request: HttpRequest) -> HttpResponse:
    """What the page shows (its filters come with the form) as xlsx, logged."""
    user = request.user
    _require_low_income(user)
    form = LowIncomeFilterForm(request.POST, user=user)
    file, _ = services.low_income_export(
        actor=user, filters=form.filters(), requester=services.Requester.of(request)
    )
    filename = f"{LOW_INCOME_TITLE}_{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)
