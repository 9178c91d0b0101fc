"""Forms for the steps: they parse input only; the services judge the rules."""

from __future__ import annotations

import copy

from django import forms
from django.utils import timezone

from households.models import Household, MonitoringSubject, RiskType
from organization.models import User
from organization.working_days import Clock
from suixi_monitor.forms import date_field

from .models import (
    Announcement,
    CaseSource,
    CaseState,
    ComparisonHit,
    ComparisonKind,
    ExitRound,
    IdentificationCase,
    ReReview,
    SpotCheckItem,
)
from .models.steps import PUBLICITY_MAX_DAYS, TeamRole
from .services import TeamMember

TEAM_ROWS = 6


# Dates of the steps are recorded after the fact, never ahead: the shared picker, ISO, up to today.


def risk_types_field(**kwargs) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="风险类型",
        queryset=RiskType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


class ApplyForm(forms.Form):
    applicant = forms.ModelChoiceField(label="申请人（家庭成员）", queryset=None)
    applied_on = date_field("申请日期", initial=timezone.localdate)
    hardship = forms.CharField(label="困难情况", widget=forms.Textarea(attrs={"rows": 4}))
    risk_types = risk_types_field()
    source = forms.ChoiceField(
        label="来源", choices=CaseSource.choices, initial=CaseSource.HOUSEHOLD
    )
    source_note = forms.CharField(
        label="来源说明",
        required=False,
        help_text="如预警编号、走访日期、线索来源（12317、12345、信访等）",
    )

    def __init__(self, *args, household: Household, consent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = household.members.all()
        if consent:  # Anhui 2024: the application carries the household's signed consent
            self.fields.update(ConsentForm.consent_fields())
        head = household.members.filter(relation="head").first()
        if head:
            self.fields["applicant"].initial = head.pk

    @staticmethod
    def prefill(query) -> dict:
        """Initial values from a link (e.g. a help visit's "发起识别申请": ``source=visit``,
        ``source_note``, ``hardship``, ``risk_types``); anything unknown is left out."""
        initial: dict = {}
        if query.get("source") in CaseSource.values:
            initial["source"] = query["source"]
        for name, limit in (("source_note", 200), ("hardship", 2000)):
            if query.get(name):
                initial[name] = query[name][:limit]
        ids = [v for v in query.getlist("risk_types") if v.isdigit()]
        if ids:
            initial["risk_types"] = list(RiskType.objects.filter(pk__in=ids))
        return initial


class ConsentForm(forms.Form):
    """Anhui 2024 承诺授权: the signed consent's date and an optional scan or photo."""

    consent_signed_on = date_field("承诺授权日期", initial=timezone.localdate)
    consent_form = forms.FileField(
        label="承诺授权书扫描件或照片", required=False, help_text="可选；JPG、PNG或PDF"
    )

    @classmethod
    def consent_fields(cls) -> dict[str, forms.Field]:
        """The fields the application form adds, the consent itself first and optional (an
        application opened from a warning, clue or visit records it later)."""
        fields: dict[str, forms.Field] = {
            "consent_given": forms.BooleanField(
                label="农户已签署承诺授权书（同意核查家庭收入、财产等信息）",
                required=False,
                help_text="2024年安徽省识别程序：农户自主申请的须签署；"
                "由预警、线索、走访发起的可在入户核查前登记",
            )
        }
        for name, field in cls.base_fields.items():
            fields[name] = copy.deepcopy(field)
            fields[name].required = False
        return fields


class TeamFieldsMixin:
    """The home-check team as rows of (user, or a name typed in, role): the identification
    home check (三(七)2) and the exit home check (三(九)) take the same team."""

    def add_team_fields(self, *, candidates, actor: User) -> None:
        for i in range(TEAM_ROWS):
            self.fields[f"team_{i}_user"] = forms.ModelChoiceField(
                label="系统用户", queryset=candidates, required=False
            )
            self.fields[f"team_{i}_name"] = forms.CharField(
                label="或填写姓名", required=False, max_length=50
            )
            self.fields[f"team_{i}_role"] = forms.ChoiceField(
                label="身份", choices=TeamRole.choices, required=False
            )
        self.fields["team_0_user"].initial = actor.pk
        self.fields["team_0_role"].initial = TeamRole.VILLAGE_COMMITTEE

    def team_rows(self):
        return [
            (self[f"team_{i}_user"], self[f"team_{i}_name"], self[f"team_{i}_role"])
            for i in range(TEAM_ROWS)
        ]

    def team(self) -> list[TeamMember]:
        members = []
        for i in range(TEAM_ROWS):
            user = self.cleaned_data.get(f"team_{i}_user")
            name = self.cleaned_data.get(f"team_{i}_name", "")
            role = self.cleaned_data.get(f"team_{i}_role") or ""
            if user or name.strip():
                if not role:
                    self.add_error(f"team_{i}_role", "请选择该成员的身份")
                members.append(TeamMember(role=role, user=user, name=name))
        return members

    def step_data(self) -> dict:
        data = dict(self.cleaned_data)
        for key in list(data):
            if key.startswith("team_"):
                del data[key]
        return data


class VerifyForm(TeamFieldsMixin, forms.Form):
    checked_on = date_field("核查日期", initial=timezone.localdate)
    sudden_change = forms.BooleanField(
        label="三(六)二：因天灾人祸等意外变故收入骤减、支出骤增", required=False
    )
    medical_burden = forms.BooleanField(
        label="三(六)三：因刚性医疗支出较大导致基本生活严重困难", required=False
    )
    housing_unsafe = forms.BooleanField(
        label="三(六)三：住房安全等级鉴定为C级或D级，无力修缮", required=False
    )
    schooling_interrupted = forms.BooleanField(
        label="三(六)三：因家庭困难导致适龄儿童少年无法接受义务教育", required=False
    )
    water_unsafe = forms.BooleanField(label="三(六)三：饮水安全受到严重影响", required=False)
    findings = forms.CharField(label="核查情况", widget=forms.Textarea(attrs={"rows": 4}))
    passed = forms.TypedChoiceField(
        label="初核结论",
        choices=[("1", "初核通过"), ("0", "初核不通过（申请终止，原因见核查情况）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )

    def __init__(self, *args, candidates, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_team_fields(candidates=candidates, actor=actor)


class DeliberateForm(forms.Form):
    group = forms.ModelChoiceField(label="村民小组", queryset=None)
    held_on = date_field("评议日期", initial=timezone.localdate)
    expected = forms.IntegerField(label="应参会人数", min_value=1)
    present = forms.IntegerField(label="实到人数", min_value=0)
    approvals = forms.IntegerField(label="赞成人数", min_value=0)
    note = forms.CharField(
        label="评议情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case: IdentificationCase, village: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if village:  # Anhui 2024 民主评议: one meeting at the village, no villager group
            del self.fields["group"]
            return
        # 三(七)3: the meeting is the household's own 村民小组; offered chosen, else the village's
        # only group, so the monitor changes it only for a household recorded without one.
        groups = case.household.village.groups.all()
        self.fields["group"].queryset = groups
        self.fields["group"].empty_label = "请选择村民小组"
        group_id = case.household.group_id
        if group_id is None:
            only = list(groups.values_list("pk", flat=True)[:2])
            group_id = only[0] if len(only) == 1 else None
        if group_id is not None and "group" not in self.initial:
            self.initial["group"] = group_id
            self.fields["group"].help_text = (
                "已选定该户登记的村民小组" if case.household.group_id else "本村只有这一个村民小组"
            )


class CompareForm(forms.Form):
    compared_on = date_field("比对日期", initial=timezone.localdate)
    conclusion = forms.CharField(
        label="比对结论", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, hits, **kwargs):
        super().__init__(*args, **kwargs)
        self.hits = hits
        for hit in hits:
            pk = hit.record.pk
            self.fields[f"judgement_{pk}"] = forms.ChoiceField(
                label="研判结果", choices=[("", "请选择"), *ComparisonHit.Judgement.choices]
            )
            self.fields[f"reason_{pk}"] = forms.CharField(label="研判理由", max_length=500)

    def hit_rows(self):
        return [
            (hit, self[f"judgement_{hit.record.pk}"], self[f"reason_{hit.record.pk}"])
            for hit in self.hits
        ]

    def judgements(self) -> dict[int, tuple[str, str]]:
        return {
            hit.record.pk: (
                self.cleaned_data[f"judgement_{hit.record.pk}"],
                self.cleaned_data[f"reason_{hit.record.pk}"],
            )
            for hit in self.hits
        }


class PublicizeVillageForm(forms.Form):
    meeting_on = date_field("村两委会议日期", initial=timezone.localdate)
    decision = forms.CharField(
        label="研究意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="经村两委会议研究，同意纳入监测对象，予以公示。",
    )
    publicity_started_on = date_field("村公示开始日期", initial=timezone.localdate)


class ApproveTownForm(forms.Form):
    meeting_on = date_field("领导小组会议日期", initial=timezone.localdate)
    approved = forms.TypedChoiceField(
        label="审定结果",
        choices=[("1", "审定通过，予以公示"), ("0", "审定不通过（申请终止）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    opinion = forms.CharField(label="审定意见", widget=forms.Textarea(attrs={"rows": 3}))
    publicity_started_on = date_field("镇公示开始日期", required=False, initial=timezone.localdate)
    publicity_days = forms.IntegerField(
        label="镇公示天数",
        required=False,
        min_value=1,
        max_value=PUBLICITY_MAX_DAYS,
        help_text="不少于政策规定天数；不填按政策规定天数",
    )


class ReviewTownForm(forms.Form):
    """Anhui 2024 乡镇审核: no town publicity follows."""

    meeting_on = date_field("审核日期", initial=timezone.localdate)
    approved = forms.TypedChoiceField(
        label="审核结果",
        choices=[("1", "审核通过，报县级审定"), ("0", "审核不通过（申请终止）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    opinion = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 3}))


class AnnouncementFieldsForm(forms.Form):
    """What the county's filing (三(七)7) and Anhui 2024's approval both record."""

    category = forms.ChoiceField(label="监测对象类别", choices=MonitoringSubject.Category.choices)
    risk_types = risk_types_field()
    announcement = forms.ModelChoiceField(
        label="公告",
        queryset=Announcement.objects.none(),
        required=False,
        empty_label="新编公告号（自动按年度顺序编号）",
        help_text="同一批备案可列入本年度已有的公告",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["announcement"].queryset = Announcement.objects.filter(
            year=timezone.localdate().year
        ).order_by("-number")


class FileForm(AnnouncementFieldsForm):
    filed_on = date_field("备案日期", initial=timezone.localdate)
    field_order = ["filed_on"]


class ApproveCountyForm(AnnouncementFieldsForm):
    """Anhui 2024 县级审定公告: as the filing, dated by the county's approval."""

    approved_on = date_field("审定日期", initial=timezone.localdate)
    field_order = ["approved_on"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 3}))


class ObjectionForm(forms.Form):
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 3}))
    raised_by_name = forms.CharField(label="异议提出人", required=False, max_length=50)
    lodged_on = date_field("提出日期", initial=timezone.localdate)


class ObjectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理结果",
        choices=[
            ("dismiss", "异议不成立，继续公示"),
            ("uphold", "异议成立，退回重新入户核查（复核）"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 3}))


class DatasetUploadForm(forms.Form):
    kind = forms.ChoiceField(label="比对类别", choices=ComparisonKind.choices)
    as_of = date_field("数据截止日期", initial=timezone.localdate)
    file = forms.FileField(
        label="数据文件",
        help_text="xlsx、xls、ods 或 csv；须有“身份证号”列（设为文本格式），可有“姓名”和其他说明列；各工作表均会读取",
    )


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="户主姓名", required=False)
    town = forms.IntegerField(label="镇（园区）", required=False, widget=forms.Select)
    state = forms.ChoiceField(label="环节", required=False)
    source = forms.ChoiceField(
        label="来源", required=False, choices=[("", "全部"), *CaseSource.choices]
    )
    clock = forms.ChoiceField(
        label="办理时限",
        required=False,
        choices=[("", "全部"), *((clock.value, clock.label) for clock in Clock)],
    )
    queue = forms.CharField(required=False, widget=forms.HiddenInput)
    # A town's dashboard links into one village's cases.
    village = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "全部"), *CaseState.choices]
        self.fields["town"].widget.choices = [("", "全部"), *((t.pk, t.name) for t in towns)]


# --- exit rounds, the spot check and re-review (三(九)(十)) ---------------------------------


class RoundOpenForm(forms.Form):
    """The county opens a half-year's round by hand (三(十))."""

    year = forms.IntegerField(label="年度", min_value=2021, max_value=2100)
    half = forms.TypedChoiceField(label="半年", choices=ExitRound.Half.choices, coerce=int)
    on = date_field("开启日期", initial=timezone.localdate)


class SpotCheckDrawForm(forms.Form):
    seed = forms.CharField(
        label="抽样种子",
        required=False,
        max_length=64,
        help_text="留空则由系统生成；同一种子对同一名单总是抽中相同的户，可据此复核抽样。",
    )


class SpotCheckVerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        label="抽查结论",
        choices=[(v, label) for v, label in SpotCheckItem.Verdict.choices if v],
        widget=forms.RadioSelect,
    )
    wrong_reason = forms.ChoiceField(
        label="错退原因",
        choices=[("", "—")] + list(SpotCheckItem.WrongReason.choices),
        required=False,
    )
    note = forms.CharField(
        label="抽查情况", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    checked_on = date_field("抽查日期", initial=timezone.localdate)


class ReReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="重新审核认定",
        choices=[(v, label) for v, label in ReReview.choices if v],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="认定意见", widget=forms.Textarea(attrs={"rows": 2}))
