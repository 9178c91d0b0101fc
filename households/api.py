"""REST for the registry (台账): households, members, income, monitoring subjects, visits.

Thin on purpose (STYLE.md rule 6): every queryset is a scoped selector from
``households.selectors`` (another scope's object is simply not found: 404),
every write is a service from ``households.services`` (which owns the rules
and raises Django ``ValidationError`` / ``PermissionDenied``, mapped once in
``suixi_monitor.api``). Serializers only check the shape of the input and
keep derived and state fields read-only.
"""

from __future__ import annotations

from decimal import Decimal

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from organization.models import PolicySettings, Role, Village, VillagerGroup
from organization.selectors import group_list, village_list

from . import id_numbers, selectors, services
from .filters import (
    HouseholdFilter,
    IncomeRecordFilter,
    MemberFilter,
    MonitoringSubjectFilter,
    VisitFilter,
)
from .models import Household, IncomeRecord, Member, MonitoringSubject, RiskType, Visit

MSG_INCOME_YEAR_TAKEN = "该户{year}年度已有收入记录，请修改原记录"
MONEY_TEXT = serializers.DecimalField(max_digits=12, decimal_places=2)


# --- fields and helpers ----------------------------------------------------


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key chosen by id among the objects the user may see.

    ``queryset`` only names the model (for the schema); the choices come from
    ``selector(user=...)``, so another scope's id is "对象不存在" like any
    unknown id.
    """

    def __init__(self, *, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(user=self.context["request"].user)


def _households_in_scope(*, user):
    # Unannotated: a single-row lookup does not need the list's size and flags.
    return Household.objects.filter(selectors.household_scope_q(user))


class PolicyYears:
    """Every year's thresholds read once per request.

    ``PolicySettings.for_year`` per row would cost one query per household in
    a list; the table has one row a year, so reading it whole is cheap.
    """

    def __init__(self) -> None:
        self._rows: list[PolicySettings] | None = None

    def for_year(self, year: int) -> PolicySettings:
        if self._rows is None:
            self._rows = list(PolicySettings.objects.order_by("-year"))
        return next((row for row in self._rows if row.year <= year), PolicySettings(year=year))


def _policy_years(serializer: serializers.Serializer) -> PolicyYears:
    root = serializer.root
    if not hasattr(root, "_policy_years"):
        root._policy_years = serializer.context.get("policy_years") or PolicyYears()
    return root._policy_years


def _shows_full_id_numbers(serializer: serializers.Serializer) -> bool:
    request = serializer.context.get("request")
    return bool(request and request.user.can_see_full_id_numbers)


# --- members ---------------------------------------------------------------


class IdNumberField(serializers.CharField):
    """Takes the number as typed (the model normalises and checks it, in Chinese);
    gives it whole only to roles that need it (DESIGN.md §5), masked to the rest."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)  # room for spaces and stray quotes
        kwargs.setdefault("label", "身份证号")
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str:
        if _shows_full_id_numbers(self.parent):
            return value
        return id_numbers.mask(value)


class MemberFieldsMixin(serializers.ModelSerializer):
    id_number = IdNumberField()
    sex_display = serializers.CharField(source="get_sex_display", read_only=True)
    relation_display = serializers.CharField(source="get_relation_display", read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "sex_display",
            "birth_date",
            "relation",
            "relation_display",
            "labour_capacity",
            "health",
            "disability_grade",
            "schooling",
        ]
        # Sex and birth date come from the ID number (GB 11643); never typed.
        read_only_fields = ["sex", "birth_date"]
        # Uniqueness (ID number in the county, one head per household) is the model's and the
        # service's to judge, on the normalised number and with a message that names the rule.
        validators: list = []


class MemberSerializer(MemberFieldsMixin):
    household = ScopedPrimaryKeyField(
        selector=_households_in_scope, queryset=Household.objects.all(), label="农户"
    )

    class Meta(MemberFieldsMixin.Meta):
        fields = ["household", *MemberFieldsMixin.Meta.fields]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # Moving a person to another household is not an edit of the member.
            fields["household"].read_only = True
        return fields


class HouseholdMemberInputSerializer(MemberFieldsMixin):
    """A member inside a new household's payload (``members[i]``)."""

    class Meta(MemberFieldsMixin.Meta):
        pass


# --- households ------------------------------------------------------------


class HouseholdListSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    town = serializers.IntegerField(source="village.town_id", read_only=True)
    town_name = serializers.CharField(source="village.town.name", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True, default="")
    status_2020_display = serializers.CharField(source="get_status_2020_display", read_only=True)
    size = serializers.IntegerField(read_only=True, label="家庭人口")
    is_monitored = serializers.BooleanField(read_only=True, label="监测对象")
    in_identification_scope = serializers.SerializerMethodField(label="属于识别范围")

    class Meta:
        model = Household
        fields = [
            "id",
            "code",
            "head_name",
            "town",
            "town_name",
            "village",
            "village_name",
            "group",
            "group_name",
            "address",
            "phone",
            "registered_in_county",
            "long_term_resident",
            "status_2020",
            "status_2020_display",
            "size",
            "is_monitored",
            "latest_income_year",
            "latest_per_capita_income",
            "below_income_line",
            "in_identification_scope",
            "updated_at",
        ]
        read_only_fields = fields

    def get_in_identification_scope(self, obj: Household) -> bool:
        """三(五): registered and resident, and 2020 status or below the minimum living standard."""
        year = obj.latest_income_year
        policy = _policy_years(self).for_year(year) if year else PolicySettings()
        return obj.in_identification_scope(policy)


class HouseholdDetailSerializer(HouseholdListSerializer):
    members = MemberFieldsMixin(many=True, read_only=True)

    class Meta(HouseholdListSerializer.Meta):
        fields = [*HouseholdListSerializer.Meta.fields, "created_at", "members"]
        read_only_fields = fields


class HouseholdWriteSerializer(serializers.ModelSerializer):
    village = ScopedPrimaryKeyField(
        selector=village_list, queryset=Village.objects.all(), label="村"
    )
    group = ScopedPrimaryKeyField(
        selector=group_list,
        queryset=VillagerGroup.objects.all(),
        label="村民小组",
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Household
        fields = [
            "village",
            "group",
            "code",
            "head_name",
            "address",
            "phone",
            "registered_in_county",
            "long_term_resident",
            "status_2020",
        ]


class HouseholdCreateSerializer(HouseholdWriteSerializer):
    members = HouseholdMemberInputSerializer(many=True, required=False, label="家庭成员")

    class Meta(HouseholdWriteSerializer.Meta):
        fields = [*HouseholdWriteSerializer.Meta.fields, "members"]


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
        for field, messages in (row or {}).items():
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
        qs = selectors.household_list(user=self.request.user)
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
        fresh = selectors.household_list(user=self.request.user).prefetch_related("members")
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


# --- members ---------------------------------------------------------------


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


# --- income ----------------------------------------------------------------


class IncomeRecordSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKeyField(
        selector=_households_in_scope, queryset=Household.objects.all(), label="农户"
    )
    household_size = serializers.IntegerField(
        min_value=1, required=False, label="家庭人口", help_text="不填则按现有家庭成员人数计"
    )
    total_income = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, label="总收入"
    )
    rigid_expense = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, label="刚性支出"
    )
    income_line = serializers.SerializerMethodField(label="当年监测收入线")
    below_line = serializers.SerializerMethodField(label="低于监测收入线")

    class Meta:
        model = IncomeRecord
        fields = [
            "id",
            "household",
            "year",
            "household_size",
            "wage_income",
            "business_income",
            "property_income",
            "transfer_income",
            "medical_expense",
            "education_expense",
            "other_expense",
            "total_income",
            "rigid_expense",
            "per_capita_net_income",
            "income_line",
            "below_line",
            "note",
        ]
        read_only_fields = ["per_capita_net_income"]
        # One record per household and year is checked in validate() with a message that says
        # what to do, instead of the generic unique-together one.
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["household"].read_only = True
        return fields

    def validate(self, attrs):
        household = attrs.get("household") or getattr(self.instance, "household", None)
        year = attrs.get("year", getattr(self.instance, "year", None))
        taken = IncomeRecord.objects.filter(household=household, year=year)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if household is not None and year is not None and taken.exists():
            raise serializers.ValidationError({"year": MSG_INCOME_YEAR_TAKEN.format(year=year)})
        return attrs

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_income_line(self, obj: IncomeRecord) -> str:
        # Rendered like the model's money fields ("6000.00"), not as a float.
        return MONEY_TEXT.to_representation(self._line(obj))

    def get_below_line(self, obj: IncomeRecord) -> bool:
        """三(六)一: per-person net income below the year's line."""
        return obj.per_capita_net_income < self._line(obj)

    def _line(self, obj: IncomeRecord) -> Decimal:
        return _policy_years(self).for_year(obj.year).income_line


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


# --- monitoring subjects ---------------------------------------------------


class RiskTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskType
        fields = ["id", "code", "name"]


class MonitoringSubjectSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKeyField(
        selector=_households_in_scope, queryset=Household.objects.all(), label="农户"
    )
    household_head_name = serializers.CharField(source="household.head_name", read_only=True)
    village = serializers.IntegerField(source="household.village_id", read_only=True)
    village_name = serializers.CharField(source="household.village.name", read_only=True)
    town_name = serializers.CharField(source="household.village.town.name", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    risk_types = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=RiskType.objects.all(), label="风险类型代码"
    )
    risk_type_names = serializers.SerializerMethodField(label="风险类型")

    class Meta:
        model = MonitoringSubject
        fields = [
            "id",
            "household",
            "household_head_name",
            "village",
            "village_name",
            "town_name",
            "category",
            "category_display",
            "risk_types",
            "risk_type_names",
            "started_on",
            "status",
            "status_display",
            "ended_on",
            "note",
        ]
        # The status moves only through the exit procedure (eliminate), never by an edit.
        read_only_fields = ["status", "ended_on"]
        # "One open subject per household" is the service's rule, with its own message.
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # After filing only the risk types change (a verified warning updates them, 三(四)2).
            for name in ("household", "category", "started_on", "note"):
                fields[name].read_only = True
        return fields

    def get_risk_type_names(self, obj: MonitoringSubject) -> list[str]:
        return [risk.name for risk in obj.risk_types.all()]


class EliminateSerializer(serializers.Serializer):
    ended_on = serializers.DateField(label="风险消除日期")


class MonitoringSubjectGate(permissions.BasePermission):
    """Filing and marking risk-eliminated are the bureau's (三(七)7, 三(九)); updating the risk
    types is the registry keepers' (三(四)2). Object checks come after the scoped lookup (404)."""

    message = "只有县扶贫局可以备案监测对象或标注风险消除"

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS or view.action != "create":
            return True
        return request.user.is_county

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.action == "eliminate":
            return request.user.is_county
        return selectors.can_edit_registry(request.user)


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

    @extend_schema(
        summary="标注风险消除（县扶贫局）",
        request=EliminateSerializer,
        responses=MonitoringSubjectSerializer,
    )
    @action(detail=True, methods=["post"])
    def eliminate(self, request, pk=None):
        subject = self.get_object()
        payload = EliminateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.monitoring_subject_eliminate(
            actor=request.user, subject=subject, on=payload.validated_data["ended_on"]
        )
        fresh = self.get_queryset().get(pk=subject.pk)
        return Response(self.get_serializer(fresh).data)


class RiskTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """风险类型 (三(二)): the codes that ``risk_types`` takes."""

    serializer_class = RiskTypeSerializer
    pagination_class = None

    def get_queryset(self):
        # A fixed public code list (三(二)), not registry data: nothing to scope.
        return RiskType.objects.all()


# --- visits ----------------------------------------------------------------


class VisitSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKeyField(
        selector=_households_in_scope, queryset=Household.objects.all(), label="农户"
    )
    visitor_name = serializers.StringRelatedField(source="visitor", label="走访人姓名")
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "visitor",
            "visitor_name",
            "visited_on",
            "reason",
            "reason_display",
            "findings",
            "risk_found",
        ]
        # The visitor is whoever records the visit.
        read_only_fields = ["visitor"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["household"].read_only = True
        return fields


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
        return obj.visitor_id == request.user.pk or selectors.can_edit_registry(request.user)


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


# The organisation's router carries the API root page; this one adds its routes beside it.
router = SimpleRouter()
router.register("households", HouseholdViewSet, basename="household")
router.register("members", MemberViewSet, basename="member")
router.register("income-records", IncomeRecordViewSet, basename="income-record")
router.register("monitoring-subjects", MonitoringSubjectViewSet, basename="monitoring-subject")
router.register("risk-types", RiskTypeViewSet, basename="risk-type")
router.register("visits", VisitViewSet, basename="visit")
