"""What every registry page shares: scoped lookups, the access checks, crumbs, the form page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from organization.models import Role
from suixi_monitor.forms import run_service

from ..models import Household
from ..selectors import can_edit_registry, household_get

PAGE_SIZE = 50
MSG_NOT_FOUND = "未找到该记录，或不在您的管辖范围内"
MSG_READ_ONLY = "您可以查看该农户，但没有修改台账的权限"
MSG_NO_REGISTRY = "县直部门人员不查看农户台账；部门数据上报在“部门预警”中办理"


def require_registry_reader(user) -> None:
    """Department staff see only their own uploads and what became of them, not the registry."""
    if user.role == Role.DEPARTMENT_STAFF:
        raise PermissionDenied(MSG_NO_REGISTRY)


def household_or_404(user, pk) -> Household:
    try:
        return household_get(user=user, pk=pk)
    except Household.DoesNotExist:
        raise Http404(MSG_NOT_FOUND) from None


def in_scope(qs: QuerySet, **lookup):
    try:
        return qs.get(**lookup)
    except qs.model.DoesNotExist:
        raise Http404(MSG_NOT_FOUND) from None


def require_editor(user) -> None:
    # Called after the object was found in scope: what is left is the right to write.
    if not can_edit_registry(user):
        raise PermissionDenied(MSG_READ_ONLY)


def crumbs(*pairs) -> list[tuple[str, str]]:
    return list(pairs)


def household_crumbs(household: Household, *more) -> list[tuple[str, str]]:
    return crumbs(
        ("农户台账", reverse("households:list")),
        (f"{household.head_name}户", reverse("households:detail", args=[household.pk])),
        *more,
    )


def household_url(household: Household, anchor: str = "") -> str:
    return reverse("households:detail", args=[household.pk]) + anchor


def today() -> datetime.date:
    return timezone.localdate()


def form_page(
    request: HttpRequest,
    form,
    *,
    household: Household,
    title: str,
    save: Callable[[dict], Any],
    done: str | Callable[[dict], str],
    then: str | Callable[[Any], str],
    intro: str = "",
    submit: str = "保存",
    nav_active: str = "households",
    trail: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    """Every registry form on ``simple_form.html``: a valid POST goes to ``save`` (the service,
    given the cleaned data); its refusal comes back on the form, its success is the message
    ``done`` and a redirect to ``then``. Either may be worked out from the data or what was saved.
    """
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, save, form.cleaned_data)
        if not form.errors:
            messages.success(request, done(form.cleaned_data) if callable(done) else done)
            return redirect(then(saved) if callable(then) else then)
    context = {
        "form": form,
        "household": household,
        "title": title,
        "intro": intro,
        "submit": submit,
        "nav_active": nav_active,
        "crumbs": trail or household_crumbs(household, (title, "")),
    }
    return render(request, "households/simple_form.html", context)
