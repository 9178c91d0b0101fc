"""Query-string filters for the organisation API (django-filter).

Foreign keys filter by plain id (``NumberFilter``) rather than a model choice:
a choice field would look the id up first, which costs a query and tells a
user whether another scope's object exists.
"""

import django_filters

from .models import Town, Village


class TownFilter(django_filters.FilterSet):
    class Meta:
        model = Town
        fields = ["kind"]


class VillageFilter(django_filters.FilterSet):
    town = django_filters.NumberFilter(field_name="town_id", label="镇（园区）ID")

    class Meta:
        model = Village
        fields = ["town", "has_poverty_task"]
