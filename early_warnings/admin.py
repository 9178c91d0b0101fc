"""Admin: indicators are edited here by the county bureau; the rest is read-only history.

States move only through the services, so they are read-only here, and every list goes
through the same selectors as pages and API for anyone who is not a superuser.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organization.admin import ReadOnlyMixin, ScopedAdminMixin

from . import selectors
from .models import Clue, DepartmentSweep, MonthlyCycle, Upload, Warning, WarningIndicator


class ScopedAdmin(ReadOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only and scoped like the pages: the list, the change page and the history pages
    (whose old versions carry names, ID numbers and phones) show only the user's scope.
    Warnings, clues and sweeps are written by their services on the pages and in the API."""

    selector = None

    def scoped_queryset(self, user):
        return type(self).selector(user=user)


@admin.register(WarningIndicator)
class WarningIndicatorAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "department",
        "risk_type",
        "rule",
        "threshold",
        "severe",
        "active",
    ]
    list_filter = ["department", "rule", "severe", "active"]
    search_fields = ["code", "name"]


@admin.register(Upload)
class UploadAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "period",
        "department",
        "original_name",
        "status",
        "rows_total",
        "rows_error",
        "warnings_count",
        "clues_count",
        "uploaded_at",
    ]
    list_filter = ["status", "department", "period"]
    readonly_fields = [f.name for f in Upload._meta.fields]

    def scoped_queryset(self, user):
        return selectors.upload_list(user=user)

    def has_add_permission(self, request):
        return False  # uploads go through the page or the API, which queue the ingestion


@admin.register(Warning)
class WarningAdmin(ScopedAdmin):
    selector = selectors.warning_list
    list_display = [
        "period",
        "department",
        "indicator",
        "member",
        "town",
        "village",
        "priority",
        "state",
        "overdue",
    ]
    list_filter = ["state", "priority", "overdue", "department", "period"]
    readonly_fields = [f.name for f in Warning._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Clue)
class ClueAdmin(ScopedAdmin):
    selector = selectors.clue_list
    list_display = ["source", "name", "period", "town", "village", "state", "overdue"]
    list_filter = ["source", "state", "town"]
    readonly_fields = [
        "state",
        "pushed_at",
        "assigned_at",
        "assigned_by",
        "verified_at",
        "verified_by",
        "result",
        "result_reason",
        "closed_at",
        "closed_by",
        "case",
    ]


@admin.register(DepartmentSweep)
class DepartmentSweepAdmin(ScopedAdmin):
    selector = selectors.sweep_list
    list_display = ["department", "carried_out_on", "scope", "households_checked"]
    list_filter = ["department"]


@admin.register(MonthlyCycle)
class MonthlyCycleAdmin(admin.ModelAdmin):
    list_display = ["period", "reminded_at", "closed_at", "pushed_at"]
    readonly_fields = ["period", "reminded_at", "closed_at", "late_departments", "pushed_at"]
