"""Forms of self-declaration: the public page's two forms and the village's answers.

Forms parse what a person typed; ``declarations.services`` decides and writes.
"""

from __future__ import annotations

from django import forms

from households.forms.widgets import (
    FastSelect,
    PlaceFilterForm,
    ValuesSelect,
    VillageChoiceField,
    bool_or_none,
    group_rows,
    village_rows,
)
from households.models import Household, RiskType, Status2020
from organization.models import Town, User, VillagerGroup

from .models import NAME_MAX, NOTE_MAX, WORDS_MAX, DeclineReason, State
from .selectors import DeclarationFilters, public_villages

CONSENT_TEXT = (
    "您填写的姓名、身份证号、手机号和困难情况，仅用于濉溪县防止返贫动态监测和帮扶工作："
    "由所在村（社区）和镇（园区）核实情况、按规定纳入识别程序，并通过回执码和手机号向您告知办理进度。"
    "信息不会公开，也不会用于其他用途。"
)


class DeclarationForm(forms.Form):
    name = forms.CharField(
        label="姓名",
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label="身份证号",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}),
        help_text="18位，末位可以是X",
    )
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}
        ),
        help_text="查询办理进度时需要",
    )
    town = forms.ModelChoiceField(
        label="所在镇（园区）",
        queryset=Town.objects.all(),
        required=False,
        empty_label="请选择镇（园区）",
        widget=FastSelect,
    )
    village = VillageChoiceField(
        label="所在村（社区）",
        queryset=None,
        empty_label="请选择村（社区）",
        widget=ValuesSelect(parent_attr="data-town", empty_label="请选择村（社区）"),
    )
    risk_types = forms.ModelMultipleChoiceField(
        label="困难类型（可多选）",
        queryset=RiskType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    words = forms.CharField(
        label="简要说明",
        required=False,
        max_length=WORDS_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": WORDS_MAX}),
        help_text=f"几句话说明遇到的困难，不超过{WORDS_MAX}字",
    )
    consent = forms.BooleanField(label="我已阅读并同意上述个人信息使用说明")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        villages = public_villages()
        self.fields["village"].queryset = villages
        self.fields["village"].widget.load(village_rows(villages))
        self.fields["consent"].error_messages["required"] = "请阅读并勾选同意个人信息使用说明"

    def submission(self) -> dict:
        """What the service takes: the town only narrows the village pick-list."""
        return {k: v for k, v in self.cleaned_data.items() if k != "town"}


class StatusForm(forms.Form):
    code = forms.CharField(
        label="回执码",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label="申报时填写的手机号",
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
    )


OVERDUE_CHOICES = [("", "不限"), ("1", "已超期未答复"), ("0", "未超期")]


class DeclarationFilterForm(PlaceFilterForm):
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "姓名、身份证号、手机号或回执码"}),
    )
    state = forms.ChoiceField(
        label="办理状态", required=False, choices=[("", "全部"), *State.choices]
    )
    overdue = forms.ChoiceField(label="答复时限", required=False, choices=OVERDUE_CHOICES)

    field_order = ["q", "town", "village", "state", "overdue"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user.role == "village_monitor":
            del self.fields["town"]
            del self.fields["village"]

    def filters(self) -> DeclarationFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        town, village = data.get("town"), data.get("village")
        return DeclarationFilters(
            q=data.get("q") or "",
            town=town.pk if town else None,
            village=village.pk if village else None,
            state=data.get("state") or "",
            overdue=bool_or_none(data.get("overdue") or ""),
        )


class AcceptForm(forms.Form):
    hardship = forms.CharField(
        label="困难情况（写入识别申请）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="留空则使用申报人所写的说明",
    )
    risk_types = forms.ModelMultipleChoiceField(
        label="风险类型",
        queryset=RiskType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="留空则使用申报所选的困难类型",
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label="未纳入原因", choices=[("", "请选择"), *DeclineReason.choices])
    note = forms.CharField(
        label="具体说明（镇可见，不告知申报人）",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
    )


class HouseholdFromDeclarationForm(forms.ModelForm):
    """三(五)3: the household of a declarant the registry does not know yet."""

    group = forms.ModelChoiceField(
        label="村民小组",
        queryset=None,
        required=False,
        widget=ValuesSelect(parent_attr="data-village", empty_label="（未分组）"),
    )

    class Meta:
        model = Household
        fields = ["group", "address", "status_2020", "registered_in_county", "long_term_resident"]

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        groups = VillagerGroup.objects.filter(village=village)
        self.fields["group"].queryset = groups
        self.fields["group"].widget.load(group_rows(groups))
        self.fields["status_2020"].initial = Status2020.ORDINARY
