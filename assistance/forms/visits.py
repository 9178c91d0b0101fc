"""A help visit (帮扶走访, 三(八)1) on a phone, and the filters of the visit lists."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from households.models import RiskType, Visit
from organization.models import User, Village
from suixi_monitor.forms import date_field

from ..models import HelpVisit, Measure, MeasureState
from ..services.visits import PROBLEM_LABELS, ProgressItem

# What a visit may find of an open measure (the services refuse a step backwards).
NEXT_STATES = {
    MeasureState.PLANNED: [
        MeasureState.PLANNED,
        MeasureState.IN_PROGRESS,
        MeasureState.DONE,
        MeasureState.STOPPED,
    ],
    MeasureState.IN_PROGRESS: [MeasureState.IN_PROGRESS, MeasureState.DONE, MeasureState.STOPPED],
}
PROBLEM_HELP = {
    "food_clothing_ok": "吃穿存在困难",
    "education_ok": "义务教育阶段有失学辍学",
    "medical_ok": "基本医疗未保障（未参保、看病难）",
    "housing_ok": "住房不安全",
    "water_ok": "饮水不安全",
}


class HelpVisitForm(forms.Form):
    visited_on = date_field("走访日期", initial=timezone.localdate)
    reason = forms.ChoiceField(
        label="走访事由", choices=Visit.Reason.choices, initial=Visit.Reason.ROUTINE
    )
    findings = forms.CharField(label="走访情况", widget=forms.Textarea(attrs={"rows": 3}))
    income_change = forms.ChoiceField(
        label="收入变化",
        choices=HelpVisit.IncomeChange.choices,
        initial=HelpVisit.IncomeChange.SAME,
        widget=forms.RadioSelect,
    )
    income_note = forms.CharField(label="收入情况", max_length=300, required=False)
    new_risk_types = forms.ModelMultipleChoiceField(
        label="新发现的风险",
        queryset=RiskType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, measures: list[Measure], **kwargs):
        super().__init__(*args, **kwargs)
        # 两不愁三保障及饮水安全: tick what is NOT secured; nothing ticked means all is well.
        for name, label in PROBLEM_HELP.items():
            self.fields[f"problem_{name}"] = forms.BooleanField(
                label=f"{PROBLEM_LABELS[name]}：{label}", required=False
            )
        self.measures = measures
        for measure in measures:
            states = NEXT_STATES.get(measure.state, [measure.state])
            self.fields[f"measure_{measure.pk}"] = forms.ChoiceField(
                label="现状",
                choices=[(s, MeasureState(s).label) for s in states],
                initial=measure.state,
            )
            self.fields[f"measure_{measure.pk}_note"] = forms.CharField(
                label="进展情况", max_length=300, required=False
            )
            self.fields[f"measure_{measure.pk}_reason"] = forms.CharField(
                label="停止原因（改为已停止时必填）", max_length=300, required=False
            )

    def problem_fields(self):
        return [self[f"problem_{name}"] for name in PROBLEM_LABELS]

    def main_fields(self):
        return [self[name] for name in ("visited_on", "reason", "findings")]

    def income_fields(self):
        return [self[name] for name in ("income_change", "income_note")]

    def measure_blocks(self):
        return [
            (
                measure,
                self[f"measure_{measure.pk}"],
                self[f"measure_{measure.pk}_note"],
                self[f"measure_{measure.pk}_reason"],
            )
            for measure in self.measures
        ]

    def service_data(self) -> dict:
        data = self.cleaned_data
        progress = [
            ProgressItem(
                measure=measure,
                state=data[f"measure_{measure.pk}"],
                note=data[f"measure_{measure.pk}_note"],
                reason=data[f"measure_{measure.pk}_reason"],
            )
            for measure in self.measures
            # A measure left as it was, with nothing written, is not part of the visit.
            if data[f"measure_{measure.pk}"] != measure.state or data[f"measure_{measure.pk}_note"]
        ]
        return {
            "visited_on": data["visited_on"],
            "reason": data["reason"],
            "findings": data["findings"],
            "income_change": data["income_change"],
            "income_note": data["income_note"],
            "new_risk_types": list(data["new_risk_types"]),
            "progress": progress,
            **{name: not data[f"problem_{name}"] for name in PROBLEM_LABELS},
        }


class DueFilterForm(forms.Form):
    overdue = forms.BooleanField(label="只看逾期", required=False)
    helper = forms.ModelChoiceField(label="帮扶人", queryset=User.objects.none(), required=False)
    village = forms.ModelChoiceField(label="村", queryset=Village.objects.none(), required=False)

    def __init__(self, *args, helpers, villages, show_helper: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers
        self.fields["village"].queryset = villages
        if not show_helper:
            del self.fields["helper"]


class MustVisitFilterForm(forms.Form):
    kind = forms.ChoiceField(label="必访类型", required=False)
    village = forms.ModelChoiceField(label="村", queryset=Village.objects.none(), required=False)

    def __init__(self, *args, kinds, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "全部六类"), *kinds]
        self.fields["village"].queryset = villages
