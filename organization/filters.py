"""Query-string filters for the organisation API (django-filter).

Foreign keys filter by plain id (``IdFilter``) rather than a model choice:
a choice field would look the id up first, which costs a query and tells a
user whether another scope's object exists.
"""

import django_filters
from django import forms

from .models import AuditEntry, Role, Town, User, Village, VillagerGroup
from .selectors import AuditFilters, UserFilters, audit_entries, filter_users

# SQLite stores integers in 64 bits and raises on a larger one; no id comes near it.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A foreign key's id: a whole number the database can hold, else a 400 naming the field
    (a longer number in the query string crashed the lookup on SQLite)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class TownFilter(django_filters.FilterSet):
    class Meta:
        model = Town
        fields = ["kind"]


class VillageFilter(django_filters.FilterSet):
    town = IdFilter(field_name="town_id", label="镇（园区）ID")

    class Meta:
        model = Village
        fields = ["town", "has_poverty_task"]


class VillagerGroupFilter(django_filters.FilterSet):
    village = IdFilter(field_name="village_id", label="村 ID")

    class Meta:
        model = VillagerGroup
        fields = ["village"]


class UserFilter(django_filters.FilterSet):
    """The account list's filters, the same as the page's (``selectors.UserFilters``)."""

    q = django_filters.CharFilter(label="姓名、用户名或手机号")
    role = django_filters.ChoiceFilter(choices=Role.choices, label="角色")
    town = IdFilter(label="镇（园区）ID（本人的镇或所在村的镇）")
    is_active = django_filters.BooleanFilter(label="在用")

    class Meta:
        model = User
        fields: list[str] = []

    def filter_queryset(self, queryset):
        # One rule for the page and the API: the selector's.
        data = self.form.cleaned_data
        return filter_users(
            queryset,
            UserFilters(
                q=data.get("q") or "",
                role=data.get("role") or "",
                town=data.get("town"),
                active=data.get("is_active"),
            ),
        )


class AuditEntryFilter(django_filters.FilterSet):
    """The audit log's filters, the same as the page's (``selectors.AuditFilters``)."""

    user = IdFilter(label="查阅人ID")
    who = django_filters.CharFilter(label="查阅人用户名或姓名")
    kind = django_filters.ChoiceFilter(choices=AuditEntry.Kind.choices, label="类别")
    date_from = django_filters.DateFilter(label="起始日期（含）")
    date_to = django_filters.DateFilter(label="截止日期（含）")

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return audit_entries(
            user=self.request.user,
            filters=AuditFilters(
                user=data.get("user"),
                who=data.get("who") or "",
                kind=data.get("kind") or "",
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
            ),
        )
