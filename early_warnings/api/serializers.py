"""REST for department warnings (STYLE.md rule 6): scoped selectors in, services out.

``/api/indicators/``, ``/api/uploads/`` (+ ``/errors/``), ``/api/warnings/`` (filters and the
``assign``/``verify``/``close`` actions), ``/api/clues/``, ``/api/sweeps/``, and
``/api/notifications/`` for every user's in-app messages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from households.models import Household, RiskType
from households.selectors import household_list
from organization.models import Department, Notification, Role, Town, Village
from organization.selectors import village_list
from organization.services import notification_mark_read

from .. import selectors, services, spreadsheets
from ..models import (
    Clue,
    DepartmentSweep,
    Priority,
    Result,
    State,
    Upload,
    Warning,
    WarningIndicator,
)

# --- serializers ----------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.short_name", read_only=True)
    risk_type_name = serializers.CharField(source="risk_type.name", read_only=True)
    rule_label = serializers.CharField(read_only=True)

    class Meta:
        model = WarningIndicator
        fields = [
            "id", "department", "department_name", "code", "name", "risk_type", "risk_type_name",
            "unit", "rule", "threshold", "severe", "description", "active", "rule_label",
        ]  # fmt: skip


class UploadSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.short_name", read_only=True)
    file = serializers.FileField(write_only=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False
    )

    class Meta:
        model = Upload
        fields = [
            "id", "department", "department_name", "period", "file", "original_name", "size",
            "uploaded_at", "status", "progress", "file_error", "rows_total", "rows_valid",
            "rows_error", "warnings_count", "clues_count", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = [
            "original_name", "size", "uploaded_at", "status", "progress", "file_error",
            "rows_total", "rows_valid", "rows_error", "warnings_count", "clues_count",
            "started_at", "finished_at",
        ]  # fmt: skip


class UploadDetailSerializer(UploadSerializer):
    errors = serializers.JSONField(read_only=True)

    class Meta(UploadSerializer.Meta):
        fields = [*UploadSerializer.Meta.fields, "errors"]


class DepartmentWarningSerializer(serializers.ModelSerializer):
    """What a department sees of its own rows: the person it reported and the outcome."""

    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    id_number = serializers.CharField(source="member.masked_id_number", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = Warning
        fields = [
            "id", "period", "department", "indicator", "indicator_code", "indicator_name",
            "member_name", "id_number", "value", "occurred_on", "upload", "row_number",
            "priority", "state", "state_display", "pushed_at", "overdue", "verified_at",
            "result", "result_display", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields


class WarningSerializer(DepartmentWarningSerializer):
    """Towns, villages and the bureau see the household the warning is about."""

    id_number = serializers.SerializerMethodField()
    household_head = serializers.CharField(source="household.head_name", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True, default="")
    village_name = serializers.CharField(source="village.name", read_only=True, default="")
    department_name = serializers.CharField(source="department.short_name", read_only=True)
    risk_type = serializers.CharField(source="indicator.risk_type.name", read_only=True)

    class Meta(DepartmentWarningSerializer.Meta):
        fields = [
            *DepartmentWarningSerializer.Meta.fields,
            "department_name", "household", "household_head", "member", "town", "town_name",
            "village", "village_name", "risk_type", "severe", "note", "assigned_at",
            "assigned_by", "verified_by", "result_reason", "closed_by", "case",
        ]  # fmt: skip
        read_only_fields = fields

    def get_id_number(self, warning: Warning) -> str:
        user = self.context["request"].user
        return (
            warning.member.id_number
            if user.can_see_full_id_numbers
            else warning.member.masked_id_number
        )


class ClueSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True, default="")
    village_name = serializers.CharField(source="village.name", read_only=True, default="")
    town = serializers.PrimaryKeyRelatedField(
        queryset=Town.objects.all(), required=False, allow_null=True
    )
    village = serializers.PrimaryKeyRelatedField(
        queryset=Village.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Clue
        fields = [
            "id", "source", "source_display", "period", "name", "id_number", "phone", "address",
            "description", "town", "town_name", "village", "village_name", "town_text",
            "department", "indicator", "upload", "row_number", "value", "state", "state_display",
            "pushed_at", "assigned_at", "overdue", "verified_at", "result", "result_reason",
            "household", "case", "closed_at", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "period", "town_text", "department", "indicator", "upload", "row_number", "value",
            "state", "pushed_at", "assigned_at", "overdue", "verified_at", "result",
            "result_reason", "household", "case", "closed_at", "created_at",
        ]  # fmt: skip

    def to_representation(self, clue: Clue) -> dict[str, Any]:
        data = super().to_representation(clue)
        user = self.context["request"].user
        if clue.id_number and not user.can_see_full_id_numbers:
            from households.id_numbers import mask

            data["id_number"] = mask(clue.id_number)
        return data


class SweepSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.short_name", read_only=True)
    quarter = serializers.CharField(read_only=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False
    )

    class Meta:
        model = DepartmentSweep
        fields = [
            "id", "department", "department_name", "carried_out_on", "quarter", "scope",
            "findings", "households_checked", "recorded_at",
        ]  # fmt: skip
        read_only_fields = ["recorded_at"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "message", "url", "created_at", "read_at"]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer):
    village = serializers.PrimaryKeyRelatedField(
        queryset=Village.objects.all(), required=False, allow_null=True
    )


class BulkAssignSerializer(AssignSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False, max_length=1000
    )


class VerifySerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=Result.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    risk_types = serializers.SlugRelatedField(
        slug_field="code", queryset=RiskType.objects.all(), many=True, required=False
    )


class ClueVerifySerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=Result.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    household = serializers.PrimaryKeyRelatedField(
        queryset=Household.objects.all(), required=False, allow_null=True
    )


class RouteSerializer(serializers.Serializer):
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all())
    village = serializers.PrimaryKeyRelatedField(
        queryset=Village.objects.all(), required=False, allow_null=True
    )


class ReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)


# --- helpers --------------------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({name: "应为整数"}) from None


def _bool_param(request, name: str) -> bool | None:
    raw = request.query_params.get(name, "").strip().lower()
    if raw in {"1", "true", "yes"}:
        return True
    if raw in {"0", "false", "no"}:
        return False
    return None


def _choice_param(request, name: str, choices) -> str:
    raw = request.query_params.get(name, "").strip()
    if raw and raw not in choices:
        raise ValidationError({name: f"可选值：{'、'.join(choices)}"})
    return raw


def _village_in_scope(user, village: Village | None) -> Village | None:
    """A village id from another town reads as unknown, like any out-of-scope object."""
    if village is not None and not village_list(user=user).filter(pk=village.pk).exists():
        raise ValidationError({"village": "对象不存在"})
    return village


PERIOD_PARAMS = [
    OpenApiParameter("period", str, description="数据月份 YYYY-MM"),
    OpenApiParameter("town", int),
    OpenApiParameter("village", int),
    OpenApiParameter("state", str, enum=State.values),
    OpenApiParameter("overdue", bool),
]


# --- viewsets -------------------------------------------------------------------------------


class IndicatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """预警指标: everyone reads them; the county bureau edits them."""

    serializer_class = IndicatorSerializer
    filterset_fields = ["department", "active"]

    def get_queryset(self):
        return selectors.indicator_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.indicator_save(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.indicator_save(
            actor=self.request.user, indicator=serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses={(200, "application/vnd.ms-excel"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def template(self, request):
        """The xlsx template for ``?department=<id>`` (department staff: their own)."""
        department = _template_department(request)
        return _template_response(department)


def _template_department(request) -> Department:
    user = request.user
    if user.role == Role.DEPARTMENT_STAFF:
        return user.department
    department_id = _int_param(request, "department")
    if department_id is None:
        raise ValidationError({"department": "请指定部门"})
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise ValidationError({"department": "对象不存在"})
    return department


def _template_response(department: Department) -> HttpResponse:
    indicators = list(
        WarningIndicator.objects.filter(department=department, active=True).select_related(
            "risk_type"
        )
    )
    data = spreadsheets.department_template(
        department=department, indicators=indicators, example_id=services.sample_id_number()
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"预警信息模板-{department.short_name}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def error_report_response(upload: Upload) -> HttpResponse:
    data = spreadsheets.error_report(
        upload.errors,
        title=f"{upload.department.short_name} {upload.period} “{upload.original_name}” 错误明细"
        + (
            f"（另有{upload.rows_error - len(upload.errors)}条未列出）"
            if upload.rows_error > len(upload.errors)
            else ""
        ),
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"错误明细-{upload.department.short_name}-{upload.period}-{upload.pk}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


class UploadViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """预警数据上传: multipart ``file`` + ``period`` (YYYY-MM); ingestion runs on a worker."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["period", "status", "department"]

    def get_serializer_class(self):
        return UploadDetailSerializer if self.action == "retrieve" else UploadSerializer

    def get_queryset(self):
        return selectors.upload_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = UploadSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        upload = services.upload_create(
            actor=request.user,
            period=serializer.validated_data["period"],
            file=serializer.validated_data["file"],
            department=serializer.validated_data.get("department"),
        )
        return Response(
            UploadSerializer(upload, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={(200, "application/vnd.ms-excel"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        """The row errors as an xlsx report (formula-like cells neutralised)."""
        return error_report_response(self.get_object())


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *PERIOD_PARAMS,
            OpenApiParameter("department", int),
            OpenApiParameter("priority", str, enum=Priority.values),
        ]
    )
)
class WarningViewSet(viewsets.ReadOnlyModelViewSet):
    """部门预警: read in scope; move on with ``assign``, ``assign_bulk``, ``verify``, ``close``."""

    def get_serializer_class(self):
        if getattr(self.request.user, "role", None) == Role.DEPARTMENT_STAFF:
            return DepartmentWarningSerializer
        return WarningSerializer

    def get_queryset(self):
        request = self.request
        filters = selectors.WarningFilters(
            period=request.query_params.get("period", "").strip(),
            department=_int_param(request, "department"),
            town=_int_param(request, "town"),
            village=_int_param(request, "village"),
            state=_choice_param(request, "state", State.values),
            priority=_choice_param(request, "priority", Priority.values),
            overdue=_bool_param(request, "overdue"),
        )
        return selectors.warning_list(user=request.user, filters=filters).order_by("-period", "-id")

    def _respond(self, warning: Warning) -> Response:
        warning = (
            selectors.warning_list(user=self.request.user).filter(pk=warning.pk).first() or warning
        )
        return Response(self.get_serializer(warning).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        warning = services.item_assign(actor=request.user, item=self.get_object())
        return self._respond(warning)

    @extend_schema(request=BulkAssignSerializer)
    @action(detail=False, methods=["post"], url_path="assign-bulk")
    def assign_bulk(self, request):
        serializer = BulkAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data["ids"]
        warnings = list(self.get_queryset().filter(pk__in=ids))
        if len(warnings) != len(set(ids)):
            raise ValidationError({"ids": "部分预警不存在或不在您的范围内"})
        count = services.items_assign_bulk(actor=request.user, items=warnings)
        return Response({"assigned": count})

    @extend_schema(request=VerifySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        warning = self.get_object()
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        warning = services.warning_verify(
            actor=request.user,
            warning=warning,
            result=data["result"],
            reason=data["reason"],
            risk_types=data.get("risk_types", []),
        )
        return self._respond(warning)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        warning = services.item_close(actor=request.user, item=self.get_object())
        return self._respond(warning)


@extend_schema_view(list=extend_schema(parameters=PERIOD_PARAMS))
class ClueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """协防线索: the bureau and towns enter them; checked like warnings."""

    serializer_class = ClueSerializer

    def get_queryset(self):
        request = self.request
        filters = selectors.ClueFilters(
            period=request.query_params.get("period", "").strip(),
            town=_int_param(request, "town"),
            village=_int_param(request, "village"),
            state=_choice_param(request, "state", State.values),
            source=_choice_param(request, "source", Clue.Source.values),
            overdue=_bool_param(request, "overdue"),
        )
        return selectors.clue_list(user=request.user, filters=filters)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        clue = services.clue_create(
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
        return Response(self.get_serializer(clue).data, status=status.HTTP_201_CREATED)

    def _respond(self, clue: Clue) -> Response:
        clue = selectors.clue_list(user=self.request.user).filter(pk=clue.pk).first() or clue
        return Response(self.get_serializer(clue).data)

    @extend_schema(request=AssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        clue = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        village = _village_in_scope(request.user, serializer.validated_data.get("village"))
        return self._respond(services.item_assign(actor=request.user, item=clue, village=village))

    @extend_schema(request=ClueVerifySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        clue = self.get_object()
        serializer = ClueVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        household = data.get("household")
        if (
            household is not None
            and not household_list(user=request.user).filter(pk=household.pk).exists()
        ):
            raise ValidationError({"household": "对象不存在"})
        clue = services.clue_verify(
            actor=request.user,
            clue=clue,
            result=data["result"],
            reason=data["reason"],
            household=household,
        )
        return self._respond(clue)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._respond(services.item_close(actor=request.user, item=self.get_object()))

    @extend_schema(request=RouteSerializer)
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        clue = self.get_object()
        serializer = RouteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        clue = services.clue_route(
            actor=request.user, clue=clue, town=data["town"], village=data.get("village")
        )
        return self._respond(clue)


class SweepViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """部门季度排查 (三(四)1)."""

    serializer_class = SweepSerializer
    filterset_fields = ["department"]

    def get_queryset(self):
        return selectors.sweep_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.sweep_record(
            actor=self.request.user, **serializer.validated_data
        )


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """站内通知: a user's own messages; ``?unread=1`` for the unread ones."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        qs = Notification.objects.filter(recipient=self.request.user)
        if _bool_param(self.request, "unread"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(request=ReadSerializer)
    @action(detail=False, methods=["post"])
    def read(self, request):
        """Mark ``ids`` (or all) as read; returns how many changed."""
        serializer = ReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = notification_mark_read(actor=request.user, ids=serializer.validated_data.get("ids"))
        return Response({"marked": count})


router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="warning-indicator")
router.register("uploads", UploadViewSet, basename="warning-upload")
router.register("warnings", WarningViewSet, basename="warning")
router.register("clues", ClueViewSet, basename="clue")
router.register("sweeps", SweepViewSet, basename="sweep")
router.register("notifications", NotificationViewSet, basename="notification")
