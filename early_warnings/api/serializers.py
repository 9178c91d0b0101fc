"""Serializers of the warnings API: reads of each object, and the inputs of each action.

The writable fields are named after the service's keyword arguments (as the pages' forms
are), so a viewset passes ``**serializer.validated_data`` and the API's field names stay
the ones clients already send.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from households.id_numbers import mask
from households.models import Household, RiskType
from organization.models import Department, Notification, Town, Village
from suixi_monitor import jobs
from suixi_monitor.api import id_field

from ..models import Clue, DepartmentSweep, Result, Upload, Warning, WarningIndicator


class IndicatorSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.short_name", read_only=True)
    risk_type_name = serializers.CharField(source="risk_type.name", read_only=True)
    rule_label = serializers.CharField(read_only=True)

    class Meta:
        model = WarningIndicator
        fields = [
            "id", "department", "department_name", "code", "name", "risk_type", "risk_type_name",
            "unit", "rule", "threshold", "severe", "description", "active", "rule_label",
            "roster_status",
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
            "id", "department", "department_name", "period", "file", *jobs.API_FIELDS,
            "warnings_count", "clues_count",
        ]  # fmt: skip
        read_only_fields = [*jobs.API_FIELDS, "warnings_count", "clues_count"]


class UploadDetailSerializer(UploadSerializer):
    errors = serializers.JSONField(read_only=True)
    summary = serializers.JSONField(
        read_only=True,
        help_text="未生成预警的有效行：below_rule（按指标，低于阈值）、repeated（文件内重复）、"
        "already_written（此前上传已生成）、skipped_sheets（没有模板表头而未读取的工作表）",
    )

    class Meta(UploadSerializer.Meta):
        fields = [*UploadSerializer.Meta.fields, "errors", "summary"]


class DepartmentWarningSerializer(serializers.ModelSerializer):
    """What a department sees of its own rows: the person it reported and the outcome."""

    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    id_number = serializers.CharField(source="member.masked_id_number", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    # Blank until the village has verified it: the schema lists "" among the values.
    result = serializers.ChoiceField(choices=Result.choices, allow_blank=True, read_only=True)
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
    # Blank until the town has verified it: the schema lists "" among the values.
    result = serializers.ChoiceField(choices=Result.choices, allow_blank=True, read_only=True)

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
    ids = serializers.ListField(child=id_field(), allow_empty=False, max_length=1000)


class VerifySerializer(serializers.Serializer):
    verified_on = serializers.DateField(
        label="核实日期", required=False, allow_null=True, default=None
    )
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
    ids = serializers.ListField(child=id_field(), required=False)
