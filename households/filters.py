"""Query-string filters for the registry API (django-filter).

Foreign keys filter by plain id (``IdFilter``): a model-choice filter would
look the id up first, which costs a query and tells a user whether another
scope's object exists. The querysets these filters narrow are already scoped
by the selectors.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from organization.audit import record_id_search
from organization.filters import IdFilter
from organization.models import PolicySettings

from . import id_numbers
from .models import Household, IncomeRecord, Member, MonitoringSubject, Status2020, Visit
from .selectors import HouseholdFilters, household_list, subject_search_q


def _refuse_float_id_number(value: str) -> None:
    """A number Excel turned into a float finds nobody: 400 saying why, as on the page."""
    if id_numbers.looks_like_float(value):
        raise ValidationError(id_numbers.MSG_FLOAT, code="float")


# What an ID-number search looked in, as the audit log names it.
SEARCH_HOUSEHOLDS = "农户台账"
SEARCH_SUBJECTS = "监测对象"


class HouseholdFilter(django_filters.FilterSet):
    """The household list's filters, applied by ``household_list`` itself.

    The selector is the one place that defines search and filters, so the
    page, the API and the export answer the same question the same way; this
    class only parses and documents the query string.
    """

    q = django_filters.CharFilter(
        label="搜索（户主或成员姓名、身份证号）",
        method="_unused",
        validators=[_refuse_float_id_number],
    )
    town = IdFilter(label="镇（园区）ID", method="_unused")
    village = IdFilter(label="村ID", method="_unused")
    status_2020 = django_filters.ChoiceFilter(
        label="2020年底身份", choices=Status2020.choices, method="_unused"
    )
    below_line = django_filters.BooleanFilter(label="低于监测收入线", method="_unused")
    monitored = django_filters.BooleanFilter(label="监测对象", method="_unused")

    class Meta:
        model = Household
        fields = ["q", "town", "village", "status_2020", "below_line", "monitored"]

    def _unused(self, queryset: QuerySet, name: str, value) -> QuerySet:  # pragma: no cover
        return queryset

    def household_filters(self) -> HouseholdFilters:
        data = self.form.cleaned_data
        return HouseholdFilters(
            q=data.get("q") or "",
            town=data.get("town"),
            village=data.get("village"),
            status_2020=data.get("status_2020") or "",
            below_line=data.get("below_line"),
            monitored=data.get("monitored"),
        )

    def filter_queryset(self, queryset: QuerySet[Household]) -> QuerySet[Household]:
        # ``queryset`` is ``household_list(user=...)`` unfiltered (perhaps with a prefetch
        # for the detail page); asking the selector again with the filters keeps one
        # definition of each filter.
        filters = self.household_filters()
        if filters == HouseholdFilters():
            return queryset
        record_id_search(self.request, filters.q, where=SEARCH_HOUSEHOLDS)
        return household_list(user=self.request.user, filters=filters)


class MemberFilter(django_filters.FilterSet):
    household = IdFilter(field_name="household_id", label="农户ID")
    village = IdFilter(field_name="household__village_id", label="村ID")
    relation = django_filters.ChoiceFilter(choices=Member.Relation.choices, label="与户主关系")

    class Meta:
        model = Member
        fields = ["household", "village", "relation"]


def _income_line_for_record_year():
    """The line that governs each record's year: that year's row, else the latest earlier one,
    else the policy default (the same rule as ``PolicySettings.for_year``)."""
    line = (
        PolicySettings.objects.filter(year__lte=OuterRef("year"))
        .order_by("-year")
        .values("income_line")[:1]
    )
    default = PolicySettings._meta.get_field("income_line").default
    money = DecimalField(max_digits=10, decimal_places=2)
    return Coalesce(Subquery(line, output_field=money), Value(default, output_field=money))


class IncomeRecordFilter(django_filters.FilterSet):
    household = IdFilter(field_name="household_id", label="农户ID")
    village = IdFilter(field_name="household__village_id", label="村ID")
    below_line = django_filters.BooleanFilter(
        label="低于当年监测收入线", method="filter_below_line"
    )

    class Meta:
        model = IncomeRecord
        fields = ["household", "village", "year", "below_line"]

    def filter_below_line(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        queryset = queryset.annotate(year_income_line=_income_line_for_record_year())
        if value:
            return queryset.filter(per_capita_net_income__lt=F("year_income_line"))
        return queryset.filter(per_capita_net_income__gte=F("year_income_line"))


class MonitoringSubjectFilter(django_filters.FilterSet):
    household = IdFilter(field_name="household_id", label="农户ID")
    town = IdFilter(field_name="household__village__town_id", label="镇（园区）ID")
    village = IdFilter(field_name="household__village_id", label="村ID")
    category = django_filters.ChoiceFilter(
        choices=MonitoringSubject.Category.choices, label="监测对象类别"
    )
    status = django_filters.ChoiceFilter(choices=MonitoringSubject.Status.choices, label="监测状态")
    risk_type = django_filters.CharFilter(field_name="risk_types__code", label="风险类型代码")
    q = django_filters.CharFilter(method="search", label="户主或成员姓名、身份证号")

    class Meta:
        model = MonitoringSubject
        fields = ["q", "household", "town", "village", "category", "status", "risk_type"]

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        record_id_search(self.request, value, where=SEARCH_SUBJECTS)
        return queryset.filter(subject_search_q(value))


class VisitFilter(django_filters.FilterSet):
    household = IdFilter(field_name="household_id", label="农户ID")
    village = IdFilter(field_name="household__village_id", label="村ID")
    reason = django_filters.ChoiceFilter(choices=Visit.Reason.choices, label="走访事由")
    visited_on = django_filters.DateFromToRangeFilter(label="走访日期（起止）")

    class Meta:
        model = Visit
        fields = ["household", "village", "reason", "visited_on", "risk_found"]
