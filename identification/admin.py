"""The admin for identification: read-only records scoped by the selectors.

Steps need their records (a team, a vote, judgements), so they are entered on
the case pages, which call the services; the admin shows the records and
their history, links to the case page, and offers the one step that needs no
input: concluding publicities that ran their days.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from households.selectors import household_scope_q
from organization.admin import ScopedAdminMixin
from suixi_monitor.exceptions import ApplicationError

from . import selectors, services
from .models import (
    Announcement,
    ComparisonDataset,
    Deliberation,
    Filing,
    HomeCheck,
    IdentificationCase,
    NoticeExport,
    Objection,
    Publicity,
)


class ReadOnlyAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PublicityInline(admin.TabularInline):
    model = Publicity
    extra = 0
    can_delete = False
    fields = ["level", "started_on", "days", "outcome", "concluded_at", "concluded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IdentificationCase)
class IdentificationCaseAdmin(ReadOnlyAdmin):
    list_display = ["household", "applied_on", "source", "state", "state_changed_at", "page_link"]
    list_filter = ["state", "source"]
    search_fields = ["household__head_name"]
    date_hierarchy = "applied_on"
    list_select_related = ["household__village"]
    inlines = [PublicityInline]
    actions = ["conclude_due_publicities"]

    def scoped_queryset(self, user):
        return IdentificationCase.objects.filter(selectors.case_scope_q(user))

    @admin.display(description="办理")
    def page_link(self, obj: IdentificationCase) -> str:
        return format_html(
            '<a href="{}">办理页面</a>', reverse("identification:detail", args=[obj.pk])
        )

    @admin.action(description="结束所选申请中已期满且无异议的公示")
    def conclude_due_publicities(self, request, queryset) -> None:
        done = 0
        for case in queryset.filter(state__in=["village_publicizing", "town_publicizing"]):
            try:
                services.publicity_conclude(case=case, actor=request.user)
            except (ApplicationError, PermissionDenied) as error:
                self.message_user(request, f"{case}：{error}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, f"已结束 {done} 个公示")


class CaseChildAdmin(ReadOnlyAdmin):
    list_select_related = ["case__household"]

    def scoped_queryset(self, user):
        return self.model.objects.filter(household_scope_q(user, "case__household__"))


@admin.register(HomeCheck)
class HomeCheckAdmin(CaseChildAdmin):
    list_display = ["case", "checked_on", "passed", "below_line", "recorded_by"]


@admin.register(Deliberation)
class DeliberationAdmin(CaseChildAdmin):
    list_display = ["case", "held_on", "expected", "present", "approvals", "passed"]


@admin.register(Objection)
class ObjectionAdmin(CaseChildAdmin):
    list_display = ["case", "lodged_on", "status", "lodged_by", "decided_by"]
    list_filter = ["status"]


@admin.register(Filing)
class FilingAdmin(CaseChildAdmin):
    list_display = ["case", "filed_on", "category", "announcement"]


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ["label", "published_on", "created_by"]

    def scoped_queryset(self, user):
        return selectors.announcement_list(user=user)


@admin.register(ComparisonDataset)
class ComparisonDatasetAdmin(ReadOnlyAdmin):
    list_display = ["kind", "as_of", "department", "row_count", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]

    def scoped_queryset(self, user):
        return selectors.dataset_list(user=user)


@admin.register(NoticeExport)
class NoticeExportAdmin(admin.ModelAdmin):
    list_display = ["exported_at", "user", "kind", "target", "file_format", "row_count"]
    list_filter = ["file_format"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser or request.user.is_county else qs.none()
