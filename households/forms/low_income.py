"""Entering and ending a social-assistance status by hand (民政 低收入人口)."""

from __future__ import annotations

from django import forms

from suixi_monitor.forms import date_field

from ..models import LowIncomeStatus


class LowIncomeStatusForm(forms.Form):
    kind = forms.ChoiceField(label="救助类别", choices=LowIncomeStatus.Kind.choices)
    started_on = date_field("起始日期")
    note = forms.CharField(
        label="依据", max_length=150, required=False, help_text="如民政审批文号、审批日期"
    )


class LowIncomeStatusEndForm(forms.Form):
    ended_on = date_field("终止日期", help_text="不再具有该身份的第一天")
    reason = forms.CharField(label="终止原因", max_length=150)
