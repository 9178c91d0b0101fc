"""``/api/ledgers/<kind>/export/`` (三(十)), ``/api/export-log/`` and ``/api/assessments/``."""

from __future__ import annotations

import django_filters
from django.http import FileResponse, Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from households import id_numbers
from households.models import LowIncomeStatus, MonitoringSubject
from organization.api import AuditEntrySerializer, ReviewsAuditLog
from organization.audit import record_id_search
from organization.filters import AuditEntryFilter
from organization.selectors import town_list, village_list
from suixi_monitor.api import Pagination, error_responses
from suixi_monitor.downloads import XLSX

from . import services
from .models import LedgerExport, LedgerKind
from .selectors import (
    LEDGER_TITLES,
    ExportLogFilters,
    LedgerFilters,
    RegistryStatus,
    assessment,
    export_log,
    ledger_export_get,
    may_read_assessment,
    may_read_ledgers,
)
from .selectors.assessment import MSG_NO_ASSESSMENT
from .selectors.ledgers import MSG_NO_LEDGER
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
from .views import assessment_year

MSG_NOT_FOUND = "不存在，或不在本人管辖范围内。"
STATUS_CHOICES = [*MonitoringSubject.Status.choices, (RegistryStatus.NEVER, "未纳入监测")]


class ReadsLedgers(permissions.BasePermission):
    message = MSG_NO_LEDGER

    def has_permission(self, request, view) -> bool:
        return may_read_ledgers(request.user)


class LedgerFiltersSerializer(serializers.Serializer):
    """What the ledger page filters by; a town or village outside the user's scope is refused."""

    town = serializers.IntegerField(required=False, allow_null=True, help_text="镇（园区）ID")
    village = serializers.IntegerField(required=False, allow_null=True, help_text="村ID")
    category = serializers.ChoiceField(
        choices=MonitoringSubject.Category.choices, required=False, allow_blank=True
    )
    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False, allow_blank=True)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="户主或成员姓名、身份证号"
    )

    def validate_town(self, value):
        if value is not None and not town_list(user=self.context["user"]).filter(pk=value).exists():
            raise serializers.ValidationError("该镇（园区）不存在或不在本人管辖范围内")
        return value

    def validate_village(self, value):
        if (
            value is not None
            and not village_list(user=self.context["user"]).filter(pk=value).exists()
        ):
            raise serializers.ValidationError("该村不存在或不在本人管辖范围内")
        return value

    def validate_q(self, value):
        if id_numbers.looks_like_float(value):
            raise serializers.ValidationError(id_numbers.MSG_FLOAT)
        return value

    def filters(self) -> LedgerFilters:
        data = self.validated_data
        return LedgerFilters(
            town=data.get("town"),
            village=data.get("village"),
            category=data.get("category") or "",
            status=data.get("status") or "",
            q=data.get("q") or "",
        )


class LedgerExportSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = LedgerExport
        fields = [
            "id", "kind", "kind_display", "filters", "filters_label", "status", "progress",
            "rows_total", "size", "original_name", "uploaded_at", "finished_at", "file_error",
            "download",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download(self, job: LedgerExport) -> str | None:
        """The file's address once written (only its requester may fetch it)."""
        if job.status != LedgerExport.Status.DONE:
            return None
        return self.context["request"].build_absolute_uri(
            f"/api/ledgers/{job.kind}/export/{job.pk}/file/"
        )


KIND_PARAM = OpenApiParameter(
    "kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=LedgerKind.values,
    description="unstable 脱贫不稳定户, marginal 边缘易致贫户, sudden 突发严重困难户, "
    "exits 退出（已备案）, registry 全部农户",
)  # fmt: skip
JOB_PARAM = OpenApiParameter("job", OpenApiTypes.INT, required=True, description="导出任务ID")


def _kind(kind: str) -> str:
    if kind not in LedgerKind.values:
        raise Http404(MSG_NOT_FOUND)
    return kind


def _job(request, kind: str, pk) -> LedgerExport:
    try:
        job = ledger_export_get(user=request.user, pk=pk)
    except (LedgerExport.DoesNotExist, ValueError, TypeError):
        raise Http404(MSG_NOT_FOUND) from None
    if job.kind != kind:
        raise Http404(MSG_NOT_FOUND)
    return job


class LedgerExportView(APIView):
    """台账导出 (三(十)): the ledger with the page's filters, as xlsx.

    POST exports: up to ``LEDGER_EXPORT_SYNC_ROWS`` rows the answer is the file (200); above
    it a background job is queued and described (202): poll GET ``?job=<id>`` until
    ``status`` is ``done``, then fetch ``download``. Every export is logged (导出记录)."""

    permission_classes = [permissions.IsAuthenticated, ReadsLedgers]

    @extend_schema(
        summary="导出台账（小文件直接下载，大文件后台生成）",
        parameters=[KIND_PARAM],
        request=LedgerFiltersSerializer,
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            202: LedgerExportSerializer,
            **error_responses(
                bad_request="筛选条件无效，或镇、村不在本人管辖范围内。",
                forbidden="县直部门人员不查看台账。",
                not_found="没有这种台账。",
            ),
        },
    )
    def post(self, request, kind: str):
        kind = _kind(kind)
        serializer = LedgerFiltersSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        started = services.ledger_export_start(
            actor=request.user,
            kind=kind,
            filters=serializer.filters(),
            requester=services.Requester.of(request),
        )
        if started.job is None:
            return FileResponse(
                started.file, as_attachment=True, filename=started.filename, content_type=XLSX
            )
        body = LedgerExportSerializer(started.job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="台账导出任务的进度",
        parameters=[KIND_PARAM, JOB_PARAM],
        responses={
            200: LedgerExportSerializer,
            **error_responses(
                bad_request="缺少 job 参数。",
                forbidden="县直部门人员不查看台账。",
                not_found="任务不存在，或不是本人发起的导出。",
            ),
        },
    )
    def get(self, request, kind: str):
        kind = _kind(kind)
        if not request.query_params.get("job"):
            raise serializers.ValidationError({"job": ["请给出导出任务ID（job）"]})
        job = _job(request, kind, request.query_params["job"])
        return Response(LedgerExportSerializer(job, context={"request": request}).data)


class LedgerExportFileView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadsLedgers]

    @extend_schema(
        summary="下载已生成的台账文件（仅限导出人）",
        parameters=[KIND_PARAM],
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            **error_responses(
                forbidden="县直部门人员不查看台账。",
                not_found="文件不存在、尚未生成，或不是本人发起的导出。",
            ),
        },
    )
    def get(self, request, kind: str, pk: int):
        job = _job(request, _kind(kind), pk)
        if job.status != LedgerExport.Status.DONE or not job.file:
            raise Http404("文件尚未生成")
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.original_name, content_type=XLSX
        )


class ExportLogFilter(AuditEntryFilter):
    """The audit log's filters (user, who, dates) and which ledger; the kind is always export."""

    ledger = django_filters.ChoiceFilter(
        choices=list(LEDGER_TITLES.items()), label="台账（或 assessment 年终考核表）"
    )

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return export_log(
            user=self.request.user,
            filters=ExportLogFilters(
                user=data.get("user"),
                who=data.get("who") or "",
                ledger=data.get("ledger") or "",
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
            ),
        )


del ExportLogFilter.base_filters["kind"]  # every entry of the export log is an export


@extend_schema(summary="导出记录（县扶贫局）")
class ExportLogViewSet(viewsets.ReadOnlyModelViewSet):
    """Every export of personal data: who, when, which ledger, the filters (``detail``) and
    how many rows, newest first. Entries of the append-only audit log (``kind`` export)."""

    serializer_class = AuditEntrySerializer
    permission_classes = [permissions.IsAuthenticated, ReviewsAuditLog]
    filterset_class = ExportLogFilter

    def get_queryset(self):
        return export_log(user=self.request.user)


class AssessmentColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    clause = serializers.CharField(help_text="该数字所对应的政策条款")


class AssessmentRowSerializer(serializers.Serializer):
    town_id = serializers.IntegerField(allow_null=True, help_text="全县合计行为 null")
    name = serializers.CharField()
    figures = serializers.DictField(help_text="列 key → 数值")


class AssessmentSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    columns = AssessmentColumnSerializer(many=True)
    rows = AssessmentRowSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class ReadsAssessment(permissions.BasePermission):
    message = MSG_NO_ASSESSMENT

    def has_permission(self, request, view) -> bool:
        return may_read_assessment(request.user)


class AssessmentView(APIView):
    """年终考核 (三(九)): per town, the figures side by side, each with its policy clause."""

    permission_classes = [permissions.IsAuthenticated, ReadsAssessment]

    @extend_schema(
        summary="年终考核表（县：全部镇；镇：本镇）",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="年度，默认今年")],
        responses={
            200: AssessmentSerializer,
            **error_responses(
                forbidden="年终考核表由县扶贫局和镇（园区）干部查看。", not_found=None
            ),
        },
    )
    def get(self, request):
        table = assessment(
            user=request.user, year=assessment_year(request.query_params.get("year"))
        )
        return Response(AssessmentSerializer(table).data)


# --- the low-income population and the monitoring subjects ------------------------------


class ReadsLowIncome(permissions.BasePermission):
    message = MSG_NO_LIST

    def has_permission(self, request, view) -> bool:
        return may_read_low_income(request.user)


class LowIncomeFiltersSerializer(LedgerFiltersSerializer):
    """The list's filters; a town or village outside the user's scope is refused."""

    category = None
    status = None
    kind = serializers.ChoiceField(
        choices=LowIncomeStatus.Kind.choices,
        required=False,
        allow_blank=True,
        help_text="现有低收入人口身份：dibao 低保, tekun 特困, dibao_marginal 低保边缘, "
        "rigid_expense 刚性支出困难",
    )
    group = serializers.ChoiceField(
        choices=Group.choices,
        required=False,
        allow_blank=True,
        help_text="both 在两者, low_income_only 仅低收入人口, subject_only 仅监测对象",
    )

    def filters(self) -> LowIncomeFilters:
        data = self.validated_data
        return LowIncomeFilters(
            town=data.get("town"),
            village=data.get("village"),
            kind=data.get("kind") or "",
            group=data.get("group") or "",
            q=data.get("q") or "",
        )


class LowIncomeRowSerializer(serializers.Serializer):
    household = serializers.IntegerField(source="household_id", help_text="农户ID")
    town_name = serializers.CharField(source="cells.town")
    village_name = serializers.CharField(source="cells.village")
    head_name = serializers.CharField(source="cells.head_name")
    id_number = serializers.CharField(
        source="cells.id_number", help_text="户主身份证号（无权查看全号者为部分隐藏）"
    )
    group = serializers.ChoiceField(source="cells.group_key", choices=Group.choices)
    group_display = serializers.CharField(source="cells.group")
    statuses = serializers.ListField(
        source="cells.kinds",
        child=serializers.ChoiceField(choices=LowIncomeStatus.Kind.choices),
        help_text="现有低收入人口身份",
    )
    statuses_display = serializers.CharField(source="cells.statuses")
    category = serializers.CharField(source="cells.category", help_text="监测中的类别，未监测为空")
    subject_state = serializers.CharField(source="cells.subject_state")
    status_2020 = serializers.CharField(source="cells.status_2020")
    why = serializers.CharField(source="cells.why", help_text="在两者、仅在其一的原因")


class LowIncomePageSerializer(serializers.Serializer):
    """One page of the list, as every list of the API pages (``page``, ``page_size``)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LowIncomeRowSerializer(many=True)


def _low_income_filters(request, data) -> LowIncomeFilters:
    serializer = LowIncomeFiltersSerializer(data=data, context={"user": request.user})
    serializer.is_valid(raise_exception=True)
    return serializer.filters()


class LowIncomeListView(APIView):
    """低收入人口与监测对象名单: the low-income population (民政) and the monitoring subjects
    together, scoped as every household read (the county all, a town its villages, a
    monitor the village): who is in both, who only in one, and why."""

    permission_classes = [permissions.IsAuthenticated, ReadsLowIncome]

    @extend_schema(
        summary="低收入人口与监测对象名单",
        parameters=[
            LowIncomeFiltersSerializer,
            OpenApiParameter("page", OpenApiTypes.INT, description="页码"),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="每页行数（至多200）"),
        ],
        responses={
            200: LowIncomePageSerializer,
            **error_responses(
                bad_request="筛选条件无效，或镇、村不在本人管辖范围内。",
                forbidden="县直部门人员和帮扶人不查看该名单。",
                not_found="页码超出范围。",
            ),
        },
    )
    def get(self, request):
        filters = _low_income_filters(request, request.query_params)
        record_id_search(request, filters.q, where=LOW_INCOME_TITLE)
        paginator = Pagination()
        base = low_income_queryset(user=request.user, filters=filters)
        page = paginator.paginate_queryset(base, request, view=self)
        rows = list(low_income_rows(page, user=request.user))
        return paginator.get_paginated_response(LowIncomeRowSerializer(rows, many=True).data)


class LowIncomeExportView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadsLowIncome]

    @extend_schema(
        summary="导出低收入人口与监测对象名单（xlsx，记入导出记录）",
        request=LowIncomeFiltersSerializer,
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            **error_responses(
                bad_request="筛选条件无效，或镇、村不在本人管辖范围内。",
                forbidden="县直部门人员和帮扶人不查看该名单。",
                not_found=None,
            ),
        },
    )
    def post(self, request):
        filters = _low_income_filters(request, request.data)
        file, _ = services.low_income_export(
            actor=request.user,
            filters=filters,
            requester=services.Requester.of(request),
        )
        return FileResponse(
            file, as_attachment=True, filename=f"{LOW_INCOME_TITLE}.xlsx", content_type=XLSX
        )


router = SimpleRouter()
router.register("export-log", ExportLogViewSet, basename="export-log")

api_patterns = [
    path("ledgers/<str:kind>/export/", LedgerExportView.as_view(), name="ledger-export"),
    path(
        "ledgers/<str:kind>/export/<int:pk>/file/",
        LedgerExportFileView.as_view(),
        name="ledger-export-file",
    ),
    path("assessments/", AssessmentView.as_view(), name="assessments"),
    path("low-income/", LowIncomeListView.as_view(), name="low-income"),
    path("low-income/export/", LowIncomeExportView.as_view(), name="low-income-export"),
]
