"""A household's members: one form, and the formset of the new-household page."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .. import id_numbers
from ..models import Household, Member

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
