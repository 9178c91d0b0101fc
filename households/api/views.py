"""Viewsets of the registry API: querysets from the scoped selectors, writes through the
services, role gates that answer 403 only after the scoped lookup has answered 404."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from organization.models import Role
from suixi_monitor.api import error_responses

from .. import low_income, selectors, services
from ..filters import (
    HouseholdFilter,
    IncomeRecordFilter,
    MemberFilter,
    MonitoringSubjectFilter,
    VisitFilter,
)
from ..models import Household, IncomeRecord, Member, RiskType, Visit
from .serializers import (
    HouseholdCreateSerializer,
    HouseholdDetailSerializer,
    HouseholdListSerializer,
    HouseholdWriteSerializer,
    IncomeRecordSerializer,
    LowIncomeStatusEndSerializer,
    LowIncomeStatusSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    MonitoringSubjectSerializer,
    PolicyYears,
    RiskTypeSerializer,
    VisitSerializer,
)


def _name_member_rows(errors: dict) -> dict:
    """``{"members": {1: {"id_number": [...]}}}`` → ``{"members[1].id_number": [...]}``: the same
    names the household service gives the rows it refuses, so a client reads one format."""
    rows = errors.get("members")
    if isinstance(rows, dict):
        items = rows.items()
    elif isinstance(rows, list) and rows and all(isinstance(row, dict) for row in rows):
        items = enumerate(rows)
    else:
        return errors
    named = {key: value for key, value in errors.items() if key != "members"}
    for index, row in items:
        if not isinstance(row, dict):  # the row itself was refused (``null``, not an object)
            named[f"members[{index}]"] = row
            continue
        for field, messages in row.items():
            named[f"members[{index}].{field}"] = messages
    return named


class RegistryWriteGate(permissions.BasePermission):
    """Only registry keepers write (monitors, town officials, the bureau).

    A new object is refused before its payload is read; an existing one only
    after the scoped lookup, so another scope's object stays 404 and an
    object the role may only read is 403. The services check again.
    """

    message = services.MSG_NO_REGISTRY_RIGHT

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS or view.action != "create":
            return True
        return selectors.can_edit_registry(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS or selectors.can_edit_registry(
            request.user
        )


class MonitoringSubjectGate(permissions.BasePermission):
    """Filing is the bureau's (三(七)7); updating the risk types is the registry keepers'
    (三(四)2). Object checks come after the scoped lookup (404). A subject leaves monitoring
    only through its exit case (三(九), ``/api/exit-cases/``)."""

    # Permission instances are made per request, so each check may set its own message.
    message = "只有县扶贫局可以备案监测对象"

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS or view.action != "create":
            return True
        return request.user.is_county

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        self.message = services.MSG_NO_REGISTRY_RIGHT
        return selectors.can_edit_registry(request.user)


class VisitWriteGate(permissions.BasePermission):
    """Department staff visit no households (三(四)1 puts visits on monitors, officials and
    helpers); a visit is changed by its visitor or a registry keeper."""

    message = "您没有权限走访该农户"

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS or view.action != "create":
            return True
        return request.user.role != Role.DEPARTMENT_STAFF

    def has_object_permission(self, request, view, obj: Visit) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        self.message = "只能修改自己的走访记录"
        return obj.visitor_id == request.user.pk or selectors.can_edit_registry(request.user)


class PolicyYearsContextMixin:
    def get_serializer_context(self):
        return {**super().get_serializer_context(), "policy_years": PolicyYears()}


@extend_schema_view(
    list=extend_schema(summary="农户列表"),
    retrieve=extend_schema(summary="农户详情（含家庭成员）"),
    create=extend_schema(
        summary="新建农户及其家庭成员（全部成功或全部不保存）",
        request=HouseholdCreateSerializer,
        responses={201: HouseholdDetailSerializer},
    ),
    update=extend_schema(
        summary="修改农户",
        request=HouseholdWriteSerializer,
        responses=HouseholdDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="修改农户",
        request=HouseholdWriteSerializer,
        responses=HouseholdDetailSerializer,
    ),
)
class HouseholdViewSet(
    PolicyYearsContextMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """农户: the households of the user's scope."""

    permission_classes = [permissions.IsAuthenticated, RegistryWriteGate]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = HouseholdFilter
    ordering_fields = ["id", "head_name", "latest_per_capita_income", "updated_at"]

    def get_queryset(self):
        # The open low-income statuses: 三(五)3 reads them for ``in_identification_scope``.
        qs = selectors.with_current_statuses(selectors.household_list(user=self.request.user))
        if self.action == "retrieve":
            qs = qs.prefetch_related("members")
        return qs

    def get_serializer_class(self):
        return {
            "list": HouseholdListSerializer,
            "create": HouseholdCreateSerializer,
            "update": HouseholdWriteSerializer,
            "partial_update": HouseholdWriteSerializer,
        }.get(self.action, HouseholdDetailSerializer)

    def _detail(self, household: Household, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.with_current_statuses(
            selectors.household_list(user=self.request.user)
        ).prefetch_related("members")
        fresh = fresh.get(pk=household.pk)
        return Response(
            HouseholdDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            raise serializers.ValidationError(_name_member_rows(serializer.errors))
        fields = dict(serializer.validated_data)
        members = fields.pop("members", [])
        household = services.household_create(actor=request.user, members=members, **fields)
        return self._detail(household, code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        household = self.get_object()
        serializer = self.get_serializer(
            household, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        household = services.household_update(
            actor=request.user, household=household, **serializer.validated_data
        )
        return self._detail(household)


@extend_schema_view(
    list=extend_schema(summary="家庭成员列表"),
    retrieve=extend_schema(summary="家庭成员详情"),
    create=extend_schema(summary="新增家庭成员"),
    update=extend_schema(summary="修改家庭成员"),
    partial_update=extend_schema(summary="修改家庭成员"),
    destroy=extend_schema(summary="删除家庭成员（自然减少）"),
)
class MemberViewSet(viewsets.ModelViewSet):
    """家庭成员: ID numbers whole for monitors, town officials and the bureau, masked for others."""

    serializer_class = MemberSerializer
    permission_classes = [permissions.IsAuthenticated, RegistryWriteGate]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = MemberFilter
    ordering_fields = ["id", "name", "birth_date"]

    def get_queryset(self):
        return selectors.member_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"}:
            return MemberUpdateSerializer
        return MemberSerializer

    def perform_create(self, serializer) -> None:
        fields = dict(serializer.validated_data)
        household = fields.pop("household")
        serializer.instance = services.member_create(
            actor=self.request.user, household=household, **fields
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.member_update(
            actor=self.request.user, member=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Member) -> None:
        services.member_delete(actor=self.request.user, member=instance)


@extend_schema_view(
    list=extend_schema(summary="收入记录列表"),
    retrieve=extend_schema(summary="收入记录详情"),
    create=extend_schema(summary="录入某年度收入（人均纯收入自动计算）"),
    update=extend_schema(summary="修改收入记录"),
    partial_update=extend_schema(summary="修改收入记录"),
    destroy=extend_schema(summary="删除收入记录"),
)
class IncomeRecordViewSet(PolicyYearsContextMixin, viewsets.ModelViewSet):
    """收入记录: per-person net income = (income − rigid expenses) / household size (三(六)一)."""

    serializer_class = IncomeRecordSerializer
    permission_classes = [permissions.IsAuthenticated, RegistryWriteGate]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = IncomeRecordFilter
    ordering_fields = ["year", "per_capita_net_income"]

    def get_queryset(self):
        return selectors.income_record_list(user=self.request.user)

    def perform_create(self, serializer) -> None:
        fields = dict(serializer.validated_data)
        serializer.instance = services.income_record_save(
            actor=self.request.user,
            household=fields.pop("household"),
            year=fields.pop("year"),
            **fields,
        )

    def perform_update(self, serializer) -> None:
        record = serializer.instance
        fields = dict(serializer.validated_data)
        serializer.instance = services.income_record_save(
            actor=self.request.user,
            household=record.household,
            year=fields.pop("year", record.year),
            record=record,
            **fields,
        )

    def perform_destroy(self, instance: IncomeRecord) -> None:
        services.income_record_delete(actor=self.request.user, record=instance)


@extend_schema_view(
    list=extend_schema(summary="监测对象列表"),
    retrieve=extend_schema(summary="监测对象详情"),
    create=extend_schema(summary="纳入监测（县扶贫局）"),
    update=extend_schema(summary="更新风险类型"),
    partial_update=extend_schema(summary="更新风险类型"),
)
class MonitoringSubjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """监测对象 (三(一)): filed by the county; risk types kept up to date; marked out on exit."""

    serializer_class = MonitoringSubjectSerializer
    permission_classes = [permissions.IsAuthenticated, MonitoringSubjectGate]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = MonitoringSubjectFilter
    ordering_fields = ["started_on", "id"]

    def get_queryset(self):
        return selectors.monitoring_subject_list(user=self.request.user)

    def perform_create(self, serializer) -> None:
        serializer.instance = services.monitoring_subject_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        risk_types = serializer.validated_data.get("risk_types")
        if risk_types is not None:
            if not risk_types:
                raise serializers.ValidationError({"risk_types": "请至少选择一种风险类型"})
            services.monitoring_subject_update_risks(
                actor=self.request.user, subject=serializer.instance, risk_types=risk_types
            )
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


class RiskTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """风险类型 (三(二)): the codes that ``risk_types`` takes."""

    serializer_class = RiskTypeSerializer
    pagination_class = None

    def get_queryset(self):
        # A fixed public code list (三(二)), not registry data: nothing to scope.
        return RiskType.objects.all()


@extend_schema_view(
    list=extend_schema(summary="走访记录列表"),
    retrieve=extend_schema(summary="走访记录详情"),
    create=extend_schema(summary="记录走访（六个必访或常态化走访）"),
    update=extend_schema(summary="修改走访记录"),
    partial_update=extend_schema(summary="修改走访记录"),
)
class VisitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """走访 (人防, 三(四)1)."""

    # Numeric ids only, so that /api/visits/due/ (assistance) is not read as visit "due".
    lookup_value_regex = r"\d+"
    serializer_class = VisitSerializer
    permission_classes = [permissions.IsAuthenticated, VisitWriteGate]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = VisitFilter
    ordering_fields = ["visited_on", "id"]

    def get_queryset(self):
        return selectors.visit_list(user=self.request.user)

    def perform_create(self, serializer) -> None:
        fields = dict(serializer.validated_data)
        serializer.instance = services.visit_create(
            actor=self.request.user, household=fields.pop("household"), **fields
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.visit_update(
            actor=self.request.user, visit=serializer.instance, **serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(
        summary="低收入人口身份列表（低保、特困、低保边缘、刚性支出困难）",
        parameters=[
            OpenApiParameter("household", OpenApiTypes.INT, description="农户ID"),
            OpenApiParameter(
                "current", OpenApiTypes.BOOL, description="true 仅现有身份，false 仅已终止"
            ),
        ],
    ),
    retrieve=extend_schema(summary="低收入人口身份详情"),
    create=extend_schema(
        summary="手工登记低收入人口身份（名册之间新批准的）",
        responses={
            201: LowIncomeStatusSerializer,
            **error_responses(
                bad_request="类别、日期无效（不能晚于今天），或农户不在本人管辖范围内。",
                forbidden="只有村防贫监测员、镇（园区）干部和县扶贫局维护台账。",
                conflict="该户已有未终止的同类身份。",
                not_found=None,
            ),
        },
    ),
)
class LowIncomeStatusViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """低收入人口身份 (民政): set monthly by 民政's roster (uploaded as a department file),
    entered or ended by hand between two rosters. Nothing is deleted."""

    serializer_class = LowIncomeStatusSerializer
    permission_classes = [permissions.IsAuthenticated, RegistryWriteGate]

    def get_queryset(self):
        qs = selectors.low_income_status_list(user=self.request.user).order_by(
            "household_id", "started_on", "pk"
        )
        params = self.request.query_params
        if params.get("household", "").isdigit():
            qs = qs.filter(household_id=int(params["household"]))
        if params.get("current") in {"true", "false"}:
            qs = qs.filter(ended_on__isnull=params["current"] == "true")
        return qs

    def perform_create(self, serializer) -> None:
        serializer.instance = low_income.low_income_status_start(
            actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        summary="终止低收入人口身份",
        request=LowIncomeStatusEndSerializer,
        responses={
            200: LowIncomeStatusSerializer,
            **error_responses(
                bad_request="终止日期早于起始日期或晚于今天，或未填写原因。",
                forbidden="只有村防贫监测员、镇（园区）干部和县扶贫局维护台账。",
                conflict="该身份已终止。",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        found = self.get_object()
        body = LowIncomeStatusEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ended = low_income.low_income_status_end(
            actor=request.user, status=found, **body.validated_data
        )
        return Response(self.get_serializer(ended).data)
