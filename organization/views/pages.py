"""Pages of the organisation: home dispatch, departments, policy thresholds, notifications.

The registry's dashboards live in ``households.views`` (this app sits below
``households`` and never imports it), so ``home`` only routes each role there.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from suixi_monitor.forms import run_service
from suixi_monitor.history import field_changes, versions
from suixi_monitor.redirects import safe_next

from ..forms import POLICY_SOURCES, DepartmentContactForm, PolicySettingsForm, PolicyYearForm
from ..models import PolicySettings, Role
from ..selectors import department_contacts, department_directory, department_list, policy_list
from ..services import (
    MSG_CONTACTS_COUNTY_ONLY,
    department_contact_delete,
    department_contact_save,
    notification_mark_read,
    policy_settings_save,
)
from ..working_days import calendar_known

# A role whose work lives in a higher app gets that app's page as its home: the app
# registers the page's URL name from its ``AppConfig.ready()`` (the helper's 我的帮扶户).
ROLE_HOMES: dict[str, str] = {}


def register_role_home(role: str, url_name: str) -> None:
    ROLE_HOMES[role] = url_name


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home lives in the app that knows its work, which registers it (this app
    imports none of them); the registry's overview otherwise."""
    if request.user.role in ROLE_HOMES:
        return redirect(ROLE_HOMES[request.user.role])
    return redirect("households:overview")


class LogoutView(auth_views.LogoutView):
    """Signing out is a POST (the header's button); a typed or bookmarked ``/logout/`` gets a
    page with that button instead of Django's empty 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return render(request, "registration/logged_out.html")
        return render(request, "registration/logout_confirm.html")


@login_required
def departments(request: HttpRequest) -> HttpResponse:
    """部门通讯录: each department with the people to call; the county bureau keeps it."""
    return render(
        request,
        "organization/departments.html",
        {
            "departments": department_directory(user=request.user),
            "can_edit": request.user.role == Role.COUNTY_BUREAU,
            "nav_active": "departments",
        },
    )


def _require_county_directory(user) -> None:
    if user.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(MSG_CONTACTS_COUNTY_ONLY)


@login_required
def department_contact_edit(
    request: HttpRequest, department_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    """Add a contact to a department (``department_pk``) or change one (``pk``)."""
    _require_county_directory(request.user)
    contact = None
    if pk is not None:
        contact = department_contacts(user=request.user).filter(pk=pk).first()
        if contact is None:
            raise Http404
        department = contact.department
    else:
        department = department_list(user=request.user).filter(pk=department_pk).first()
        if department is None:
            raise Http404
    form = DepartmentContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in DepartmentContactForm.Meta.fields}
        saved = run_service(
            form,
            department_contact_save,
            actor=request.user,
            department=department,
            contact=contact,
            values=values,
        )
        if saved:
            messages.success(request, f"已保存{department.short_name}联系人{saved.name}")
            return redirect(reverse("departments") + f"#department-{department.pk}")
    return render(
        request,
        "organization/contact_form.html",
        {
            "form": form,
            "department": department,
            "contact": contact,
            "nav_active": "departments",
        },
    )


@login_required
@require_POST
def department_contact_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_county_directory(request.user)
    contact = department_contacts(user=request.user).filter(pk=pk).first()
    if contact is None:
        raise Http404
    department = contact.department
    department_contact_delete(actor=request.user, contact=contact)
    messages.success(request, f"已从通讯录删除{department.short_name}联系人{contact.name}")
    return redirect(reverse("departments") + f"#department-{department.pk}")


def _policy_value(policy: PolicySettings, name: str):
    """A field's value as the page shows it: a choice by its label (the procedure's name)."""
    if policy._meta.get_field(name).choices:
        return getattr(policy, f"get_{name}_display")()
    return getattr(policy, name)


def _policy_rows(policy: PolicySettings) -> list[dict]:
    return [
        {
            "label": policy._meta.get_field(name).verbose_name,
            "value": _policy_value(policy, name),
            "source": POLICY_SOURCES.get(name, ""),
            "is_bool": isinstance(getattr(policy, name), bool),
        }
        for name in PolicySettingsForm.Meta.fields
    ]


@login_required
def policy(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Everyone may read a year's thresholds; without a year, the current one."""
    current_year = timezone.localdate().year
    year = year or current_year
    if not 2021 <= year <= 2100:
        # The plan starts in 2021 (濉扶组〔2021〕6号); the rows are kept within the model's years.
        raise Http404
    settings = PolicySettings.for_year(year)
    years = list(policy_list(user=request.user).values_list("year", flat=True))
    return render(
        request,
        "organization/policy.html",
        {
            "year": year,
            "policy": settings,
            "is_stored": settings.pk is not None and settings.year == year,
            "rows": _policy_rows(settings),
            # The time limits count working days on this year's official calendar, if published.
            "calendar_known": calendar_known(year),
            "years": years,
            "can_edit": request.user.role == Role.COUNTY_BUREAU,
            "year_form": PolicyYearForm(initial={"year": current_year + 1}),
            "nav_active": "policy",
        },
    )


@login_required
def policy_edit(request: HttpRequest, year: int) -> HttpResponse:
    """Only the county bureau changes the numbers (三(六): 国家、省、市另有规定的按有关标准执行)."""
    if request.user.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县扶贫局可以修改政策参数")
    if not 2021 <= year <= 2100:
        raise Http404
    base = PolicySettings.for_year(year)
    instance = base if base.year == year and base.pk else PolicySettings(year=year)
    if instance.pk is None and base.pk:
        # A new year starts from the latest earlier year's numbers.
        for name in PolicySettingsForm.Meta.fields:
            setattr(instance, name, getattr(base, name))
    form = PolicySettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in PolicySettingsForm.Meta.fields}
        if run_service(form, policy_settings_save, actor=request.user, year=year, values=values):
            messages.success(request, f"{year}年度政策参数已保存")
            return redirect("policy_year", year=year)
    history = []
    if instance.pk:
        history = _policy_history(instance)
    return render(
        request,
        "organization/policy_edit.html",
        {
            "year": year,
            "form": form,
            "sources": POLICY_SOURCES,
            "history": history,
            "nav_active": "policy",
        },
    )


@login_required
def policy_new_year(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县扶贫局可以修改政策参数")
    form = PolicyYearForm(request.GET)
    if not form.is_valid():
        messages.error(request, "请输入2021至2100之间的年度")
        return redirect("policy")
    return redirect("policy_edit", year=form.cleaned_data["year"])


def _policy_history(policy: PolicySettings) -> list[dict]:
    """Each saved version of one year, newest first, with what changed from the one before."""
    fields = [PolicySettings._meta.get_field(name) for name in PolicySettingsForm.Meta.fields]
    rows = []
    for record, before in versions(policy.history.all()):
        # A row loaded in bulk has no first version: its first change is not its creation.
        created = before is None and record.history_type == "+"
        rows.append(
            {
                "record": record,
                "changes": field_changes(record, before, fields) if before is not None else [],
                "created": created,
                "unknown_before": before is None and not created,
            }
        )
    return rows[::-1]


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    qs = request.user.notifications.all()
    show = request.GET.get("show", "")
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "organization/notifications.html",
        {"page": page, "show": show, "nav_active": "notifications"},
    )


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of the user's unread ones as read."""
    raw = request.POST.get("id")
    ids = None
    if raw:
        try:
            ids = [int(raw)]
        except ValueError:
            raise Http404 from None
        # Someone else's notification is not found, as anywhere else.
        if not request.user.notifications.filter(Q(pk=ids[0])).exists():
            raise Http404
    count = notification_mark_read(actor=request.user, ids=ids)
    if ids is None:
        messages.success(request, f"已将 {count} 条通知标为已读")
    return redirect(safe_next(request, reverse("notifications")))
