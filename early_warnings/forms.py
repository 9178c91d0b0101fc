"""Browser forms for warnings; the services keep the rules, these only shape the input.

A form's fields are named after its service's keyword arguments, so a view passes
``**form.cleaned_data`` and a refusal keyed by argument lands on the field it names.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from households.id_numbers import normalize_id_number
from households.models import Household, RiskType
from households.selectors import household_list
from organization.models import Department, PolicySettings, Role, Town, Village
from organization.selectors import village_list
from suixi_monitor.forms import date_field

from .models import Clue, Result, WarningIndicator, previous_period


class UploadForm(forms.Form):
    period = forms.CharField(
        label="数据月份",
        widget=forms.DateInput(attrs={"type": "month"}),
    )
    department = forms.ModelChoiceField(label="部门", queryset=Department.objects.all())
    file = forms.FileField(
        label="预警信息文件",
        help_text="xlsx、xls、ods 或 csv，请使用本部门模板",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period"].initial = previous_period(today)
        due_day = PolicySettings.current(today).warning_due_day
        self.fields[
            "period"
        ].help_text = f"文件所报数据的月份；每月{due_day}日前上报上月数据（三(四)2）"
        # app.js says before the file is sent whether the chosen month's due day has passed.
        self.fields["period"].widget.attrs.update(
            {"data-due-day": str(due_day), "data-today": today.isoformat()}
        )
        if user.role == Role.DEPARTMENT_STAFF:
            del self.fields["department"]


class VerifyForm(forms.Form):
    verified_on = date_field(
        "核实日期",
        required=False,
        initial=timezone.localdate,
        help_text="入户核实之日，可补录，不能晚于今天；不填为今天",
    )
    result = forms.ChoiceField(label="核实结果", choices=Result.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="核实情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="无风险时必须写明理由；纳入监测时写明家庭困难情况；"
        "转为线索/其他救助时写明风险情况和转介的救助措施",
    )
    risk_types = forms.ModelMultipleChoiceField(
        label="补充风险类型（已是监测对象时）",
        queryset=RiskType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ClueVerifyForm(forms.Form):
    result = forms.ChoiceField(label="核实结果", choices=Result.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="核实情况", widget=forms.Textarea(attrs={"rows": 3}))
    household = forms.ModelChoiceField(
        label="对应台账农户",
        queryset=Household.objects.none(),
        required=False,
        help_text="已是监测对象或纳入监测时必选；不在台账中的请先登记农户",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = household_list(user=user).order_by("head_name")


class ClueForm(forms.ModelForm):
    class Meta:
        model = Clue
        fields = [
            "source",
            "name",
            "id_number",
            "phone",
            "address",
            "description",
            "town",
            "village",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Typed with spaces or full-width digits it is longer than 18 until it is cleaned.
        self.fields["id_number"].max_length = None
        self.fields["id_number"].validators = []
        self.fields["id_number"].widget.attrs.pop("maxlength", None)
        self.fields["source"].choices = [
            c for c in Clue.Source.choices if c[0] != Clue.Source.DEPARTMENT
        ]
        self.fields["village"].queryset = village_list(user=user)
        if user.role == Role.TOWN_OFFICIAL:
            del self.fields["town"]
        else:
            self.fields["town"].queryset = Town.objects.all()
            self.fields["town"].help_text = "线索转交核实的镇（园区）；不选则由县扶贫局转交"

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        return normalize_id_number(value) if value else ""


class VillageChoiceForm(forms.Form):
    village = forms.ModelChoiceField(label="核实的村", queryset=Village.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = village_list(user=user)


class RouteForm(forms.Form):
    town = forms.ModelChoiceField(label="转交镇（园区）", queryset=Town.objects.all())
    village = forms.ModelChoiceField(
        label="村（可选）", queryset=Village.objects.all(), required=False
    )


class SweepForm(forms.Form):
    department = forms.ModelChoiceField(label="部门", queryset=Department.objects.all())
    carried_out_on = date_field("排查日期", initial=timezone.localdate)
    scope = forms.CharField(label="排查范围", max_length=300)
    households_checked = forms.IntegerField(label="排查户数", min_value=0, initial=0)
    findings = forms.CharField(
        label="排查发现及反馈镇村情况", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.DEPARTMENT_STAFF:
            del self.fields["department"]


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = WarningIndicator
        fields = [
            "department", "code", "name", "risk_type", "unit", "rule", "threshold", "severe",
            "description", "active", "roster_status",
        ]  # fmt: skip
