"""Serializers of the identification API: reads of a case, the inputs of each step, data sets."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from households.id_numbers import mask
from households.models import Household, Member, MonitoringSubject, RiskType
from households.selectors import household_scope_q
from organization.models import User, VillagerGroup
from organization.selectors import group_list
from organization.working_days import Clock
from suixi_monitor import jobs
from suixi_monitor.api import id_field

from .. import selectors
from ..models import (
    Announcement,
    CaseSource,
    ComparisonDataset,
    ComparisonHit,
    ComparisonKind,
    DatasetUpload,
    IdentificationCase,
    Objection,
    Publicity,
)
from ..models.steps import PUBLICITY_MAX_DAYS, TeamRole


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """Chosen by id among what the user may see; another scope's id is "不存在"."""

    def __init__(self, *, scoped, **kwargs):
        self.scoped = scoped
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped(self.context["request"].user)


RiskTypesField = serializers.SlugRelatedField(
    slug_field="code", queryset=RiskType.objects.all(), many=True, label="风险类型（代码）"
)


# --- read ----------------------------------------------------------------------------


class CasePublicitySerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    last_day = serializers.DateField(read_only=True)
    due_on = serializers.DateField(read_only=True)

    class Meta:
        model = Publicity
        fields = [
            "id",
            "level",
            "level_display",
            "started_on",
            "days",
            "last_day",
            "due_on",
            "outcome",
            "outcome_display",
            "concluded_at",
        ]
        read_only_fields = fields


class CaseObjectionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lodged_by_name = serializers.CharField(source="lodged_by.__str__", read_only=True)

    class Meta:
        model = Objection
        fields = [
            "id",
            "case",
            "publicity",
            "content",
            "raised_by_name",
            "lodged_on",
            "lodged_by",
            "lodged_by_name",
            "lodged_at",
            "status",
            "status_display",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    village = serializers.IntegerField(source="household.village_id", read_only=True)
    village_name = serializers.CharField(source="household.village.name", read_only=True)
    town = serializers.IntegerField(source="household.village.town_id", read_only=True)
    town_name = serializers.CharField(source="household.village.town.name", read_only=True)
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    risk_types = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    procedure_display = serializers.CharField(
        source="get_procedure_display",
        read_only=True,
        label="识别程序",
        help_text="申请日期所在年度的识别程序，申请时确定，办理中不变",
    )
    state_display = serializers.CharField(
        source="get_state_display", read_only=True, help_text="按该申请所按识别程序的环节名称"
    )
    has_consent_form = serializers.SerializerMethodField(label="已上传承诺授权书")
    days_waiting = serializers.SerializerMethodField(label="当前环节已停留天数")
    clock = serializers.ChoiceField(
        choices=Clock.choices,
        read_only=True,
        allow_null=True,
        label="办理时限状态",
        help_text="green 正常、orange 临期、red 超期（按工作日自申请日起算）；已办结的申请为 null",
    )
    overdue = serializers.SerializerMethodField(label="超期", help_text="clock 为 red")
    has_open_objection = serializers.BooleanField(read_only=True, default=False)
    announcement = serializers.SerializerMethodField(
        label="备案公告", help_text="县备案（三(七)7）的公告编号，如〔2021〕3号；未备案为 null"
    )

    class Meta:
        model = IdentificationCase
        fields = [
            "id",
            "household",
            "household_name",
            "village",
            "village_name",
            "town",
            "town_name",
            "applicant",
            "applicant_name",
            "applied_on",
            "hardship",
            "risk_types",
            "source",
            "source_display",
            "source_note",
            "procedure",
            "procedure_display",
            "consent_given",
            "consent_signed_on",
            "has_consent_form",
            "state",
            "state_display",
            "state_changed_at",
            "days_waiting",
            "due_on",
            "clock",
            "overdue",
            "has_open_objection",
            "announcement",
            "closed_step",
            "closed_reason",
            "monitoring_subject",
        ]
        read_only_fields = fields

    def get_has_consent_form(self, case: IdentificationCase) -> bool:
        """The scan itself is at ``consent-form/`` (each download logged)."""
        return bool(case.consent_form)

    def get_days_waiting(self, case: IdentificationCase) -> int:
        return selectors.days_waiting(case)

    def get_overdue(self, case: IdentificationCase) -> bool:
        return getattr(case, "clock", "") == Clock.RED

    def to_representation(self, case: IdentificationCase) -> dict:
        data = super().to_representation(case)
        data["clock"] = getattr(case, "clock", "") or None
        return data

    def get_announcement(self, case: IdentificationCase) -> str | None:
        try:
            filing = case.filing
        except ObjectDoesNotExist:
            return None
        return filing.announcement.label if filing.announcement_id else None


class CaseTimelineEntrySerializer(serializers.Serializer):
    step = serializers.CharField()
    day = serializers.DateField(allow_null=True)
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    summary = serializers.CharField()


class CaseDetailSerializer(CaseSerializer):
    timeline = serializers.SerializerMethodField()
    publicities = CasePublicitySerializer(many=True, read_only=True)
    objections = CaseObjectionSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "timeline", "publicities", "objections"]
        read_only_fields = fields

    @extend_schema(responses=CaseTimelineEntrySerializer(many=True))
    def get_timeline(self, case: IdentificationCase) -> list[dict]:
        return CaseTimelineEntrySerializer(selectors.case_timeline(case), many=True).data


# --- step inputs ---------------------------------------------------------------------


def _households(user: User):
    return Household.objects.filter(household_scope_q(user))


def _members(user: User):
    return Member.objects.filter(household_scope_q(user, "household__"))


class CaseApplySerializer(serializers.Serializer):
    household = ScopedPrimaryKeyField(
        scoped=_households, queryset=Household.objects.all(), label="农户"
    )
    applicant = ScopedPrimaryKeyField(
        scoped=_members, queryset=Member.objects.all(), label="申请人"
    )
    applied_on = serializers.DateField(label="申请日期")
    hardship = serializers.CharField(label="困难情况")
    risk_types = RiskTypesField
    source = serializers.ChoiceField(choices=CaseSource.choices, default=CaseSource.HOUSEHOLD)
    source_note = serializers.CharField(required=False, allow_blank=True, default="")
    consent_given = serializers.BooleanField(
        required=False,
        default=False,
        label="已签署承诺授权",
        help_text="2024年安徽省识别程序：农户自主申请的须为 true",
    )
    consent_signed_on = serializers.DateField(
        required=False, allow_null=True, default=None, label="承诺授权日期"
    )
    consent_form = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        label="承诺授权书扫描件（JPG、PNG或PDF，multipart 提交）",
    )


class CaseConsentSerializer(serializers.Serializer):
    """Anhui 2024 承诺授权: multipart with the scan, or JSON without it."""

    consent_signed_on = serializers.DateField(label="承诺授权日期")
    consent_form = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        label="承诺授权书扫描件（JPG、PNG或PDF）",
    )


class HomeCheckTeamMemberSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        label="系统用户",
    )
    name = serializers.CharField(required=False, allow_blank=True, default="", label="姓名")
    role = serializers.ChoiceField(choices=TeamRole.choices, label="身份")

    def validate(self, attrs):
        if not attrs.get("user") and not attrs.get("name", "").strip():
            raise serializers.ValidationError("请填写核查组成员姓名或选择系统用户")
        return attrs


class CaseVerifySerializer(serializers.Serializer):
    checked_on = serializers.DateField(label="核查日期")
    team = HomeCheckTeamMemberSerializer(many=True, label="核查组成员")
    findings = serializers.CharField(label="核查情况")
    passed = serializers.BooleanField(label="初核通过")
    sudden_change = serializers.BooleanField(default=False)
    medical_burden = serializers.BooleanField(default=False)
    housing_unsafe = serializers.BooleanField(default=False)
    schooling_interrupted = serializers.BooleanField(default=False)
    water_unsafe = serializers.BooleanField(default=False)


class CaseDeliberateSerializer(serializers.Serializer):
    group = ScopedPrimaryKeyField(
        scoped=lambda user: group_list(user=user),
        queryset=VillagerGroup.objects.all(),
        label="村民小组",
    )
    held_on = serializers.DateField(label="评议日期")
    expected = serializers.IntegerField(min_value=1, label="应参会人数")
    present = serializers.IntegerField(min_value=0, label="实到人数")
    approvals = serializers.IntegerField(min_value=0, label="赞成人数")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseDeliberateVillageSerializer(serializers.Serializer):
    """Anhui 2024 民主评议: one meeting at the village, no villager group."""

    held_on = serializers.DateField(label="评议日期")
    expected = serializers.IntegerField(min_value=1, max_value=10000, label="应参会人数")
    present = serializers.IntegerField(min_value=0, max_value=10000, label="实到人数")
    approvals = serializers.IntegerField(min_value=0, max_value=10000, label="赞成人数")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ComparisonJudgementSerializer(serializers.Serializer):
    record = id_field(label="比对数据ID")
    judgement = serializers.ChoiceField(choices=ComparisonHit.Judgement.choices)
    reason = serializers.CharField(label="研判理由")


class CaseCompareSerializer(serializers.Serializer):
    compared_on = serializers.DateField(label="比对日期")
    judgements = ComparisonJudgementSerializer(many=True, required=False, default=list)
    conclusion = serializers.CharField(required=False, allow_blank=True, default="")


class CasePublicizeVillageSerializer(serializers.Serializer):
    meeting_on = serializers.DateField(label="两委会议日期")
    decision = serializers.CharField(label="研究意见")
    publicity_started_on = serializers.DateField(label="公示开始日期")


def publicity_days_field(label: str, clause: str) -> serializers.IntegerField:
    """A publicity's days: optional (the policy's days), at least the policy's, at most a year."""
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=PUBLICITY_MAX_DAYS,
        label=label,
        help_text=f"不少于政策规定天数（{clause}），最多 365 天；不填按政策规定天数",
    )


class CaseApproveTownSerializer(serializers.Serializer):
    meeting_on = serializers.DateField(label="领导小组会议日期")
    approved = serializers.BooleanField(label="审定通过")
    opinion = serializers.CharField(label="审定意见")
    publicity_started_on = serializers.DateField(required=False, allow_null=True, default=None)
    publicity_days = publicity_days_field("镇公示天数", "三(七)6")


class CaseReviewTownSerializer(serializers.Serializer):
    """Anhui 2024 乡镇审核: passed, the case goes to the county (no town publicity)."""

    meeting_on = serializers.DateField(label="审核日期")
    approved = serializers.BooleanField(label="审核通过")
    opinion = serializers.CharField(label="审核意见")


class CaseFileSerializer(serializers.Serializer):
    filed_on = serializers.DateField(label="备案日期")
    category = serializers.ChoiceField(choices=MonitoringSubject.Category.choices)
    risk_types = RiskTypesField
    announcement = serializers.PrimaryKeyRelatedField(
        queryset=Announcement.objects.all(), required=False, allow_null=True, default=None
    )


class CaseApproveCountySerializer(serializers.Serializer):
    """Anhui 2024 县级审定公告: as the filing, dated by the county's approval."""

    approved_on = serializers.DateField(label="审定日期")
    category = serializers.ChoiceField(choices=MonitoringSubject.Category.choices)
    risk_types = RiskTypesField
    announcement = serializers.PrimaryKeyRelatedField(
        queryset=Announcement.objects.all(), required=False, allow_null=True, default=None
    )


class CaseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因")


class ObjectionLodgeSerializer(serializers.Serializer):
    content = serializers.CharField(label="异议内容")
    lodged_on = serializers.DateField(label="提出日期")
    raised_by_name = serializers.CharField(required=False, allow_blank=True, default="")


class ComparisonHitSerializer(serializers.Serializer):
    record = serializers.IntegerField(source="record.pk")
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.name")
    id_number = serializers.SerializerMethodField()
    kind = serializers.CharField(source="dataset.kind")
    kind_display = serializers.CharField(source="dataset.get_kind_display")
    dataset = serializers.IntegerField(source="dataset.pk")
    detail = serializers.CharField(source="record.detail")

    def get_id_number(self, hit) -> str:
        return mask(hit.member.id_number)


class ComparisonHitsSerializer(serializers.Serializer):
    """What ``comparison-hits`` answers (三(七)4): one object, not a paginated list."""

    hits = ComparisonHitSerializer(many=True, help_text="待判断的比对命中，每条须在 compare 时判断")
    missing_kinds = serializers.ListField(
        child=serializers.CharField(),
        help_text="尚无比对数据集的数据类别（名称）：比对前须先上传",
    )


class ComparisonDatasetSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default="")

    class Meta:
        model = ComparisonDataset
        fields = [
            "id",
            "kind",
            "kind_display",
            "as_of",
            "department",
            "department_name",
            "file_name",
            "row_count",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class ComparisonDatasetUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ComparisonKind.choices, label="比对类别")
    as_of = serializers.DateField(label="数据截止日期")
    file = serializers.FileField(label="文件（xlsx、xls或csv，含“身份证号”列）")


class DatasetUploadSerializer(serializers.ModelSerializer):
    """A comparison file read by a worker: poll ``url`` until ``status`` is done or failed."""

    url = serializers.HyperlinkedIdentityField(view_name="comparison-dataset-upload-detail")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default="")

    class Meta:
        model = DatasetUpload
        fields = [
            "id", "url", "kind", "kind_display", "as_of", "department", "department_name",
            "uploaded_by", "dataset", *jobs.API_FIELDS,
        ]  # fmt: skip
        read_only_fields = fields


class DatasetUploadDetailSerializer(DatasetUploadSerializer):
    errors = serializers.JSONField(read_only=True, help_text="行错误：row、column、value、reason")

    class Meta(DatasetUploadSerializer.Meta):
        fields = [*DatasetUploadSerializer.Meta.fields, "errors"]
        read_only_fields = fields
