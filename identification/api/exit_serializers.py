"""Serializers of the exit API (三(九)): reads of an exit case, the inputs of each step."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from households.models import MonitoringSubject
from households.selectors import kept_village_scope_q
from organization.models import User

from ..models import ExitCase
from ..selectors.exits import exit_timeline
from .serializers import (
    CaseObjectionSerializer,
    CasePublicitySerializer,
    CaseTimelineEntrySerializer,
    HomeCheckTeamMemberSerializer,
    ScopedPrimaryKeyField,
    publicity_days_field,
)


class ExitCaseSerializer(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    village = serializers.IntegerField(source="household.village_id", read_only=True)
    village_name = serializers.CharField(source="household.village.name", read_only=True)
    town = serializers.IntegerField(source="household.village.town_id", read_only=True)
    town_name = serializers.CharField(source="household.village.town.name", read_only=True)
    round = serializers.IntegerField(source="town_round.round_id", read_only=True)
    round_label = serializers.CharField(source="town_round.round.label", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    has_open_objection = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = ExitCase
        fields = [
            "id",
            "subject",
            "household",
            "household_name",
            "village",
            "village_name",
            "town",
            "town_name",
            "round",
            "round_label",
            "town_round",
            "proposed_on",
            "reason",
            "state",
            "state_display",
            "state_changed_at",
            "returned_step",
            "returned_reason",
            "closed_step",
            "closed_reason",
            "filed_on",
            "has_open_objection",
        ]
        read_only_fields = fields


class ExitObjectionSerializer(CaseObjectionSerializer):
    class Meta(CaseObjectionSerializer.Meta):
        fields = [
            "exit_case" if name == "case" else name for name in CaseObjectionSerializer.Meta.fields
        ]
        read_only_fields = fields


class ExitCaseDetailSerializer(ExitCaseSerializer):
    timeline = serializers.SerializerMethodField()
    publicities = CasePublicitySerializer(many=True, read_only=True)
    objections = ExitObjectionSerializer(many=True, read_only=True)

    class Meta(ExitCaseSerializer.Meta):
        fields = [*ExitCaseSerializer.Meta.fields, "timeline", "publicities", "objections"]
        read_only_fields = fields

    @extend_schema(responses=CaseTimelineEntrySerializer(many=True))
    def get_timeline(self, case: ExitCase) -> list[dict]:
        return CaseTimelineEntrySerializer(exit_timeline(case), many=True).data


# --- step inputs ---------------------------------------------------------------------


def _subjects(user: User):
    return MonitoringSubject.objects.filter(kept_village_scope_q(user))


class ExitProposeSerializer(serializers.Serializer):
    subject = ScopedPrimaryKeyField(
        scoped=_subjects, queryset=MonitoringSubject.objects.all(), label="监测对象"
    )
    proposed_on = serializers.DateField(label="上报日期")
    reason = serializers.CharField(label="拟退出理由")


class ExitVerifySerializer(serializers.Serializer):
    checked_on = serializers.DateField(label="核实日期")
    team = HomeCheckTeamMemberSerializer(many=True, label="核实组成员")
    per_capita_income = serializers.DecimalField(
        max_digits=12, decimal_places=2, label="核实人均纯收入（元）"
    )
    education_secured = serializers.BooleanField(label="义务教育有保障")
    medical_secured = serializers.BooleanField(label="基本医疗有保障")
    housing_secured = serializers.BooleanField(label="住房安全有保障")
    water_secured = serializers.BooleanField(label="饮水安全有保障")
    measures_note = serializers.CharField(label="帮扶措施落实情况")
    findings = serializers.CharField(required=False, allow_blank=True, default="")


class ExitEvaluateSerializer(serializers.Serializer):
    held_on = serializers.DateField(label="评估会议日期")
    present = serializers.CharField(label="参会人员", help_text="姓名，每行一人或以“、”分隔")
    passed = serializers.BooleanField(label="评估通过")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", label="评估意见（退回须填写）"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExitPublicizeSerializer(serializers.Serializer):
    started_on = serializers.DateField(label="公示开始日期")
    days = publicity_days_field("公示天数", "三(九)")


class ExitFileSerializer(serializers.Serializer):
    filed_on = serializers.DateField(label="备案日期")
    note = serializers.CharField(required=False, allow_blank=True, default="")
