"""Entering and ending a household's social-assistance status by hand, between two of 民政's
monthly rosters (the roster itself is uploaded on the department upload page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from .. import low_income
from ..forms.low_income import LowIncomeStatusEndForm, LowIncomeStatusForm
from ..selectors import low_income_status_list
from .common import form_page, household_or_404, household_url, in_scope, require_editor, today

INTRO = (
    "低保、特困、低保边缘、刚性支出困难身份一般由民政每月名册自动设置；"
    "名册之间新批准或终止的，可在此登记，下月名册将按名册更新。"
)


@login_required
def status_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = household_or_404(user, pk)
    require_editor(user)
    return form_page(
        request,
        LowIncomeStatusForm(request.POST or None, initial={"started_on": today()}),
        household=household,
        title="登记低收入人口身份",
        intro=INTRO,
        save=lambda data: low_income.low_income_status_start(
            actor=user, household=household, **data
        ),
        done="低收入人口身份已登记",
        then=household_url(household, "#low-income"),
    )


@login_required
def status_end(request: HttpRequest, pk: int, status_pk: int) -> HttpResponse:
    user = request.user
    household = household_or_404(user, pk)
    status = in_scope(low_income_status_list(user=user), pk=status_pk, household=household)
    require_editor(user)
    return form_page(
        request,
        LowIncomeStatusEndForm(request.POST or None, initial={"ended_on": today()}),
        household=household,
        title=f"终止{status.get_kind_display()}身份",
        intro=f"{status.get_kind_display()}，{status.started_label}。" + INTRO,
        save=lambda data: low_income.low_income_status_end(actor=user, status=status, **data),
        done=f"{status.get_kind_display()}身份已终止",
        then=household_url(household, "#low-income"),
    )
