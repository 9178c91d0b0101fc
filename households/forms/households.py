"""Browser forms of the registry.

Forms parse and check what a person typed (with Chinese, field-level
messages); the services in ``services.py`` decide and write. Pick-lists only
offer the villages and groups of the user's own scope.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from organization.models import User
from organization.selectors import group_list, town_list, village_list

from .. import id_numbers
from ..models import (
    Household,
    IncomeRecord,
    Member,
    MonitoringSubject,
    RiskType,
    Status2020,
    Visit,
)
from ..selectors import HouseholdFilters

YES_NO_ANY = [("", "不限"), ("1", "是"), ("0", "否")]


class FastSelect(forms.Select):
    """A select rendered in Python: the stock widget renders one template per option, which
    for the county's 250 villages costs more than the whole list query."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            format_html(
                '<option value="{}"{}>{}</option>',
                "" if option["value"] is None else option["value"],
                flatatt(option["attrs"]),
                option["label"],
            )
            for _, group, _ in widget["optgroups"]
            for option in group
        ]
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(options)),  # each option was escaped by format_html above
        )


class ValuesSelect(forms.Select):
    """A pick-list of places built from one ``values_list`` query, each option naming its
    parent (``data-town`` on villages, ``data-village`` on groups) so the page can narrow
    it to the chosen parent. The county's 250 villages as model instances and option dicts
    cost more than everything else on the page."""

    def __init__(self, *args, parent_attr: str = "", empty_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_attr = parent_attr
        self.empty_label = empty_label
        self.options_data: list[tuple[int, str, int]] = []

    def load(self, rows) -> None:
        """``rows``: (pk, label, parent pk) for every option, in display order."""
        self.options_data = list(rows)

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value is None else str(value)
        parts = [f'<option value="">{escape(self.empty_label)}</option>']
        for pk, label, parent in self.options_data:
            selected = " selected" if str(pk) == chosen else ""
            parts.append(
                f'<option value="{pk}" {self.parent_attr}="{parent}"{selected}>'
                f"{escape(label)}</option>"
            )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        # Every label went through escape(); pks and parent ids are integers.
        return mark_safe(f'<select name="{escape(name)}"{attrs}>{"".join(parts)}</select>')  # noqa: S308


def _village_rows(villages) -> list[tuple[int, str, int]]:
    rows = villages.values_list("pk", "town__name", "name", "town_id")
    return [(pk, f"{town} · {name}", town_id) for pk, town, name, town_id in rows]


def _group_rows(groups) -> list[tuple[int, str, int]]:
    return list(groups.values_list("pk", "name", "village_id"))


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.town.name} · {obj.name}"


def _bool_or_none(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "户主或成员姓名、身份证号", "type": "search"}),
    )
    town = forms.ModelChoiceField(
        label="镇（园区）",
        queryset=None,
        required=False,
        empty_label="全部镇（园区）",
        widget=FastSelect,
    )
    village = VillageChoiceField(
        label="村",
        queryset=None,
        required=False,
        empty_label="全部村",
        widget=ValuesSelect(parent_attr="data-town", empty_label="全部村"),
    )
    status_2020 = forms.ChoiceField(
        label="2020年底身份",
        required=False,
        choices=[("", "全部身份"), *Status2020.choices],
        widget=FastSelect,
    )
    below_line = forms.ChoiceField(
        label="低于监测线", required=False, choices=YES_NO_ANY, widget=FastSelect
    )
    monitored = forms.ChoiceField(
        label="监测中", required=False, choices=YES_NO_ANY, widget=FastSelect
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = town_list(user=user)
        villages = village_list(user=user)
        self.fields["village"].queryset = villages
        self.fields["village"].widget.load(_village_rows(villages))

    def clean_q(self) -> str:
        """A number Excel turned into a float finds nobody; say why instead of "no results"."""
        term = self.cleaned_data.get("q") or ""
        if id_numbers.looks_like_float(term):
            raise ValidationError(id_numbers.MSG_FLOAT, code="float")
        return term

    def filters(self) -> HouseholdFilters:
        """The filters that parsed; a value outside the user's scope is reported and ignored.

        A refused search term is still searched as typed (and finds nobody): dropping it
        would list every household as if it had matched."""
        self.is_valid()
        data = self.cleaned_data
        town = data.get("town")
        village = data.get("village")
        q = self.data.get("q", "") if "q" in self.errors else data.get("q") or ""
        return HouseholdFilters(
            q=q,
            town=town.pk if town else None,
            village=village.pk if village else None,
            status_2020=data.get("status_2020") or "",
            below_line=_bool_or_none(data.get("below_line") or ""),
            monitored=_bool_or_none(data.get("monitored") or ""),
        )


class HouseholdForm(forms.ModelForm):
    village = VillageChoiceField(
        label="村",
        queryset=None,
        widget=ValuesSelect(parent_attr="data-town", empty_label="请选择村"),
    )
    group = forms.ModelChoiceField(
        label="村民小组",
        queryset=None,
        required=False,
        widget=ValuesSelect(parent_attr="data-village", empty_label="（未分组）"),
    )

    class Meta:
        model = Household
        fields = [
            "village",
            "group",
            "head_name",
            "code",
            "address",
            "phone",
            "status_2020",
            "registered_in_county",
            "long_term_resident",
        ]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})}
        help_texts = {
            "code": "选填，如扶贫系统户编号",
            "registered_in_county": "三(五)：户籍在濉溪县",
            "long_term_resident": "三(五)：在濉溪县长期居住",
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        villages = village_list(user=user)
        groups = group_list(user=user)
        self.fields["village"].queryset = villages
        self.fields["village"].widget.load(_village_rows(villages))
        if not self.instance.pk and user.village_id and not self.initial.get("village"):
            self.initial["village"] = user.village_id
        # Any group of the scope validates (clean() then ties it to the village), but the page
        # offers only the chosen village's: the county has some 1,500. When the village changes,
        # app.js fetches its groups from the scoped API; without JS a village monitor, whose
        # village is chosen for them, still gets its groups.
        self.fields["group"].queryset = groups
        village = self._chosen_village()
        self.fields["group"].widget.load(
            _group_rows(groups.filter(village_id=village)) if village else []
        )
        self.fields["group"].widget.attrs["data-choices-url"] = reverse("villager-group-list")

    def _chosen_village(self) -> int | None:
        """The village posted, else the one the form starts with, if it is one of the scope."""
        if self.is_bound:
            raw = self.data.get(self.add_prefix("village"))
        else:
            raw = self.initial.get("village")
        try:
            village = self.fields["village"].to_python(getattr(raw, "pk", raw))
        except ValidationError:  # not a number, or no village of the scope: clean() says so
            return None
        return village.pk if village else None

    def clean(self):
        data = super().clean()
        village, group = data.get("village"), data.get("group")
        if village and group and group.village_id != village.pk:
            self.add_error("group", "村民小组不属于所选的村")
        return data


class HouseholdCreateForm(HouseholdForm):
    """On the create page the head's name comes from the member marked 户主."""

    class Meta(HouseholdForm.Meta):
        fields = [name for name in HouseholdForm.Meta.fields if name != "head_name"]


MEMBER_FIELDS = [
    "name",
    "id_number",
    "relation",
    "labour_capacity",
    "health",
    "disability_grade",
    "schooling",
]


class MemberForm(forms.ModelForm):
    # Longer than 18 so that spaces and full-width digits reach the normaliser.
    id_number = forms.CharField(
        label="身份证号",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        # The model's unique check reports through this field's messages.
        error_messages={"unique": "该身份证号已登记在其他家庭成员名下"},
    )

    class Meta:
        model = Member
        fields = MEMBER_FIELDS

    def __init__(self, *args, household: Household | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.fields["relation"].choices = [("", "请选择"), *Member.Relation.choices]

    def clean_relation(self) -> str:
        relation = self.cleaned_data["relation"]
        if relation == Member.Relation.HEAD and self.household is not None:
            heads = self.household.members.filter(relation=Member.Relation.HEAD)
            if heads.exclude(pk=self.instance.pk).exists():
                raise ValidationError("该户已有户主；请先把原户主的“与户主关系”改为其他")
        return relation

    def clean_id_number(self) -> str:
        return id_numbers.normalize_id_number(self.cleaned_data["id_number"])


class BaseMemberFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": "请至少填写一位家庭成员（户主）",
    }

    def filled_forms(self) -> list[tuple[int, forms.Form]]:
        """(row index, form) of the rows a person filled in; empty extra rows are skipped."""
        return [
            (index, form)
            for index, form in enumerate(self.forms)
            if form.has_changed() and not self._should_delete_form(form)
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        heads = []
        seen: dict[str, int] = {}
        for index, form in self.filled_forms():
            if form.cleaned_data.get("relation") == Member.Relation.HEAD:
                heads.append(form)
                if len(heads) > 1:
                    form.add_error("relation", "每户只能有一位户主")
            number = form.cleaned_data.get("id_number")
            if number in seen:
                form.add_error("id_number", f"与第{seen[number] + 1}位成员的身份证号重复")
            elif number:
                seen[number] = index
        if not heads:
            raise ValidationError("请在家庭成员中指定一位户主（与户主关系选“户主”）")


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=1, min_num=1, validate_min=True
)


INCOME_FIELDS = [
    "year",
    "household_size",
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "medical_expense",
    "education_expense",
    "other_expense",
    "note",
]


class IncomeRecordForm(forms.ModelForm):
    class Meta:
        model = IncomeRecord
        fields = INCOME_FIELDS
        help_texts = {
            "household_size": "计算人均纯收入所用的人口数",
            "medical_expense": "三(二)一：因病、因学等刚性支出",
        }

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        for name in INCOME_FIELDS[2:9]:
            self.fields[name].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > datetime.date.today().year:
            raise ValidationError("年度不能晚于今年")
        taken = IncomeRecord.objects.filter(household=self.household, year=year)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(f"该户{year}年度的收入已登记，请在收入记录中修改")
        return year


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["visited_on", "reason", "findings", "risk_found"]
        widgets = {
            "visited_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "findings": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"reason": "三(四)1：六个必访"}


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
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
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


class SubjectEliminateForm(forms.Form):
    """三(九): what ``monitoring_subject_eliminate`` takes, the day the risk is marked gone."""

    ended_on = forms.DateField(
        label="风险消除日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="退出名单报县扶贫局备案之日，不能早于纳入监测日期，也不能晚于今天",
    )


class SubjectFilterForm(forms.Form):
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
    town = forms.ModelChoiceField(
        label="镇（园区）",
        queryset=None,
        required=False,
        empty_label="全部镇（园区）",
        widget=FastSelect,
    )
    village = VillageChoiceField(
        label="村",
        queryset=None,
        required=False,
        empty_label="全部村",
        widget=ValuesSelect(parent_attr="data-town", empty_label="全部村"),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = town_list(user=user)
        villages = village_list(user=user)
        self.fields["village"].queryset = villages
        self.fields["village"].widget.load(_village_rows(villages))
