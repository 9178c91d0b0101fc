"""Visits (走访, 人防 of 三(四)1): recorded by whoever may visit the household."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import services
from ..forms import VisitForm
from ..selectors import can_edit_registry, can_record_visit, visit_list
from .common import apply_errors, household_crumbs, household_or_404, in_scope, today


@login_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = household_or_404(user, pk)
    if not can_record_visit(user, household):
        raise PermissionDenied("您没有走访该农户的权限")
    form = VisitForm(request.POST or None, initial={"visited_on": today()})
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
    visit = in_scope(
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
            apply_errors(form, error)
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
            "crumbs": household_crumbs(household, (title, "")),
        },
    )
