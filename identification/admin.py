"""The admin for identification: read-only records scoped by the selectors.

Steps need their records (a team, a vote, judgements), so they are entered on
the case pages, which call the services; the admin shows the records and
their history, links to the case page, and offers as actions the transitions
that need no record or only a reason: concluding publicities that ran their
days, stopping a case (不予通过), a withdrawal, and deciding objections. Every
action calls the same service as the page and the API.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from households.selectors import household_scope_q
from organization.admin import ReadOnlyMixin, ScopedAdminMixin
from organization.working_days import Clock
from suixi_monitor.exceptions import ApplicationError

from . import selectors, services
from .models import (
    Announcement,
    ComparisonDataset,
    DatasetUpload,
    Deliberation,
    Filing,
    HomeCheck,
    IdentificationCase,
    NoticeExport,
    Objection,
    Publicity,
)
from .selectors import clock as clock_selectors
from .selectors.clock import clock_annotation


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因或处理意见", widget=forms.Textarea(attrs={"rows": 3}))


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)


def _run_with_reason(modeladmin, request, queryset, *, action: str, title: str, service):
    """Ask once for the reason, then call ``service`` for each selected row.

    Each refusal (wrong state 409, rule 400, scope, missing reason) is reported by row,
    in the service's own words; nothing is written for a refused row.
    """
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        done = 0
        for obj in queryset:
            try:
                service(request.user, obj, form.cleaned_data["reason"])
            except (ApplicationError, PermissionDenied, ValidationError) as error:
                modeladmin.message_user(request, f"{obj}：{_refusal(error)}", messages.WARNING)
            else:
                done += 1
        modeladmin.message_user(request, f"{title}：已办理 {done} 件")
        return None
    return TemplateResponse(
        request,
        "identification/admin_reason_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "opts": modeladmin.model._meta,
            "form": form,
            "queryset": queryset,
            "action": action,
            "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


class ReadOnlyAdmin(ReadOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    pass


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
    list_display = [
        "household",
        "applied_on",
        "source",
        "procedure",
        "step",
        "state_changed_at",
        "clock_badge",
        "page_link",
    ]
    list_filter = ["procedure", "state", "source"]
    search_fields = ["household__head_name"]
    date_hierarchy = "applied_on"
    list_select_related = ["household__village"]
    inlines = [PublicityInline]
    # The procedure is fixed when the case is opened (三(七), the year's PolicySettings).
    readonly_fields = ["procedure"]

    @admin.display(description="环节", ordering="state")
    def step(self, obj: IdentificationCase) -> str:
        """The state as the case's procedure names it (待乡镇审核, 待县级审定公告…)."""
        return obj.get_state_display()

    actions = ["conclude_due_publicities", "reject_cases", "withdraw_cases"]

    def scoped_queryset(self, user):
        return IdentificationCase.objects.filter(selectors.case_scope_q(user)).annotate(
            clock=clock_annotation(clock_selectors.clock_today())
        )

    @admin.display(description="办理时限", ordering="due_on")
    def clock_badge(self, obj: IdentificationCase) -> str:
        if not getattr(obj, "clock", ""):
            return "—"
        return format_html("{}（{}）", Clock(obj.clock).label, obj.due_on)

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

    @admin.action(description="不予通过所选申请（填写原因）")
    def reject_cases(self, request, queryset):
        return _run_with_reason(
            self,
            request,
            queryset,
            action="reject_cases",
            title="不予通过",
            service=lambda user, case, reason: services.case_reject(
                actor=user, case=case, reason=reason
            ),
        )

    @admin.action(description="农户撤回所选申请（填写原因）")
    def withdraw_cases(self, request, queryset):
        return _run_with_reason(
            self,
            request,
            queryset,
            action="withdraw_cases",
            title="农户撤回申请",
            service=lambda user, case, reason: services.case_withdraw(
                actor=user, case=case, reason=reason
            ),
        )


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
    actions = ["uphold_objections", "dismiss_objections"]

    @admin.action(description="异议成立，退回重新入户核查（复核）")
    def uphold_objections(self, request, queryset):
        return _run_with_reason(
            self,
            request,
            queryset,
            action="uphold_objections",
            title="异议成立",
            service=lambda user, objection, reason: services.objection_uphold(
                actor=user, objection=objection, reason=reason
            ),
        )

    @admin.action(description="异议不成立（填写理由）")
    def dismiss_objections(self, request, queryset):
        return _run_with_reason(
            self,
            request,
            queryset,
            action="dismiss_objections",
            title="异议不成立",
            service=lambda user, objection, reason: services.objection_dismiss(
                actor=user, objection=objection, reason=reason
            ),
        )


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


@admin.register(DatasetUpload)
class DatasetUploadAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Uploads go through the page or the API, which queue the reading; a job keeps no history
    (its data set does)."""

    list_display = [
        "kind", "as_of", "department", "original_name", "status", "attempts", "rows_valid",
        "rows_error", "uploaded_by", "uploaded_at",
    ]  # fmt: skip
    list_filter = ["kind", "status"]

    def scoped_queryset(self, user):
        return selectors.dataset_upload_list(user=user)


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
