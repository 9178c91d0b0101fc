"""Serializers of the registry API: they check the shape of the input and keep derived and
state fields read-only; the rules are the services'."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organization.models import PolicySettings, Village, VillagerGroup
from organization.selectors import group_list, village_list

from .. import id_numbers, selectors
from ..models import (
    Household,
    IncomeRecord,
    LowIncomeStatus,
    Member,
    MonitoringSubject,
    RiskType,
    Status2020,
    Visit,
)

MONEY_TEXT = serializers.DecimalField(max_digits=12, decimal_places=2)


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key chosen by id among the objects the user may see.

    ``queryset`` only names the model (for the schema); the choices come from
    ``selector(user=...)``, so another scope's id is "对象不存在" like any
    unknown id.
    """

    def __init__(self, *, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)
        # DRF's own words ("无效主键 “7” － 对象不存在。") speak of keys, not of the registry.
        label = kwargs.get("label") or "对象"
        self.error_messages["does_not_exist"] = (
            f"编号为 {{pk_value}} 的{label}不存在，或不在您的工作范围内"
        )
        self.error_messages["incorrect_type"] = f"{label}应填写编号（整数）"

    def get_queryset(self):
        return self.selector(user=self.context["request"].user)


def _households_in_scope(*, user):
    # Unannotated: a single-row lookup does not need the list's size and flags.
    return Household.objects.filter(selectors.household_scope_q(user))


class PolicyYears:
    """Every year's thresholds read once per request, and each year resolved once.

    ``PolicySettings.for_year`` per row would cost one query per household in
    a list; the table has one row a year, so reading it whole is cheap.
    """

    def __init__(self) -> None:
        self._rows: list[PolicySettings] | None = None
        self._by_year: dict[int | None, PolicySettings] = {}

    def for_year(self, year: int | None) -> PolicySettings:
        """Like ``PolicySettings.for_year``; ``None`` (no income yet) gives the defaults."""
        if year not in self._by_year:
            self._by_year[year] = self._resolve(year)
        return self._by_year[year]

    def _resolve(self, year: int | None) -> PolicySettings:
        if year is None:
            return PolicySettings()
        if self._rows is None:
            self._rows = list(PolicySettings.objects.order_by("-year"))
        return next((row for row in self._rows if row.year <= year), PolicySettings(year=year))


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.Field):
    """The Chinese label of a choice value (``dibao`` → 低保户).

    A plain lookup: ``source="get_FOO_display"`` makes DRF inspect the method's
    signature on every row, a noticeable share of a 50-row page.
    """

    def __init__(self, *, choices, **kwargs):
        self.labels = {value: str(label) for value, label in choices}
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return self.labels.get(value, value)


def _policy_years(serializer: serializers.Serializer) -> PolicyYears:
    root = serializer.root
    if not hasattr(root, "_policy_years"):
        root._policy_years = serializer.context.get("policy_years") or PolicyYears()
    return root._policy_years


def _shows_full_id_numbers(serializer: serializers.Serializer) -> bool:
    request = serializer.context.get("request")
    return bool(request and request.user.can_see_full_id_numbers)


class IdNumberField(serializers.CharField):
    """Takes the number as typed (the model normalises and checks it, in Chinese);
    gives it whole only to roles that need it (``can_see_full_id_numbers``), masked to the rest."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)  # room for spaces and stray quotes
        kwargs.setdefault("label", "身份证号")
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str:
        if _shows_full_id_numbers(self.parent):
            return value
        return id_numbers.mask(value)


class BirthDateField(serializers.DateField):
    """The birth date, for the roles that see ID numbers whole; ``null`` for the rest, who get
    ``birth_year`` only: region and last four of the masked number plus the whole date would
    give the number back."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("label", "出生日期（仅对可查看完整身份证号的角色显示）")
        super().__init__(**kwargs)

    def to_representation(self, value):
        if not _shows_full_id_numbers(self.parent):
            return None
        return super().to_representation(value)


class MemberFieldsMixin(serializers.ModelSerializer):
    id_number = IdNumberField()
    birth_date = BirthDateField()
    birth_year = serializers.IntegerField(
        source="birth_date.year", read_only=True, label="出生年份"
    )
    sex_display = ChoiceLabelField(source="sex", choices=Member.Sex.choices)
    relation_display = ChoiceLabelField(source="relation", choices=Member.Relation.choices)

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "sex_display",
            "birth_date",
            "birth_year",
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


MSG_MEMBER_HOUSEHOLD_FIXED = (
    "农户不能修改：成员迁入另一户，请在原户删除（自然减少），再在新户新增。"
)


class MemberUpdateSerializer(MemberSerializer):
    """An edit of a member. Moving a person to another household is not an edit of the
    member: ``household`` is read-only here (so the schema shows it so), and a request that
    names another household is refused rather than silently ignored."""

    household = serializers.PrimaryKeyRelatedField(read_only=True, label="农户")

    def validate(self, attrs):
        data = self.initial_data
        sent = data.get("household") if hasattr(data, "get") else None
        if sent not in (None, "") and str(sent) != str(self.instance.household_id):
            raise serializers.ValidationError({"household": [MSG_MEMBER_HOUSEHOLD_FIXED]})
        return super().validate(attrs)


class HouseholdMemberInputSerializer(MemberFieldsMixin):
    """A member inside a new household's payload (``members[i]``)."""

    class Meta(MemberFieldsMixin.Meta):
        pass


class CurrentStatusSerializer(serializers.Serializer):
    """A social-assistance status the household holds now (民政 低收入人口)."""

    kind = serializers.ChoiceField(choices=LowIncomeStatus.Kind.choices, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    started_on = serializers.DateField(read_only=True)
    source = serializers.ChoiceField(choices=LowIncomeStatus.Source.choices, read_only=True)


class HouseholdListSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    town = serializers.IntegerField(source="village.town_id", read_only=True)
    town_name = serializers.CharField(source="village.town.name", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True, default="")
    status_2020_display = ChoiceLabelField(source="status_2020", choices=Status2020.choices)
    size = serializers.IntegerField(read_only=True, label="家庭人口")
    is_monitored = serializers.BooleanField(read_only=True, label="监测对象")
    in_identification_scope = serializers.SerializerMethodField(label="属于识别范围")
    low_income_statuses = serializers.SerializerMethodField(label="现有低收入人口身份")

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
            "low_income_statuses",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CurrentStatusSerializer(many=True))
    def get_low_income_statuses(self, obj: Household) -> list[dict]:
        return CurrentStatusSerializer(obj.current_low_income_statuses(), many=True).data

    def get_in_identification_scope(self, obj: Household) -> bool:
        """三(五): registered and resident, and 2020 status or below the minimum living standard."""
        return obj.in_identification_scope(_policy_years(self).for_year(obj.latest_income_year))


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
        # One record per household and year is the service's rule (income_record_save), refused
        # with a message that says what to do instead of the generic unique-together one.
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["household"].read_only = True
        return fields

    # A money text like the model's own fields ("6000.00"): documented as one, not as a number.
    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_income_line(self, obj: IncomeRecord) -> str:
        # Rendered like the model's money fields ("6000.00"), not as a float.
        return MONEY_TEXT.to_representation(self._line(obj))

    def get_below_line(self, obj: IncomeRecord) -> bool:
        """三(六)一: per-person net income below the year's line."""
        return obj.per_capita_net_income < self._line(obj)

    def _line(self, obj: IncomeRecord) -> Decimal:
        return _policy_years(self).for_year(obj.year).income_line


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
    category_display = ChoiceLabelField(
        source="category", choices=MonitoringSubject.Category.choices
    )
    status_display = ChoiceLabelField(source="status", choices=MonitoringSubject.Status.choices)
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
            "announcement",
        ]
        # The status moves only through the exit procedure (eliminate), never by an edit; the
        # announcement is the county filing's (三(七)7).
        read_only_fields = ["status", "ended_on", "announcement"]
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


class VisitSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKeyField(
        selector=_households_in_scope, queryset=Household.objects.all(), label="农户"
    )
    visitor_name = serializers.StringRelatedField(source="visitor", label="走访人姓名")
    reason_display = ChoiceLabelField(source="reason", choices=Visit.Reason.choices)

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


class LowIncomeStatusSerializer(serializers.ModelSerializer):
    """A social-assistance status (民政 低收入人口); created by hand here, by 民政's roster
    otherwise. ``ended_on`` is the first day it is no longer held."""

    household = ScopedPrimaryKeyField(
        selector=_households_in_scope, queryset=Household.objects.all(), label="农户"
    )
    kind_display = ChoiceLabelField(source="kind", choices=LowIncomeStatus.Kind.choices)
    ended_source = serializers.CharField(
        read_only=True, help_text="终止来源：roster 民政名册，manual 手工录入；未终止为空"
    )
    note = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=150, label="依据"
    )

    class Meta:
        model = LowIncomeStatus
        fields = [
            "id", "household", "kind", "kind_display", "started_on", "ended_on", "source",
            "source_label", "ended_source", "ended_label", "note",
        ]  # fmt: skip
        read_only_fields = ["ended_on", "source", "source_label", "ended_source", "ended_label"]


class LowIncomeStatusEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(label="终止日期（不再具有该身份的第一天）")
    reason = serializers.CharField(max_length=150, label="终止原因")
