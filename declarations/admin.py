"""Admin: read-only and scoped like the pages; declarations are written by their services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organization.admin import ReadOnlyMixin, ScopedAdminMixin

from . import selectors
from .models import Declaration, PosterCode


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["receipt_code", "name", "village", "received_at", "due_on", "state"]
    list_filter = ["state", "decline_reason"]
    search_fields = ["receipt_code", "name"]

    def scoped_queryset(self, user):
        return selectors.declaration_list(user=user)


@admin.register(PosterCode)
class PosterCodeAdmin(ReadOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["village", "token", "created_at"]

    def scoped_queryset(self, user):
        return PosterCode.objects.filter(village__in=selectors.poster_villages(user=user))
