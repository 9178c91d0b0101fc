"""Forms of the plan, measure and catalogue pages: they parse input only; the services in
``assistance.services.plans`` and ``.catalogue`` judge the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from households.forms.widgets import FastSelect, PlaceFilterForm
from households.models import Household, RiskType
from organization.models import Department, HelpUnit
from suixi_monitor.forms import date_field

from ..models import MeasureKind, PlanState


def _text(label: str, *, help_text: str = "", rows: int = 0) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(
        label=label, required=False, max_length=300, help_text=help_text, widget=widget
    )


class PlanForm(forms.Form):
    """三(八)1: the risks answered, the household's means and wishes, who made the plan."""

    made_on = date_field("制定日期", initial=timezone.localdate)
    risk_types = forms.ModelMultipleChoiceField(
        label="针对的风险",
        queryset=RiskType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="默认为监测对象的风险类型",
    )
    resources = _text("资源禀赋", help_text="如耕地、养殖条件、技能、房屋等", rows=2)
    wishes = _text("真实意愿", rows=2)
    abilities = _text("自身能力", rows=2)
    needs = _text("发展需求", rows=2)
    work_team = forms.CharField(label="驻村工作队", required=False, max_length=200)
    cadres = forms.CharField(label="镇村干部", required=False, max_length=200)
    helpers = forms.CharField(label="帮扶人", required=False, max_length=200)
    help_unit = forms.ModelChoiceField(
        label="帮扶单位", queryset=HelpUnit.objects.all(), required=False, empty_label="—"
    )
    no_development_reason = _text(
        "有劳动能力成员未安排产业就业措施的原因",
        help_text="三(八)2：有劳动能力的成员应有产业、就业或公益性岗位措施；确实不能安排的在此说明",
        rows=2,
    )


class MeasureForm(forms.Form):
    """一人一措施: one measure for a member or the whole household."""

    kind = forms.ModelChoiceField(label="措施类型", queryset=None, widget=FastSelect)
    member = forms.ModelChoiceField(
        label="帮扶对象成员", queryset=None, required=False, empty_label="全户"
    )
    description = _text("措施内容")
    department = forms.ModelChoiceField(
        label="责任部门", queryset=Department.objects.all(), required=False, empty_label="—"
    )
    responsible_person = forms.CharField(label="责任人", required=False, max_length=50)
    started_on = date_field("开始日期", past_only=False, required=False)
    planned_end_on = date_field("计划完成日期", past_only=False, required=False)
    amount = forms.DecimalField(
        label="金额（元）",
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text="涉及资金的措施填写，如小额信贷额度、救助金额",
    )
    result = _text("帮扶成效", help_text="如每月工资收入、增收金额")

    def __init__(self, *args, household: Household, current_kind: MeasureKind | None = None, **kw):
        super().__init__(*args, **kw)
        kinds = MeasureKind.objects.filter(is_active=True)
        if current_kind is not None:  # a retired kind stays on the measures that used it
            kinds = MeasureKind.objects.filter(pk=current_kind.pk) | kinds
        self.fields["kind"].queryset = kinds.order_by("order", "id")
        self.fields["member"].queryset = household.members.order_by("id")


class ActivateForm(forms.Form):
    activated_on = date_field("确认日期", initial=timezone.localdate)


class ReviewForm(forms.Form):
    reviewed_on = date_field("评估日期", initial=timezone.localdate)
    conclusion = forms.CharField(
        label="评估结论", max_length=500, widget=forms.Textarea(attrs={"rows": 4})
    )


class MeasureStartForm(forms.Form):
    on = date_field("开始实施日期", initial=timezone.localdate)


class MeasureCompleteForm(forms.Form):
    on = date_field("完成日期", initial=timezone.localdate)
    result = _text("帮扶成效", help_text="如每月工资收入、增收金额")


class MeasureStopForm(forms.Form):
    on = date_field("停止日期", initial=timezone.localdate)
    reason = forms.CharField(label="停止原因", max_length=300)


class PlanFilterForm(PlaceFilterForm):
    field_order = ["q", "state", "town", "village", "overdue"]

    q = forms.CharField(label="户主姓名", required=False, max_length=50)
    state = forms.ChoiceField(
        label="方案状态",
        required=False,
        choices=[("", "全部状态"), *PlanState.choices],
        widget=FastSelect,
    )
    overdue = forms.BooleanField(label="仅看评估超期", required=False)


class MeasureKindForm(forms.Form):
    name = forms.CharField(label="措施名称", max_length=50)
    group = forms.ChoiceField(label="措施大类", choices=MeasureKind.Group.choices)
    description = forms.CharField(label="说明", max_length=300, required=False)
    continues_after_exit = forms.BooleanField(
        label="退出后继续执行（如小额信贷、公益性岗位、雨露计划）", required=False
    )
    has_amount = forms.BooleanField(label="涉及金额", required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    order = forms.IntegerField(label="排序", min_value=0, max_value=32767, initial=0)
