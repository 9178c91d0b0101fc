"""The ledger pages' filters and the export log's; the shape of the input only."""

from __future__ import annotations

from django import forms

from households.forms import HouseholdFilterForm, SubjectFilterForm
from households.forms.widgets import FastSelect, PlaceFilterForm
from households.models import LowIncomeStatus
from organization.forms import AuditFilterForm

from .models import LedgerKind
from .selectors.ledgers import SUBJECT_KINDS, LedgerFilters, RegistryStatus
from .selectors.low_income import TITLE as LOW_INCOME_TITLE
from .selectors.low_income import Group, LowIncomeFilters


class LedgerFilterForm(SubjectFilterForm):
    """The subject list's filters (search by name or ID number, category, status, town and
    village of the user's scope), fitted to each ledger: a category ledger has no category
    filter, the registry's status says whether a household was ever monitored."""

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind in SUBJECT_KINDS:
            del self.fields["category"]
        if kind == LedgerKind.REGISTRY:
            self.fields["status"].choices = [("", "全部状态"), *RegistryStatus.CHOICES]
        elif kind == LedgerKind.EXITS:
            del self.fields["status"]  # every row of the exits ledger is a filed exit

    # A number Excel turned into a float finds nobody: say why, as the household list does.
    clean_q = HouseholdFilterForm.clean_q

    def filters(self) -> LedgerFilters:
        """The filters that parsed; one outside the user's scope is reported and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        town, village = data.get("town"), data.get("village")
        return LedgerFilters(
            town=town.pk if town else None,
            village=village.pk if village else None,
            category=data.get("category") or "",
            status=data.get("status") or "",
            q=self.data.get("q", "") if "q" in self.errors else data.get("q") or "",
        )


class LowIncomeFilterForm(PlaceFilterForm):
    """The low-income list's filters: search by name or ID number, the status, which record a
    household is in, and the town and village of the user's scope."""

    field_order = ["q", "kind", "group", "town", "village"]
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "户主或成员姓名、身份证号", "type": "search"}),
    )
    kind = forms.ChoiceField(
        label="低收入人口身份",
        required=False,
        choices=[("", "全部身份"), *LowIncomeStatus.Kind.choices],
        widget=FastSelect,
    )
    group = forms.ChoiceField(
        label="归类",
        required=False,
        choices=[("", "全部"), *Group.choices],
        widget=FastSelect,
    )
    clean_q = HouseholdFilterForm.clean_q

    def filters(self) -> LowIncomeFilters:
        """The filters that parsed; one outside the user's scope is reported and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        town, village = data.get("town"), data.get("village")
        return LowIncomeFilters(
            town=town.pk if town else None,
            village=village.pk if village else None,
            kind=data.get("kind") or "",
            group=data.get("group") or "",
            q=self.data.get("q", "") if "q" in self.errors else data.get("q") or "",
        )


LEDGER_CHOICES = [
    ("", "全部"),
    *LedgerKind.choices,
    ("assessment", "年终考核表"),
    ("low_income", LOW_INCOME_TITLE),
]


class ExportLogFilterForm(AuditFilterForm):
    """The audit log's filters (user, dates) plus which ledger; the kind is always 导出."""

    field_order = ["who", "ledger", "date_from", "date_to"]
    ledger = forms.ChoiceField(label="台账", required=False, choices=LEDGER_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
