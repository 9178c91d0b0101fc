"""The admin for the organisation, and the two mixins every app's admin uses.

The admin follows the same rules as pages and API (docs/architecture.md):
a staff user who is not a superuser sees only what the app's selector gives their
role, history pages included; and where a service owns a write, saving in the admin
calls that service, so its rules, its history author and its side effects hold here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from suixi_monitor.exceptions import ApplicationError

from . import selectors, services
from .models import (
    AuditEntry,
    Department,
    DepartmentContact,
    HelpUnit,
    Notification,
    PolicySettings,
    Town,
    User,
    Village,
    VillagerGroup,
)
from .services import department_contact_delete, department_contact_save, policy_settings_save

admin.site.site_header = "濉溪县防止返贫动态监测系统 · 管理后台"
admin.site.site_title = "防返贫监测管理后台"
admin.site.index_title = "数据管理"


# The pick-list of each model a foreign key may point to, for staff who are not superusers:
# the same selectors as pages and API (``register_admin_choices`` from each app's admin).
ADMIN_CHOICES: dict[type, Callable[[User], QuerySet]] = {}


def register_admin_choices(model: type, chooser: Callable[[User], QuerySet]) -> None:
    ADMIN_CHOICES[model] = chooser


def scoped_choices(request, db_field, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` for a foreign-key or many-to-many form field, its queryset limited to the
    editor's scope. A model no app registered offers nothing to such staff, so a new relation
    can never open another scope's records by default."""
    if request.user.is_superuser:
        return kwargs
    chooser = ADMIN_CHOICES.get(db_field.related_model)
    if chooser is None:
        kwargs["queryset"] = db_field.related_model._default_manager.none()
    else:
        kwargs["queryset"] = chooser(request.user)
    return kwargs


class ScopedAdminMixin:
    """Superusers see everything; any other staff user sees what ``scoped_queryset`` gives
    their role (the app's selector), on the list, the change page and the history pages, and
    every foreign-key choice is limited to their scope (``register_admin_choices``)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **scoped_choices(request, db_field, kwargs)
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **scoped_choices(request, db_field, kwargs)
        )

    def scoped_queryset(self, user: User) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        qs = self.scoped_queryset(request.user)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def _require_in_scope(self, request, object_id: str) -> None:
        # simple_history falls back to the historical copy when the live object is not
        # found, which would show another scope's history; refuse first.
        if request.user.is_superuser:
            return
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyMixin:
    """For records whose every write is a step with rules (a case, a plan, a pairing): the
    admin shows them and their history; the pages and the API, through the services, write."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ServiceAdminMixin:
    """Saving and deleting in the admin call the app's services.

    Subclasses implement ``service_create`` and ``service_update`` (and ``service_delete``
    where deleting has a rule). A rule a service refuses after the form was valid is shown
    as an error message; the transaction the admin opened is rolled back, nothing is saved.
    """

    def service_create(self, request, fields: dict[str, Any]):
        raise NotImplementedError

    def service_update(self, request, obj, changes: dict[str, Any]):
        raise NotImplementedError

    def service_delete(self, request, obj) -> None:
        obj._history_user = request.user
        obj.delete()

    def _form_values(self, form, names) -> dict[str, Any]:
        return {
            name: form.cleaned_data[name]
            for name in names
            if name in form.cleaned_data and not self.model._meta.get_field(name).many_to_many
        }

    def save_model(self, request, obj, form, change):
        if change:
            changes = self._form_values(form, form.changed_data)
            saved = self.service_update(request, obj, changes) if changes else obj
        else:
            saved = self.service_create(request, self._form_values(form, form.cleaned_data))
        # The admin goes on with ``obj`` (log entry, redirect): give it the saved row's identity.
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.service_delete(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# --- reference data ------------------------------------------------------------------------

register_admin_choices(Town, lambda user: selectors.town_list(user=user))
register_admin_choices(Village, lambda user: selectors.village_list(user=user))
register_admin_choices(VillagerGroup, lambda user: selectors.group_list(user=user))
register_admin_choices(Department, lambda user: selectors.department_list(user=user))
register_admin_choices(HelpUnit, lambda user: selectors.help_unit_list(user=user))
register_admin_choices(User, lambda user: selectors.user_list(user=user))


@admin.register(Town)
class TownAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]

    def scoped_queryset(self, user):
        return selectors.town_list(user=user)


class VillagerGroupInline(admin.TabularInline):
    model = VillagerGroup
    extra = 0


@admin.register(Village)
class VillageAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "town", "has_poverty_task"]
    list_filter = ["town", "has_poverty_task"]
    list_select_related = ["town"]
    search_fields = ["code", "name", "town__name"]
    inlines = [VillagerGroupInline]

    def scoped_queryset(self, user):
        return selectors.village_list(user=user)


@admin.register(VillagerGroup)
class VillagerGroupAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "village"]
    list_select_related = ["village"]
    search_fields = ["name", "village__name"]
    autocomplete_fields = ["village"]

    def scoped_queryset(self, user):
        return selectors.group_list(user=user)


@admin.register(Department)
class DepartmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "short_name"]
    search_fields = ["code", "name", "short_name"]

    def scoped_queryset(self, user):
        return selectors.department_list(user=user)


@admin.register(DepartmentContact)
class DepartmentContactAdmin(ServiceAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """部门通讯录: saved through the services, so only the county bureau changes it."""

    list_display = ["department", "name", "title", "phone", "order"]
    list_filter = ["department"]
    list_select_related = ["department"]
    search_fields = ["name", "phone", "department__name"]

    def scoped_queryset(self, user):
        return selectors.department_contacts(user=user)

    def service_create(self, request, fields):
        department = fields.pop("department")
        return department_contact_save(actor=request.user, department=department, values=fields)

    def service_update(self, request, obj, changes):
        department = changes.pop("department", None) or obj.department
        return department_contact_save(
            actor=request.user, department=department, contact=obj, values=changes
        )

    def service_delete(self, request, obj) -> None:
        department_contact_delete(actor=request.user, contact=obj)


@admin.register(HelpUnit)
class HelpUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    search_fields = ["name"]


# --- thresholds ----------------------------------------------------------------------------


@admin.register(PolicySettings)
class PolicySettingsAdmin(ServiceAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """One row a year; saved through ``policy_settings_save`` so the registry is re-judged."""

    list_display = [
        "year",
        "income_line",
        "minimum_living_standard",
        "home_check_team_min",
        "quorum_label",
        "village_publicity_days",
        "town_publicity_days",
        "warning_due_day",
        "warning_push_day",
        "wrong_exit_limit",
    ]
    fieldsets = [
        (None, {"fields": ["year"]}),
        ("识别标准（三（五）（六））", {"fields": ["income_line", "minimum_living_standard"]}),
        (
            "识别程序（三（七））",
            {
                "fields": [
                    "home_check_team_min",
                    ("quorum_numerator", "quorum_denominator"),
                    ("pass_numerator", "pass_denominator"),
                    "identification_procedure",
                    "village_publicity_days",
                    "town_publicity_days",
                    "home_check_working_days",
                    "identification_working_days",
                    "clock_warn_working_days",
                ]
            },
        ),
        (
            "部门预警（三（四）2）",
            {
                "fields": [
                    "warning_due_day",
                    "warning_push_day",
                    "warning_reminder_days",
                    "warning_verify_days",
                    "warning_verify_working_days",
                ]
            },
        ),
        (
            "退出（三（九）（十））",
            {
                "fields": [
                    ("exit_round_first_month", "exit_round_second_month"),
                    "exit_round_open_days",
                    "exit_publicity_days",
                    "exit_visit_within_days",
                    ("spot_check_percent", "spot_check_min"),
                    "wrong_exit_limit",
                ]
            },
        ),
    ]

    @admin.display(description="评议会有效到会比例")
    def quorum_label(self, obj: PolicySettings) -> str:
        return obj.quorum_label

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj else []

    def scoped_queryset(self, user):
        return selectors.policy_list(user=user)

    def service_create(self, request, fields):
        year = fields.pop("year")
        return policy_settings_save(actor=request.user, year=year, values=fields)

    def service_update(self, request, obj, changes):
        return policy_settings_save(actor=request.user, year=obj.year, values=changes)


# --- users ---------------------------------------------------------------------------------

ROLE_FIELDS = ("role", "village", "town", "department", "help_unit", "phone")
# What decides what an account sees and may do: a superuser's to change, never one's own.
SCOPE_AND_RIGHTS = ("role", *services.SCOPE_FIELDS, "is_staff", "is_superuser")


class OneTimePasswordForm(AdminPasswordChangeForm):
    """A password a superuser sets for someone else is a one-time password: the person
    replaces it at their next sign-in, like one the account pages give."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit)


@admin.register(User)
class UserAdmin(ServiceAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    """Accounts with their role and the scope the role needs (村、镇、部门 or 帮扶单位).

    Saved through the account services, with the rules of the account pages (names, phone,
    what an editor may assign, nobody changing their own role or scope); staff who are not
    superusers see the accounts they manage and may change neither role, scope nor admin
    rights, nor create accounts or set passwords here (the account pages do that)."""

    change_password_form = OneTimePasswordForm
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:2],
        ("角色与工作范围", {"fields": ROLE_FIELDS}),
        *DjangoUserAdmin.fieldsets[2:],
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (
            "姓名与角色",
            {"classes": ["wide"], "fields": ("last_name", "first_name", *ROLE_FIELDS)},
        ),
    ]
    list_display = ["username", "full_name", "role", "scope", "phone", "is_active", "is_staff"]
    list_filter = ["role", "town", "department", "is_active", "is_staff"]
    list_select_related = ["village__town", "town", "department", "help_unit"]
    search_fields = ["username", "last_name", "first_name", "phone", "email"]
    autocomplete_fields = ["village", "town"]

    @admin.display(description="姓名")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description="工作范围")
    def scope(self, obj: User) -> str:
        return obj.scope_label

    def scoped_queryset(self, user):
        return selectors.managed_user_list(user=user)

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def get_readonly_fields(self, request, obj=None):
        if not request.user.is_superuser:
            # Only a superuser hands out roles, scopes, admin rights or raw permissions.
            return [
                *SCOPE_AND_RIGHTS,
                "groups",
                "user_permissions",
                "last_login",
                "date_joined",
            ]
        if obj is not None and obj.pk == request.user.pk:
            return [*SCOPE_AND_RIGHTS]
        return []

    def user_change_password(self, request, id, form_url=""):
        if str(id) == str(request.user.pk):
            # One's own password is changed on its page, which asks for the current one.
            return HttpResponseRedirect(reverse("password_change"))
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        changed = set(form.changed_data) if change else set(form.cleaned_data)
        values = {
            name: form.cleaned_data[name]
            for name in services.ACCOUNT_FIELDS
            if name in changed and name in form.cleaned_data
        }
        if not change:
            password = form.cleaned_data.get("password1") or None
            saved, _ = services.user_create(actor=request.user, password=password, **values)
        else:
            saved = obj
            if values:
                saved = services.user_update(actor=request.user, user=obj, **values)
            if "is_active" in changed:
                toggle = services.user_reactivate if obj.is_active else services.user_deactivate
                saved = toggle(actor=request.user, user=obj)
        rights = {
            name: form.cleaned_data[name]
            for name in ("is_staff", "is_superuser")
            if name in changed and name in form.cleaned_data
        }
        if rights:
            saved = services.user_set_admin_rights(actor=request.user, user=saved, **rights)
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Append-only: shown to those who review it, changed and deleted by nobody."""

    list_display = ["at", "user", "kind", "what", "detail", "rows", "path", "ip_address"]
    list_filter = ["kind", "at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "what"]
    date_hierarchy = "at"
    show_full_result_count = False

    def get_queryset(self, request):
        return selectors.audit_entries(user=request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return selectors.may_review_audit_log(request.user) and request.user.is_staff


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "message", "created_at", "read_at"]
    list_filter = ["read_at"]
    list_select_related = ["recipient"]
    search_fields = ["message", "recipient__username"]
    raw_id_fields = ["recipient"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        # A notification is personal: staff other than superusers read only their own.
        return qs if request.user.is_superuser else qs.filter(recipient=request.user)
