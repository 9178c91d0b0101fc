"""The admin for help assignments (帮扶结对, 三(八)1), scoped like the households they pair."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from households.selectors import household_scope_q
from organization.admin import ScopedAdminMixin

from .models import HelpAssignment


@admin.register(HelpAssignment)
class HelpAssignmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["household", "helper", "kind", "help_unit", "started_on", "ended_on"]
    list_filter = ["kind", "help_unit", "household__village__town"]
    list_select_related = ["household__village", "helper", "help_unit"]
    search_fields = ["household__head_name", "helper__username", "helper__last_name"]
    autocomplete_fields = ["household", "helper"]
    show_full_result_count = False

    def scoped_queryset(self, user):
        # The one scoping rule of the registry, reached through the household.
        return HelpAssignment.objects.filter(household_scope_q(user, "household__")).select_related(
            "household__village", "helper", "help_unit"
        )
