"""Pairing a household (帮扶结对, 三(八)1) and ending a pairing: the shape of the input only."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from households.models import Household
from organization.models import User
from suixi_monitor.forms import date_field

from ..selectors.pairing import (
    helper_candidates,
    town_cadre_candidates,
    village_cadre_candidates,
)


class UserChoiceField(forms.ModelChoiceField):
    """A person in a pick-list: the name, the role and the help unit or place."""

    def label_from_instance(self, obj: User) -> str:
        where = obj.help_unit.name if obj.help_unit_id else obj.get_role_display()
        return f"{obj}（{where}）"


class PairForm(forms.Form):
    """For a 脱贫户: one 帮扶责任人; for any other household: a town and a village cadre."""

    started_on = date_field("结对日期", initial=timezone.localdate)
    reason = forms.CharField(label="调整原因", max_length=300, required=False)

    def __init__(self, *args, household: Household, alleviated: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.alleviated = alleviated
        if alleviated:
            self.fields["helper"] = UserChoiceField(
                label="帮扶责任人",
                queryset=helper_candidates(household=household).select_related("help_unit"),
                help_text="三(八)1：原则上原帮扶责任人不脱钩；需调整的由原帮扶单位继续派出，并填写调整原因。",
            )
            self.fields["reason"].help_text = "更换帮扶责任人时必填"
        else:
            self.fields["town_cadre"] = UserChoiceField(
                label="镇级帮扶联系人",
                queryset=town_cadre_candidates(household=household).select_related("help_unit"),
                help_text="三(八)1：由镇、村二级干部结对联系帮扶。本镇（园区）干部或本镇帮扶干部。",
            )
            self.fields["village_cadre"] = UserChoiceField(
                label="村级帮扶联系人",
                queryset=village_cadre_candidates(household=household).select_related("help_unit"),
                help_text="本村防贫监测员或本村帮扶干部。",
            )
        self.order_fields(["helper", "town_cadre", "village_cadre", "started_on", "reason"])

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["on"] = data.pop("started_on")
        return data


class AssignmentEndForm(forms.Form):
    ended_on = date_field("解除日期", initial=timezone.localdate)
    reason = forms.CharField(label="解除原因", max_length=300)
