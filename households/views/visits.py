"""Visits (走访, 人防 of 三(四)1): recorded by whoever may visit the household."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .. import services
from ..forms import VisitForm
from ..selectors import can_edit_registry, can_record_visit, visit_list
from .common import form_page, household_or_404, household_url, in_scope, today

MSG_SAVED = "走访记录已保存"


@login_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = household_or_404(user, pk)
    if not can_record_visit(user, household):
        raise PermissionDenied("您没有走访该农户的权限")
    return form_page(
        request,
        VisitForm(request.POST or None, initial={"visited_on": today()}),
        household=household,
        title="登记走访",
        save=lambda data: services.visit_create(actor=user, household=household, **data),
        done=MSG_SAVED,
        then=household_url(household, "#visits"),
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
    return form_page(
        request,
        VisitForm(request.POST or None, instance=visit),
        household=visit.household,
        title="修改走访记录",
        save=lambda data: services.visit_update(actor=user, visit=visit, **data),
        done=MSG_SAVED,
        then=household_url(visit.household, "#visits"),
    )
