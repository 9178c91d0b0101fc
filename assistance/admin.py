"""The admin for help (三(八)): read-only and scoped like the households it concerns.

Pairing, plans, measures and visits are steps with rules (不脱钩, the town's and the
village's cadres, development measures before activation): they are written on the
pages and through the API, whose services check them; the admin shows the records and
their history. The catalogue of measures is kept on its own page by the county bureau.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organization.admin import ReadOnlyMixin, ScopedAdminMixin

from . import selectors
from .models import AssistancePlan, HelpAssignment, HelpVisit, Measure, MeasureKind


class ReadOnlyScopedAdmin(ReadOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    show_full_result_count = False


@admin.register(HelpAssignment)
class HelpAssignmentAdmin(ReadOnlyScopedAdmin):
    list_display = ["household", "helper", "kind", "level", "help_unit", "started_on", "ended_on"]
    list_filter = ["kind", "level", "help_unit", "household__village__town"]
    list_select_related = ["household__village", "helper", "help_unit"]
    search_fields = ["household__head_name", "helper__username", "helper__last_name"]

    def scoped_queryset(self, user):
        return selectors.assignment_list(user=user)


@admin.register(AssistancePlan)
class AssistancePlanAdmin(ReadOnlyScopedAdmin):
    list_display = ["subject", "state", "made_on", "activated_on", "next_review_on"]
    list_filter = ["state", "subject__household__village__town"]
    search_fields = ["subject__household__head_name"]

    def scoped_queryset(self, user):
        return selectors.plan_list(user=user)


@admin.register(Measure)
class MeasureAdmin(ReadOnlyScopedAdmin):
    list_display = ["plan", "kind", "member", "state", "started_on", "planned_end_on", "amount"]
    list_filter = ["state", "kind__group", "kind"]
    search_fields = ["plan__subject__household__head_name", "member__name"]

    def scoped_queryset(self, user):
        return selectors.measure_list(user=user)


@admin.register(HelpVisit)
class HelpVisitAdmin(ReadOnlyScopedAdmin):
    list_display = ["visit", "subject", "income_change"]
    search_fields = ["visit__household__head_name"]

    def scoped_queryset(self, user):
        return selectors.help_visit_list(user=user)


@admin.register(MeasureKind)
class MeasureKindAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["name", "group", "continues_after_exit", "has_amount", "is_active", "order"]
    list_filter = ["group", "continues_after_exit", "is_active"]
