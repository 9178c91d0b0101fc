"""A year's income record (三(六)一)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from ..models import IncomeRecord

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in INCOME_FIELDS[2:9]:
            self.fields[name].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > datetime.date.today().year:
            raise ValidationError("年度不能晚于今年")
        # One record a year is the service's rule (income_record_save); its refusal shows here.
        return year
