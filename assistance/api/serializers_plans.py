"""Serializers of plans, measures, the catalogue and suggestions (三(八)1-2).

Writable fields are named after the services' keyword arguments, so a viewset passes
``**serializer.validated_data``. A related object the user may not see (a subject, plan or
member of another scope) reads as unknown: 400, like any id that does not exist.
"""

from __future__ import annotations

from rest_framework import serializers

from households.api.serializers import ScopedPrimaryKeyField
from households.models import Member, MonitoringSubject, RiskType
from households.selectors import member_list, monitoring_subject_list
from organization.models import Department, HelpUnit

from ..models import AssistancePlan, Measure, MeasureKind
from ..selectors import plan_list


class PlanSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="subject.household_id", read_only=True)
    head_name = serializers.CharField(source="subject.household.head_name", read_only=True)
    village_name = serializers.CharField(source="subject.household.village.name", read_only=True)
    town_name = serializers.CharField(source="subject.household.village.town.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = AssistancePlan
        fields = [
            "id", "subject", "household", "head_name", "town_name", "village_name", "state",
            "state_display", "risk_types", "resources", "wishes", "abilities", "needs",
            "work_team", "cadres", "helpers", "help_unit", "made_on", "made_by",
            "no_development_reason", "activated_on", "reviewed_on", "next_review_on",
            "closed_on", "close_reason",
        ]  # fmt: skip
        read_only_fields = fields


class PlanWriteSerializer(serializers.Serializer):
    """``subject`` on create only; the risks default to the subject's."""

    subject = ScopedPrimaryKeyField(
        selector=monitoring_subject_list,
        queryset=MonitoringSubject.objects.all(),
        label="监测对象",
        required=False,
    )
    made_on = serializers.DateField(required=False)
    risk_types = serializers.PrimaryKeyRelatedField(
        queryset=RiskType.objects.all(), many=True, required=False
    )
    resources = serializers.CharField(max_length=300, required=False, allow_blank=True)
    wishes = serializers.CharField(max_length=300, required=False, allow_blank=True)
    abilities = serializers.CharField(max_length=300, required=False, allow_blank=True)
    needs = serializers.CharField(max_length=300, required=False, allow_blank=True)
    work_team = serializers.CharField(max_length=200, required=False, allow_blank=True)
    cadres = serializers.CharField(max_length=200, required=False, allow_blank=True)
    helpers = serializers.CharField(max_length=200, required=False, allow_blank=True)
    help_unit = serializers.PrimaryKeyRelatedField(
        queryset=HelpUnit.objects.all(), required=False, allow_null=True
    )
    no_development_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ActivateSerializer(serializers.Serializer):
    on = serializers.DateField()


class ReviewSerializer(serializers.Serializer):
    on = serializers.DateField()
    conclusion = serializers.CharField(max_length=500)


class MeasureSerializer(serializers.ModelSerializer):
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True, default="全户")
    department_name = serializers.CharField(
        source="department.short_name", read_only=True, default=""
    )
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    continues_after_exit = serializers.BooleanField(
        source="kind.continues_after_exit", read_only=True
    )

    class Meta:
        model = Measure
        fields = [
            "id", "plan", "kind", "kind_name", "member", "member_name", "description",
            "department", "department_name", "responsible_person", "started_on",
            "planned_end_on", "ended_on", "amount", "state", "state_display", "result",
            "stop_reason", "continues_after_exit",
        ]  # fmt: skip
        read_only_fields = fields


class MeasureWriteSerializer(serializers.Serializer):
    """``plan`` on create only; an empty ``member`` is the whole household."""

    plan = ScopedPrimaryKeyField(
        selector=plan_list, queryset=AssistancePlan.objects.all(), label="帮扶方案", required=False
    )
    kind = serializers.PrimaryKeyRelatedField(queryset=MeasureKind.objects.all(), required=False)
    member = ScopedPrimaryKeyField(
        selector=member_list,
        queryset=Member.objects.all(),
        label="家庭成员",
        required=False,
        allow_null=True,
    )
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    responsible_person = serializers.CharField(max_length=50, required=False, allow_blank=True)
    started_on = serializers.DateField(required=False, allow_null=True)
    planned_end_on = serializers.DateField(required=False, allow_null=True)
    # Negative amounts reach the service, which names the field (三(八) has no negative aid).
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    result = serializers.CharField(max_length=300, required=False, allow_blank=True)


class MeasureStartSerializer(serializers.Serializer):
    on = serializers.DateField()


class MeasureCompleteSerializer(serializers.Serializer):
    on = serializers.DateField()
    result = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MeasureStopSerializer(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class MeasureKindSerializer(serializers.ModelSerializer):
    group_display = serializers.CharField(source="get_group_display", read_only=True)
    is_development = serializers.BooleanField(read_only=True)

    class Meta:
        model = MeasureKind
        fields = [
            "id", "code", "name", "group", "group_display", "description",
            "continues_after_exit", "has_amount", "is_active", "order", "is_development",
        ]  # fmt: skip
        read_only_fields = ["id", "code", "group_display", "is_development"]
        # Uniqueness is the service's check (it names the field in Chinese).
        extra_kwargs = {"name": {"validators": []}}


class SuggestedKindSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()


class SuggestionSerializer(serializers.Serializer):
    rule = serializers.CharField()
    clause = serializers.CharField()
    groups = serializers.ListField(child=serializers.CharField())
    group_labels = serializers.CharField()
    kinds = SuggestedKindSerializer(many=True)
    member = serializers.IntegerField(source="member.pk", default=None)
    member_name = serializers.CharField(source="who")
    reason = serializers.CharField()
    covered = serializers.BooleanField()
