"""The household forms: the registry list's filters, entering and editing a household.

Forms parse and check what a person typed (with Chinese, field-level
messages); the services in ``services.py`` decide and write. Pick-lists only
offer the villages and groups of the user's own scope.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from organization.models import User
from organization.selectors import group_list, village_list

from .. import id_numbers
from ..models import Household, Status2020
from ..selectors import HouseholdFilters
from .widgets import (
    YES_NO_ANY,
    FastSelect,
    PlaceFilterForm,
    ValuesSelect,
    VillageChoiceField,
    bool_or_none,
    group_rows,
    village_rows,
)


class HouseholdFilterForm(PlaceFilterForm):
    field_order = ["q", "town", "village", "status_2020", "below_line", "monitored"]

    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "户主或成员姓名、身份证号", "type": "search"}),
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
            below_line=bool_or_none(data.get("below_line") or ""),
            monitored=bool_or_none(data.get("monitored") or ""),
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
        self.fields["village"].widget.load(village_rows(villages))
        if not self.instance.pk and user.village_id and not self.initial.get("village"):
            self.initial["village"] = user.village_id
        # Any group of the scope validates (clean() then ties it to the village), but the page
        # offers only the chosen village's: the county has some 1,500. When the village changes,
        # app.js fetches its groups from the scoped API; without JS a village monitor, whose
        # village is chosen for them, still gets its groups.
        self.fields["group"].queryset = groups
        village = self._chosen_village()
        self.fields["group"].widget.load(
            group_rows(groups.filter(village_id=village)) if village else []
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
