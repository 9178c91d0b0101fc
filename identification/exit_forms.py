"""Forms for the exit steps (三(九)): they parse input only; the services judge the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from organization.models import User
from suixi_monitor.forms import date_field

from .forms import TeamFieldsMixin
from .models import ExitRound, ExitState
from .models.steps import PUBLICITY_MAX_DAYS


class ProposeForm(forms.Form):
    proposed_on = date_field("上报日期", initial=timezone.localdate)
    reason = forms.CharField(
        label="拟退出理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="家庭困难状况明显好转、风险消除的情况（收入、就业、三保障和饮水）",
    )


class ExitVerifyForm(TeamFieldsMixin, forms.Form):
    checked_on = date_field("核实日期", initial=timezone.localdate)
    per_capita_income = forms.DecimalField(
        label="核实人均纯收入（元）", max_digits=12, decimal_places=2, min_value=0
    )
    education_secured = forms.BooleanField(label="义务教育有保障", required=False)
    medical_secured = forms.BooleanField(label="基本医疗有保障", required=False)
    housing_secured = forms.BooleanField(label="住房安全有保障", required=False)
    water_secured = forms.BooleanField(label="饮水安全有保障", required=False)
    measures_note = forms.CharField(
        label="帮扶措施落实情况", widget=forms.Textarea(attrs={"rows": 3})
    )
    findings = forms.CharField(
        label="核实情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, candidates, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_team_fields(candidates=candidates, actor=actor)


RESULT_CHOICES = [("pass", "评估通过"), ("return", "退回村级"), ("", "本次不评估")]


class EvaluateForm(forms.Form):
    """One meeting, and a result for each verified case of the town's round."""

    held_on = date_field("评估会议日期", initial=timezone.localdate)
    present = forms.CharField(
        label="参会人员",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一人，或以“、”分隔",
    )
    note = forms.CharField(
        label="会议情况", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = list(cases)
        for case in self.cases:
            self.fields[f"result_{case.pk}"] = forms.ChoiceField(
                label=f"{case.household.head_name}户（{case.household.village.name}）",
                choices=RESULT_CHOICES,
                required=False,
                initial="pass",
                widget=forms.RadioSelect,
            )
            self.fields[f"reason_{case.pk}"] = forms.CharField(
                label="退回原因", required=False, max_length=500
            )

    def rows(self):
        return [(case, self[f"result_{case.pk}"], self[f"reason_{case.pk}"]) for case in self.cases]

    def results(self) -> list[tuple]:
        """(case, passed, reason) for each case the meeting decided."""
        chosen = []
        for case in self.cases:
            result = self.cleaned_data.get(f"result_{case.pk}")
            if result:
                chosen.append(
                    (case, result == "pass", self.cleaned_data.get(f"reason_{case.pk}", ""))
                )
        return chosen


class ExitPublicizeForm(forms.Form):
    started_on = date_field("公示开始日期", initial=timezone.localdate)
    days = forms.IntegerField(
        label="公示天数", min_value=1, max_value=PUBLICITY_MAX_DAYS, required=False
    )


class ExitFileForm(forms.Form):
    filed_on = date_field("备案日期", initial=timezone.localdate)
    note = forms.CharField(
        label="备案意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExitFilterForm(forms.Form):
    q = forms.CharField(label="户主姓名", required=False)
    round = forms.TypedChoiceField(label="退出批次", required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label="环节", required=False)
    village = forms.TypedChoiceField(label="村", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [
            ("", "全部"),
            *((r.pk, r.label) for r in ExitRound.objects.order_by("-year", "-half")),
        ]
        self.fields["state"].choices = [("", "全部"), *ExitState.choices]
        self.fields["village"].choices = [("", "全部"), *((v.pk, str(v)) for v in villages)]
