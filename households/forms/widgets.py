"""Pick-lists of places, rendered in Python: the county's 250 villages through Django's
per-option templates cost more than the rest of a page."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from organization.models import User
from organization.selectors import town_list, village_list

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


def village_rows(villages) -> list[tuple[int, str, int]]:
    rows = villages.values_list("pk", "town__name", "name", "town_id")
    return [(pk, f"{town} · {name}", town_id) for pk, town, name, town_id in rows]


def group_rows(groups) -> list[tuple[int, str, int]]:
    return list(groups.values_list("pk", "name", "village_id"))


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.town.name} · {obj.name}"


def bool_or_none(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


class PlaceFilterForm(forms.Form):
    """A list's town and village filters, offering only the places of the user's scope."""

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
        self.fields["village"].widget.load(village_rows(villages))
