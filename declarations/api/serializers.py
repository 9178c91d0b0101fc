from __future__ import annotations

from typing import Any

from rest_framework import serializers

from households.id_numbers import mask
from households.models import RiskType
from organization.models import Village

from ..models import NAME_MAX, NOTE_MAX, WORDS_MAX, Declaration, DeclineReason, State
from ..selectors import clock_of, warn_working_days


class SubmitSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX, help_text="姓名")
    id_number = serializers.CharField(max_length=30, help_text="18位身份证号")
    phone = serializers.CharField(max_length=20, help_text="11位手机号")
    village = serializers.PrimaryKeyRelatedField(
        queryset=Village.objects.all(), help_text="所在村（社区）的编号"
    )
    risk_types = serializers.PrimaryKeyRelatedField(
        queryset=RiskType.objects.all(), many=True, help_text="困难类型（风险类型）编号，至少一个"
    )
    words = serializers.CharField(
        max_length=WORDS_MAX, required=False, allow_blank=True, help_text="简要说明"
    )
    consent = serializers.BooleanField(help_text="已阅读并同意个人信息使用说明，须为 true")


class ReceiptSerializer(serializers.Serializer):
    receipt_code = serializers.CharField(help_text="回执码：凭它和手机号查询办理进度")
    merged = serializers.BooleanField(
        help_text="该身份证号已有未办结的申报，本次已并入，回执码不变"
    )
    status = serializers.ChoiceField(choices=State.choices)
    status_display = serializers.CharField()


class StatusQuerySerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text="回执码")
    phone = serializers.CharField(max_length=20, help_text="申报时填写的手机号")


class PublicStatusSerializer(serializers.Serializer):
    """Only the state (and a refusal's category): nothing about people or the household."""

    status = serializers.ChoiceField(choices=State.choices)
    status_display = serializers.CharField(source="public_status")
    decline_reason = serializers.ChoiceField(choices=DeclineReason.choices, allow_blank=True)


class DeclarationSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    town = serializers.IntegerField(source="village.town_id", read_only=True)
    town_name = serializers.CharField(source="village.town.name", read_only=True)
    decline_reason_display = serializers.CharField(
        source="get_decline_reason_display", read_only=True
    )
    clock = serializers.SerializerMethodField(
        help_text="答复时限：green 正常、orange 临期、red 超期；已答复为空"
    )
    repeat_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Declaration
        fields = [
            "id", "receipt_code", "name", "id_number", "phone", "town", "town_name", "village",
            "village_name", "declared_village", "risk_types", "words", "received_at", "due_on",
            "clock", "state", "state_display", "household", "case", "answered_at",
            "answer_working_days", "decline_reason", "decline_reason_display", "decline_note",
            "repeat_count",
        ]  # fmt: skip
        read_only_fields = fields

    def get_clock(self, declaration: Declaration) -> str | None:
        # The year's warning window, read once per response (a list has many rows).
        if "warn_working_days" not in self.context:
            self.context["warn_working_days"] = warn_working_days()
        clock = clock_of(declaration, warn=self.context["warn_working_days"])
        return clock.value if clock else None

    def to_representation(self, declaration: Declaration) -> dict[str, Any]:
        data = super().to_representation(declaration)
        if not self.context["request"].user.can_see_full_id_numbers:
            data["id_number"] = mask(declaration.id_number)
        return data


class AcceptSerializer(serializers.Serializer):
    hardship = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="写入识别申请的困难情况；留空用申报说明",
    )
    risk_types = serializers.PrimaryKeyRelatedField(
        queryset=RiskType.objects.all(), many=True, required=False, help_text="留空用申报所选类型"
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=DeclineReason.choices, help_text="未纳入原因类别（申报人可见）"
    )
    note = serializers.CharField(max_length=NOTE_MAX, help_text="具体说明（镇、村可见）")
