"""The admin for the registry: scoped by the same selectors, saved through the same services.

Household pick-lists are autocompletes: a county has some 300,000 households, far too many
for a drop-down.
"""

from __future__ import annotations

import contextlib

from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from organization.admin import (
    ReadOnlyMixin,
    ScopedAdminMixin,
    ServiceAdminMixin,
    register_admin_choices,
)
from organization.audit import record_id_search
from organization.selectors import village_list

from . import id_numbers, selectors, services
from .models import (
    Household,
    IncomeRecord,
    LowIncomeStatus,
    Member,
    MonitoringSubject,
    RiskType,
    VillageHouseholdCount,
    Visit,
)


def _shows_full_id_numbers(request) -> bool:
    return request.user.is_superuser or request.user.can_see_full_id_numbers


def _id_number_column(request):
    """A display column bound to this request: whole for roles that need it, else masked.
    (The admin instance is shared between requests, so the request is not kept on it.)"""

    @admin.display(description="身份证号")
    def id_number(obj: Member) -> str:
        return obj.id_number if _shows_full_id_numbers(request) else obj.masked_id_number

    return id_number


def _birth_date_column(request):
    """The birth date whole beside a whole number; only the year beside a masked one (the
    masked number's region and last four plus the date would give the number back)."""

    @admin.display(description="出生日期")
    def birth_date(obj: Member) -> str:
        if _shows_full_id_numbers(request):
            return obj.birth_date.isoformat() if obj.birth_date else ""
        return id_numbers.mask_birth_date(obj.birth_date)

    return birth_date


class IdNumberSearchMixin:
    """A searched ID number is normalised first (spaces, full-width digits, lower-case x), as
    everywhere else, so ``=id_number`` search fields find it however it was typed."""

    def get_search_results(self, request, queryset, search_term):
        # A name or a partial number is searched as typed.
        with contextlib.suppress(ValidationError):
            search_term = id_numbers.normalize_id_number(search_term)
        record_id_search(request, search_term, where=f"管理后台：{self.model._meta.verbose_name}")
        return super().get_search_results(request, queryset, search_term)


# Foreign keys to the registry offer only the editor's households and members; the risk
# types (三(二)) are the county's one list.
register_admin_choices(Household, lambda user: selectors.household_list(user=user))
register_admin_choices(Member, lambda user: selectors.member_list(user=user))
register_admin_choices(RiskType, lambda user: RiskType.objects.all())


class MemberInline(admin.TabularInline):
    """Read-only here: members are added and changed through their own page (the service)."""

    model = Member
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["name", "id_number_shown", "sex", "birth_date_shown", "relation", "health"]
    readonly_fields = fields

    def get_formset(self, request, obj=None, **kwargs):
        # Inline instances are made per request (unlike the ModelAdmin), so keeping it is safe.
        self.request = request
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description="身份证号")
    def id_number_shown(self, obj: Member) -> str:
        return obj.id_number if _shows_full_id_numbers(self.request) else obj.masked_id_number

    @admin.display(description="出生日期")
    def birth_date_shown(self, obj: Member) -> str:
        return _birth_date_column(self.request)(obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class IncomeRecordInline(admin.TabularInline):
    model = IncomeRecord
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["year", "household_size", "per_capita_net_income", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Household)
class HouseholdAdmin(IdNumberSearchMixin, ServiceAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "head_name",
        "village",
        "town",
        "status_2020",
        "size",
        "latest_income_year",
        "latest_per_capita_income",
        "below_income_line",
        "is_monitored",
    ]
    list_filter = ["village__town", "status_2020", "below_income_line", "registered_in_county"]
    search_fields = ["head_name", "code", "address", "=members__id_number", "members__name"]
    readonly_fields = [
        "latest_income_year",
        "latest_per_capita_income",
        "below_income_line",
        "created_at",
        "updated_at",
    ]
    inlines = [MemberInline, IncomeRecordInline]
    # The exact count of a county-wide list is a second full scan; the page does without it.
    show_full_result_count = False

    @admin.display(description="镇（园区）", ordering="village__town__name")
    def town(self, obj: Household) -> str:
        return obj.village.town.name

    @admin.display(description="家庭人口", ordering="size")
    def size(self, obj: Household) -> int:
        return obj.size

    @admin.display(description="监测对象", boolean=True, ordering="is_monitored")
    def is_monitored(self, obj: Household) -> bool:
        return obj.is_monitored

    def get_queryset(self, request):
        if request.user.is_superuser:
            qs = super().get_queryset(request).select_related("village__town", "group")
            return selectors.with_list_annotations(qs)
        return super().get_queryset(request)

    def scoped_queryset(self, user):
        return selectors.household_list(user=user)

    def service_create(self, request, fields):
        return services.household_create(actor=request.user, **fields)

    def service_update(self, request, obj, changes):
        return services.household_update(actor=request.user, household=obj, **changes)


@admin.register(Member)
class MemberAdmin(IdNumberSearchMixin, ServiceAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_filter = ["relation", "sex", "health", "labour_capacity", "schooling"]
    list_select_related = ["household__village"]
    search_fields = ["name", "=id_number", "household__head_name"]
    autocomplete_fields = ["household"]
    show_full_result_count = False

    def get_list_display(self, request):
        return [
            "name",
            _id_number_column(request),
            "sex",
            _birth_date_column(request),
            "relation",
            "household",
        ]

    def get_readonly_fields(self, request, obj=None):
        derived = ["sex", "birth_date"]
        if obj is not None:
            derived.append("household")  # moving a person is not an edit of the member
        if not _shows_full_id_numbers(request):
            derived = [f for f in derived if f != "birth_date"]
            derived += [_id_number_column(request), _birth_date_column(request)]
        return derived

    def get_exclude(self, request, obj=None):
        return [] if _shows_full_id_numbers(request) else ["id_number", "birth_date"]

    def scoped_queryset(self, user):
        return selectors.member_list(user=user)

    def service_create(self, request, fields):
        household = fields.pop("household")
        return services.member_create(actor=request.user, household=household, **fields)

    def service_update(self, request, obj, changes):
        return services.member_update(actor=request.user, member=obj, **changes)

    def service_delete(self, request, obj):
        services.member_delete(actor=request.user, member=obj)


@admin.register(IncomeRecord)
class IncomeRecordAdmin(
    IdNumberSearchMixin, ServiceAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin
):
    list_display = [
        "household",
        "year",
        "household_size",
        "total_income",
        "rigid_expense",
        "per_capita_net_income",
    ]
    list_filter = ["year"]
    list_select_related = ["household__village"]
    search_fields = ["household__head_name", "=household__members__id_number"]
    autocomplete_fields = ["household"]
    readonly_fields = ["per_capita_net_income"]
    show_full_result_count = False

    @admin.display(description="总收入")
    def total_income(self, obj: IncomeRecord):
        return obj.total_income

    @admin.display(description="刚性支出")
    def rigid_expense(self, obj: IncomeRecord):
        return obj.rigid_expense

    def get_readonly_fields(self, request, obj=None):
        return ["per_capita_net_income", "household"] if obj else ["per_capita_net_income"]

    def scoped_queryset(self, user):
        return selectors.income_record_list(user=user)

    def service_create(self, request, fields):
        return services.income_record_save(
            actor=request.user, household=fields.pop("household"), year=fields.pop("year"), **fields
        )

    def service_update(self, request, obj, changes):
        year = changes.pop("year", obj.year)
        return services.income_record_save(
            actor=request.user, household=obj.household, year=year, record=obj, **changes
        )

    def service_delete(self, request, obj):
        services.income_record_delete(actor=request.user, record=obj)


@admin.register(RiskType)
class RiskTypeAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name"]
    list_display_links = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(MonitoringSubject)
class MonitoringSubjectAdmin(
    IdNumberSearchMixin, ServiceAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin
):
    """监测对象. The status moves only by the exit case's filing (三(九)), never here."""

    list_display = ["household", "category", "risks", "started_on", "status", "ended_on"]
    list_filter = ["status", "category", "risk_types", "household__village__town"]
    list_select_related = ["household__village__town"]
    search_fields = ["household__head_name", "=household__members__id_number"]
    autocomplete_fields = ["household"]
    filter_horizontal = ["risk_types"]
    show_full_result_count = False

    @admin.display(description="风险类型")
    def risks(self, obj: MonitoringSubject) -> str:
        return "、".join(risk.name for risk in obj.risk_types.all())

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["status", "ended_on"]
        return ["household", "category", "started_on", "status", "ended_on", "note"]

    def scoped_queryset(self, user):
        return selectors.monitoring_subject_list(user=user)

    def save_model(self, request, obj, form, change):
        if change:
            services.monitoring_subject_update_risks(
                actor=request.user, subject=obj, risk_types=form.cleaned_data["risk_types"]
            )
        else:
            saved = services.monitoring_subject_create(
                actor=request.user,
                household=form.cleaned_data["household"],
                category=form.cleaned_data["category"],
                risk_types=form.cleaned_data["risk_types"],
                started_on=form.cleaned_data["started_on"],
                note=form.cleaned_data.get("note", ""),
            )
            obj.pk = saved.pk
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """The services above already set the risk types."""


@admin.register(Visit)
class VisitAdmin(ServiceAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["household", "visited_on", "reason", "visitor", "risk_found"]
    list_filter = ["reason", "risk_found", "visited_on"]
    list_select_related = ["household__village", "visitor"]
    search_fields = ["household__head_name", "findings"]
    autocomplete_fields = ["household"]
    date_hierarchy = "visited_on"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # The visitor is whoever records the visit.
        return ["visitor", "household"] if obj else ["visitor"]

    def scoped_queryset(self, user):
        return selectors.visit_list(user=user)

    def service_create(self, request, fields):
        return services.visit_create(
            actor=request.user, household=fields.pop("household"), **fields
        )

    def service_update(self, request, obj, changes):
        return services.visit_update(actor=request.user, visit=obj, **changes)


@admin.register(LowIncomeStatus)
class LowIncomeStatusAdmin(IdNumberSearchMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """低收入人口身份: shown only. 民政's roster sets them and the household page enters or
    ends one by hand, through the services that keep one open status per kind."""

    list_display = ["household", "kind", "started_on", "ended_on", "source", "source_label"]
    list_filter = ["kind", "source", "household__village__town"]
    list_select_related = ["household__village__town"]
    search_fields = ["household__head_name", "=household__members__id_number"]
    show_full_result_count = False

    def scoped_queryset(self, user):
        return selectors.low_income_status_list(user=user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VillageHouseholdCount)
class VillageHouseholdCountAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    """各村农户数: the figure the dashboards read, kept with every household written; shown only,
    with an action that counts the chosen villages again from their households."""

    list_display = ["village", "town", "households"]
    list_select_related = ["village__town"]
    list_filter = ["village__town"]
    search_fields = ["village__name"]
    actions = ["recount"]

    def scoped_queryset(self, user):
        return VillageHouseholdCount.objects.filter(village__in=village_list(user=user))

    @admin.display(description="镇（园区）", ordering="village__town__code")
    def town(self, obj: VillageHouseholdCount):
        return obj.village.town

    @admin.action(description="按农户重新统计所选村")
    def recount(self, request, queryset):
        wrong = VillageHouseholdCount.recount(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"已重新统计，更正 {wrong} 个村的农户数。")
