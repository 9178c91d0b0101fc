"""Browser pages of the registry (台账). Thin: parse a form, call a service, render.

Every object is fetched through the scoped selectors, so another scope's
household, member, income record, visit or monitoring subject answers 404; an
object the user may see but not change answers 403 on its edit pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, QuerySet, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from organization.models import PolicySettings, Role

from .. import services
from ..forms import (
    HouseholdCreateForm,
    HouseholdFilterForm,
    HouseholdForm,
    IncomeRecordForm,
    MemberForm,
    MemberFormSet,
    MonitoringSubjectForm,
    SubjectFilterForm,
    SubjectRisksForm,
    VisitForm,
)
from ..models import Household, IncomeRecord, Member, MonitoringSubject
from ..selectors import (
    HouseholdFilters,
    area_table,
    can_edit_registry,
    can_record_visit,
    household_get,
    household_history,
    income_record_list,
    member_list,
    monitoring_subject_list,
    registry_counts,
    visit_list,
)
from ..selectors import (
    household_list as select_households,
)

PAGE_SIZE = 50
# What the household list shows; ``templatetags/registry.household_rows`` renders them.
LIST_COLUMNS = (
    "pk",
    "head_name",
    "village__town__name",
    "village__name",
    "group__name",
    "size",
    "status_2020",
    "latest_per_capita_income",
    "latest_income_year",
    "below_income_line",
    "is_monitored",
)
MSG_NOT_FOUND = "未找到该记录，或不在您的管辖范围内"
MSG_READ_ONLY = "您可以查看该农户，但没有修改台账的权限"
MSG_NO_REGISTRY = "县直部门人员不查看农户台账；部门数据上报在“部门预警”中办理"


# --- extension point --------------------------------------------------------------

# Buttons that higher apps add to the household page (e.g. identification's "申请纳入"),
# so this app never imports them. Each callable takes (user, household) and returns
# (label, url) or None when the button does not apply.
DetailAction = Callable[[Any, Household], tuple[str, str] | None]
DETAIL_ACTIONS: list[DetailAction] = []


def register_detail_action(action: DetailAction) -> DetailAction:
    """Call from an app's ``AppConfig.ready``; usable as a decorator."""
    if action not in DETAIL_ACTIONS:
        DETAIL_ACTIONS.append(action)
    return action


# --- access helpers -------------------------------------------------------------


def _require_registry_reader(user) -> None:
    """Department staff see only their own uploads and what became of them (DESIGN.md §5)."""
    if user.role == Role.DEPARTMENT_STAFF:
        raise PermissionDenied(MSG_NO_REGISTRY)


def _household(user, pk) -> Household:
    try:
        return household_get(user=user, pk=pk)
    except Household.DoesNotExist:
        raise Http404(MSG_NOT_FOUND) from None


def _in_scope(qs: QuerySet, **lookup):
    try:
        return qs.get(**lookup)
    except qs.model.DoesNotExist:
        raise Http404(MSG_NOT_FOUND) from None


def _require_editor(user) -> None:
    # Called after the object was found in scope: what is left is the right to write.
    if not can_edit_registry(user):
        raise PermissionDenied(MSG_READ_ONLY)


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where the form has the field."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _crumbs(*pairs) -> list[tuple[str, str]]:
    return list(pairs)


def _household_crumbs(household: Household, *more) -> list[tuple[str, str]]:
    return _crumbs(
        ("农户台账", reverse("households:list")),
        (f"{household.head_name}户", reverse("households:detail", args=[household.pk])),
        *more,
    )


# --- home ---------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The home page of every role that keeps or reads the registry; a bounded number of queries."""
    user = request.user
    _require_registry_reader(user)
    context: dict = {"nav_active": "home"}
    if user.role == Role.VILLAGE_MONITOR:
        context["counts"] = registry_counts(user=user)
        context["recent_visits"] = visit_list(user=user).order_by("-visited_on", "-id")[:10]
    elif user.role in {Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}:
        by = "village" if user.role == Role.TOWN_OFFICIAL else "town"
        rows = list(area_table(user=user, by=by))
        context.update(
            by=by,
            rows=rows,
            totals={
                key: sum(getattr(row, f"n_{key}") for row in rows)
                for key in ("households", "members", "monitored", "below_line")
            },
            policy=PolicySettings.current(),
        )
    elif user.role == Role.HELPER:
        context["households"] = select_households(user=user).order_by("village__town", "village")
    return render(request, "households/overview.html", context)


# --- households ---------------------------------------------------------------------


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    """The registry list: a fixed number of queries whatever the page size."""
    _require_registry_reader(request.user)
    form = HouseholdFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else HouseholdFilters()
    # Plain rows: building four model instances per household cost more than the query.
    households = select_households(user=request.user, filters=filters)
    paginator = Paginator(households.order_by("-id").values(*LIST_COLUMNS), PAGE_SIZE)
    # Count the plain queryset: counting the .values() rows would keep the town and
    # group joins, a scan of every household in the county on PostgreSQL.
    paginator.count = households.count()
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "households/household_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "can_create": can_edit_registry(request.user),
            # Detail pages live at <list>/<pk>/; one reverse() instead of fifty.
            "detail_base": reverse("households:list"),
            "nav_active": "households",
            "crumbs": _crumbs(("农户台账", "")),
        },
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = _household(user, pk)
    # The head first, then the others in the order they were entered.
    head_first = Case(When(relation=Member.Relation.HEAD, then=0), default=1)
    members = list(household.members.order_by(head_first, "id"))
    incomes = list(household.income_records.order_by("-year"))
    lines = {year: PolicySettings.for_year(year).income_line for year in {r.year for r in incomes}}
    income_rows = [
        {"record": r, "line": lines[r.year], "below": r.per_capita_net_income < lines[r.year]}
        for r in incomes
    ]
    # The household's latest income is always one of its records, so its line is in ``lines``.
    latest_line = lines.get(household.latest_income_year)
    policy = PolicySettings.for_year(household.latest_income_year or _this_year())
    subjects = household.monitoring_subjects.prefetch_related("risk_types")
    show_full = user.can_see_full_id_numbers
    return render(
        request,
        "households/household_detail.html",
        {
            "household": household,
            "members": members,
            "show_full_ids": show_full,
            "income_rows": income_rows,
            "latest_line": latest_line,
            "policy": policy,
            "in_scope": household.in_identification_scope(policy),
            "below_minimum": household.below_minimum_living_standard(policy),
            "visits": household.visits.select_related("visitor"),
            "subjects": subjects,
            "history": household_history(household=household, show_full_id_numbers=show_full),
            "can_edit": can_edit_registry(user),
            "can_visit": user.role != Role.DEPARTMENT_STAFF,
            "can_file_subject": user.is_county and not household.is_monitored,
            "extra_actions": [a for action in DETAIL_ACTIONS if (a := action(user, household))],
            "nav_active": "households",
            "crumbs": _household_crumbs(household)[:-1] + [(f"{household.head_name}户", "")],
        },
    )


def _this_year() -> int:
    return timezone.localdate().year


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    """A household and its members on one page, saved all or nothing."""
    user = request.user
    _require_registry_reader(user)
    if not can_edit_registry(user):
        raise PermissionDenied("您没有新增农户的权限")
    data = request.POST if request.method == "POST" else None
    form = HouseholdCreateForm(data, user=user)
    formset = MemberFormSet(data, prefix="members", initial=[{"relation": Member.Relation.HEAD}])
    if data is not None and form.is_valid() and formset.is_valid():
        rows = formset.filled_forms()
        members = [_member_fields(f) for _, f in rows]
        head = next(m for m in members if m["relation"] == Member.Relation.HEAD)
        fields = {name: form.cleaned_data[name] for name in HouseholdCreateForm.Meta.fields}
        try:
            household = services.household_create(
                actor=user, members=members, head_name=head["name"], **fields
            )
        except ValidationError as error:
            _apply_member_errors(form, formset, [index for index, _ in rows], error)
        else:
            messages.success(request, f"已新增{household.head_name}户，共{len(members)}人")
            return redirect("households:detail", pk=household.pk)
    return render(
        request,
        "households/household_form.html",
        {
            "form": form,
            "formset": formset,
            "title": "新增农户",
            "nav_active": "households",
            "crumbs": _crumbs(("农户台账", reverse("households:list")), ("新增农户", "")),
        },
    )


def _member_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in MemberForm.Meta.fields}


def _apply_member_errors(form, formset, row_of: list[int], error: ValidationError) -> None:
    """Map the service's ``members[i].field`` keys back onto the formset rows they came from."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, field_errors in error.message_dict.items():
        if key.startswith("members["):
            index_text, _, field = key[len("members[") :].partition("]")
            field = field.lstrip(".")
            member_form = formset.forms[row_of[int(index_text)]]
            target = field if field in member_form.fields else None
            member_form.add_error(target, field_errors)
        else:
            form.add_error(key if key in form.fields else None, field_errors)


@login_required
def household_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = _household(user, pk)
    _require_editor(user)
    form = HouseholdForm(request.POST or None, instance=household, user=user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in HouseholdForm.Meta.fields}
        try:
            services.household_update(actor=user, household=household, **fields)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "农户信息已保存")
            return redirect("households:detail", pk=household.pk)
    return render(
        request,
        "households/household_form.html",
        {
            "form": form,
            "household": household,
            "title": "修改农户信息",
            "nav_active": "households",
            "crumbs": _household_crumbs(household, ("修改农户信息", "")),
        },
    )


# --- members ------------------------------------------------------------------------


@login_required
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = _household(user, pk)
    _require_editor(user)
    form = MemberForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_create(actor=user, household=household, **_member_fields(form))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"已添加家庭成员{form.cleaned_data['name']}")
            return redirect("households:detail", pk=household.pk)
    return _member_page(request, household, form, "添加家庭成员")


def _member_page(request, household, form, title) -> HttpResponse:
    return render(
        request,
        "households/simple_form.html",
        {
            "form": form,
            "household": household,
            "title": title,
            "nav_active": "households",
            "crumbs": _household_crumbs(household, (title, "")),
        },
    )


def _member(user, household_pk, member_pk) -> Member:
    return _in_scope(
        member_list(user=user).select_related("household"), pk=member_pk, household_id=household_pk
    )


@login_required
def member_update(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = request.user
    member = _member(user, pk, member_pk)
    _require_editor(user)
    household = member.household
    form = MemberForm(request.POST or None, instance=member, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=user, member=member, **_member_fields(form))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"家庭成员{member.name}的信息已保存")
            return redirect("households:detail", pk=household.pk)
    return _member_page(request, household, form, f"修改家庭成员：{member.name}")


@login_required
def member_delete(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = request.user
    member = _member(user, pk, member_pk)
    _require_editor(user)
    household = member.household
    if request.method == "POST":
        try:
            services.member_delete(actor=user, member=member)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"已删除家庭成员{member.name}")
        return redirect("households:detail", pk=household.pk)
    return render(
        request,
        "households/member_confirm_delete.html",
        {
            "member": member,
            "household": household,
            "nav_active": "households",
            "crumbs": _household_crumbs(household, (f"删除家庭成员：{member.name}", "")),
        },
    )


# --- income ---------------------------------------------------------------------------


@login_required
def income_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request.user, pk)
    _require_editor(request.user)
    return _income_page(request, household, None)


@login_required
def income_update(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    record = _in_scope(
        income_record_list(user=request.user).select_related("household"),
        pk=record_pk,
        household_id=pk,
    )
    _require_editor(request.user)
    return _income_page(request, record.household, record)


def _income_page(request, household: Household, record: IncomeRecord | None) -> HttpResponse:
    initial = {} if record else {"household_size": household.size or None, "year": _this_year() - 1}
    form = IncomeRecordForm(
        request.POST or None,
        instance=record or IncomeRecord(household=household),
        initial=initial,
        household=household,
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "year"}
        try:
            services.income_record_save(
                actor=request.user,
                household=household,
                year=form.cleaned_data["year"],
                record=record,
                **fields,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['year']}年度收入已保存")
            return redirect(reverse("households:detail", args=[household.pk]) + "#income")
    title = f"修改{record.year}年度收入" if record else "登记年度收入"
    return render(
        request,
        "households/simple_form.html",
        {
            "form": form,
            "household": household,
            "title": title,
            "intro": "人均纯收入 =（工资性 + 生产经营性 + 财产性 + 转移性收入 − 刚性支出）÷ 家庭人口，"
            "与当年监测收入线比较（三(六)一）。",
            "nav_active": "households",
            "crumbs": _household_crumbs(household, (title, "")),
        },
    )


# --- visits -----------------------------------------------------------------------------


@login_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = _household(user, pk)
    if not can_record_visit(user, household):
        raise PermissionDenied("您没有走访该农户的权限")
    form = VisitForm(request.POST or None, initial={"visited_on": _today()})
    return _visit_page(
        request,
        form,
        household,
        "登记走访",
        lambda data: services.visit_create(actor=user, household=household, **data),
    )


@login_required
def visit_update(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    """A visitor corrects their own record; those who keep the registry may correct any."""
    user = request.user
    visit = _in_scope(
        visit_list(user=user).select_related("household"), pk=visit_pk, household_id=pk
    )
    if visit.visitor_id != user.pk and not can_edit_registry(user):
        raise PermissionDenied("只能修改自己的走访记录")
    form = VisitForm(request.POST or None, instance=visit)
    return _visit_page(
        request,
        form,
        visit.household,
        "修改走访记录",
        lambda data: services.visit_update(actor=user, visit=visit, **data),
    )


def _visit_page(request, form, household, title: str, save) -> HttpResponse:
    """Both visit forms: save through the service, errors back on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "走访记录已保存")
            return redirect(reverse("households:detail", args=[household.pk]) + "#visits")
    return render(
        request,
        "households/simple_form.html",
        {
            "form": form,
            "household": household,
            "title": title,
            "nav_active": "households",
            "crumbs": _household_crumbs(household, (title, "")),
        },
    )


def _today():
    return timezone.localdate()


# --- monitoring subjects --------------------------------------------------------------------


@login_required
def subject_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_registry_reader(user)
    form = SubjectFilterForm(request.GET or None, user=user)
    qs = monitoring_subject_list(user=user)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("town"):
            qs = qs.filter(household__village__town=data["town"])
        if data.get("village"):
            qs = qs.filter(household__village=data["village"])
    page = Paginator(qs.order_by("-started_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "households/subject_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "nav_active": "subjects",
            "crumbs": _crumbs(("监测对象", "")),
        },
    )


@login_required
def subject_detail(request: HttpRequest, subject_pk: int) -> HttpResponse:
    subject = _in_scope(monitoring_subject_list(user=request.user), pk=subject_pk)
    return render(
        request,
        "households/subject_detail.html",
        {
            "subject": subject,
            "household": subject.household,
            "can_edit_risks": subject.status == MonitoringSubject.Status.MONITORING
            and can_edit_registry(request.user, subject.household),
            "nav_active": "subjects",
            "crumbs": _crumbs(("监测对象", reverse("households:subject_list")), (str(subject), "")),
        },
    )


@login_required
def subject_risks_update(request: HttpRequest, subject_pk: int) -> HttpResponse:
    """Those who keep the household's registry change a monitored household's risk types."""
    user = request.user
    subject = _in_scope(monitoring_subject_list(user=user), pk=subject_pk)
    household = subject.household
    if not can_edit_registry(user, household):
        raise PermissionDenied(services.MSG_NO_REGISTRY_RIGHT)
    if subject.status != MonitoringSubject.Status.MONITORING:
        raise PermissionDenied("风险已消除的监测对象不再修改风险类型")
    # Bound on any POST: with every box unticked the form posts no risk type at all.
    form = SubjectRisksForm(
        request.POST if request.method == "POST" else None,
        initial={"risk_types": list(subject.risk_types.all())},
    )
    if request.method == "POST" and form.is_valid():
        services.monitoring_subject_update_risks(
            actor=user, subject=subject, risk_types=form.cleaned_data["risk_types"]
        )
        messages.success(request, "风险类型已更新")
        return redirect("households:subject_detail", subject_pk=subject.pk)
    return render(
        request,
        "households/simple_form.html",
        {
            "form": form,
            "household": household,
            "title": "修改风险类型",
            "intro": "三(二)：因病、因残、因学、因灾、因意外事故、因产业失败、因就业不稳等。"
            "修改会记入农户的变更记录。",
            "nav_active": "subjects",
            "crumbs": _crumbs(
                ("监测对象", reverse("households:subject_list")),
                (str(subject), reverse("households:subject_detail", args=[subject.pk])),
                ("修改风险类型", ""),
            ),
        },
    )


@login_required
def subject_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The county bureau enters a household already monitored before the system existed."""
    user = request.user
    household = _household(user, pk)
    if not user.is_county:
        raise PermissionDenied("只有县扶贫局可以备案监测对象")
    form = MonitoringSubjectForm(request.POST or None, initial={"started_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            subject = services.monitoring_subject_create(
                actor=user, household=household, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{household.head_name}户已纳入监测对象")
            return redirect("households:subject_detail", subject_pk=subject.pk)
    return render(
        request,
        "households/simple_form.html",
        {
            "form": form,
            "household": household,
            "title": "备案监测对象",
            "intro": "三(一)：监测对象分为脱贫不稳定户、边缘易致贫户、突发严重困难户。"
            "经识别程序纳入的监测对象由县备案时自动生成；此处用于录入系统启用前已纳入监测的农户。",
            "nav_active": "subjects",
            "crumbs": _household_crumbs(household, ("备案监测对象", "")),
        },
    )
