"""Serializers of pairing and help visits (三(八)1): the shape of the input only; the rules are
the services'. Foreign keys a user picks are looked up in their scope (another scope's id is
"不存在", 400)."""

from __future__ import annotations

from rest_framework import serializers

from households.api.serializers import ChoiceLabelField, ScopedPrimaryKeyField
from households.models import Household, MonitoringSubject, RiskType, Visit
from households.selectors import household_scope_q, monitoring_subject_list
from organization.models import HelpUnit, User

from ..models import HelpAssignment, HelpVisit, Measure, MeasureProgress, MeasureState
from ..selectors import measure_list


def _households(*, user):
    return Household.objects.filter(household_scope_q(user))


def _subjects(*, user):
    return monitoring_subject_list(user=user)


class HelpAssignmentSerializer(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    helper_name = serializers.StringRelatedField(source="helper")
    help_unit_name = serializers.CharField(source="help_unit.name", read_only=True, default=None)
    kind_display = ChoiceLabelField(source="kind", choices=HelpAssignment.Kind.choices)
    level_display = ChoiceLabelField(source="level", choices=HelpAssignment.Level.choices)

    class Meta:
        model = HelpAssignment
        fields = [
            "id",
            "household",
            "household_name",
            "helper",
            "helper_name",
            "help_unit",
            "help_unit_name",
            "kind",
            "kind_display",
            "level",
            "level_display",
            "started_on",
            "ended_on",
            "reason",
            "end_reason",
        ]
        read_only_fields = fields


class PairSerializer(serializers.Serializer):
    """POST /api/help-assignments/: a 脱贫户 takes ``helper``; any other household ``town_cadre``
    and ``village_cadre`` (三(八)1). Whether the person may be paired is the service's rule."""

    subject = ScopedPrimaryKeyField(
        selector=_subjects, queryset=MonitoringSubject.objects.all(), label="监测对象"
    )
    helper = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, label="帮扶责任人"
    )
    town_cadre = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, label="镇级帮扶联系人"
    )
    village_cadre = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, label="村级帮扶联系人"
    )
    help_unit = serializers.PrimaryKeyRelatedField(
        queryset=HelpUnit.objects.all(), required=False, allow_null=True, label="帮扶单位"
    )
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    started_on = serializers.DateField(label="结对日期")


class AssignmentEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(label="解除日期")
    reason = serializers.CharField(max_length=300, label="解除原因")


class VisitDueSerializer(serializers.Serializer):
    """One row of the visits due (三(八)1 定期上门走访)."""

    subject = serializers.IntegerField(source="subject.pk")
    household = serializers.IntegerField(source="subject.household_id")
    head_name = serializers.CharField(source="subject.household.head_name")
    village = serializers.CharField(source="subject.household.village.name")
    town = serializers.CharField(source="subject.household.village.town.name")
    category = serializers.CharField(source="subject.category")
    helpers = serializers.SerializerMethodField()
    last_help_visit = serializers.DateField(source="subject.last_help_visit")
    next_due = serializers.DateField()
    days_overdue = serializers.IntegerField()
    overdue = serializers.BooleanField()

    def get_helpers(self, row) -> list[dict]:
        return [{"id": user.pk, "name": str(user)} for user in row.helpers]


class MeasureProgressSerializer(serializers.ModelSerializer):
    measure_name = serializers.CharField(source="measure.__str__", read_only=True)

    class Meta:
        model = MeasureProgress
        fields = ["measure", "measure_name", "state_before", "state_after", "note"]
        read_only_fields = fields


class HelpVisitSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="visit.household_id", read_only=True)
    visitor = serializers.IntegerField(source="visit.visitor_id", read_only=True)
    visitor_name = serializers.StringRelatedField(source="visit.visitor")
    visited_on = serializers.DateField(source="visit.visited_on", read_only=True)
    reason = serializers.CharField(source="visit.reason", read_only=True)
    findings = serializers.CharField(source="visit.findings", read_only=True)
    risk_found = serializers.BooleanField(source="visit.risk_found", read_only=True)
    new_risk_types = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    progress = MeasureProgressSerializer(many=True, read_only=True)

    class Meta:
        model = HelpVisit
        fields = [
            "id",
            "visit",
            "household",
            "subject",
            "visitor",
            "visitor_name",
            "visited_on",
            "reason",
            "findings",
            "risk_found",
            "income_change",
            "income_note",
            "food_clothing_ok",
            "education_ok",
            "medical_ok",
            "housing_ok",
            "water_ok",
            "new_risk_types",
            "progress",
        ]
        read_only_fields = fields


class ProgressInputSerializer(serializers.Serializer):
    measure = ScopedPrimaryKeyField(
        selector=measure_list, queryset=Measure.objects.all(), label="帮扶措施"
    )
    state = serializers.ChoiceField(choices=MeasureState.choices, label="措施状态")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HelpVisitCreateSerializer(serializers.Serializer):
    household = ScopedPrimaryKeyField(
        selector=_households, queryset=Household.objects.all(), label="农户"
    )
    visited_on = serializers.DateField(label="走访日期")
    reason = serializers.ChoiceField(
        choices=Visit.Reason.choices, required=False, default=Visit.Reason.ROUTINE
    )
    findings = serializers.CharField(label="走访情况")
    income_change = serializers.ChoiceField(
        choices=HelpVisit.IncomeChange.choices, required=False, default=HelpVisit.IncomeChange.SAME
    )
    income_note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    food_clothing_ok = serializers.BooleanField(required=False, default=True)
    education_ok = serializers.BooleanField(required=False, default=True)
    medical_ok = serializers.BooleanField(required=False, default=True)
    housing_ok = serializers.BooleanField(required=False, default=True)
    water_ok = serializers.BooleanField(required=False, default=True)
    new_risk_types = serializers.SlugRelatedField(
        slug_field="code", queryset=RiskType.objects.all(), many=True, required=False, default=list
    )
    progress = ProgressInputSerializer(many=True, required=False, default=list)
