"""Monitoring subjects (三(一)): filing one, its risk types, marking it out, the list's filters."""

from __future__ import annotations

from django import forms

from suixi_monitor.forms import DateInput

from ..models import MonitoringSubject, RiskType
from .widgets import FastSelect, PlaceFilterForm


class MonitoringSubjectForm(forms.Form):
    category = forms.ChoiceField(label="监测对象类别", choices=MonitoringSubject.Category.choices)
    risk_types = forms.ModelMultipleChoiceField(
        label="风险类型",
        queryset=RiskType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一种风险类型"},
    )
    started_on = forms.DateField(
        label="纳入监测日期",
        widget=DateInput(past_only=True),
    )
    note = forms.CharField(label="备注", max_length=300, required=False)


class SubjectRisksForm(forms.Form):
    """三(四)2: what a visit or a verified warning finds changes a subject's risk types."""

    risk_types = forms.ModelMultipleChoiceField(
        label="风险类型",
        queryset=RiskType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一种风险类型"},
    )


class SubjectFilterForm(PlaceFilterForm):
    field_order = ["q", "category", "status", "town", "village"]

    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "户主或成员姓名、身份证号", "type": "search"}),
    )

    category = forms.ChoiceField(
        label="类别",
        required=False,
        choices=[("", "全部类别"), *MonitoringSubject.Category.choices],
        widget=FastSelect,
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *MonitoringSubject.Status.choices],
        widget=FastSelect,
    )
