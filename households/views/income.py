"""Yearly income records (三(六)一): per-person net income against the year's line."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from .. import services
from ..forms import IncomeRecordForm
from ..models import Household, IncomeRecord
from ..selectors import income_record_list
from .common import form_page, household_or_404, household_url, in_scope, require_editor, today


@login_required
def income_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_or_404(request.user, pk)
    require_editor(request.user)
    return _income_page(request, household, None)


@login_required
def income_update(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    record = in_scope(
        income_record_list(user=request.user).select_related("household"),
        pk=record_pk,
        household_id=pk,
    )
    require_editor(request.user)
    return _income_page(request, record.household, record)


INCOME_INTRO = (
    "人均纯收入 =（工资性 + 生产经营性 + 财产性 + 转移性收入 − 刚性支出）÷ 家庭人口，"
    "与当年监测收入线比较（三(六)一）。"
)


def _income_page(request, household: Household, record: IncomeRecord | None) -> HttpResponse:
    initial = {} if record else {"household_size": household.size or None, "year": today().year - 1}
    form = IncomeRecordForm(
        request.POST or None,
        instance=record or IncomeRecord(household=household),
        initial=initial,
    )
    return form_page(
        request,
        form,
        household=household,
        title=f"修改{record.year}年度收入" if record else "登记年度收入",
        intro=INCOME_INTRO,
        save=lambda data: services.income_record_save(
            actor=request.user, household=household, record=record, **data
        ),
        done=lambda data: f"{data['year']}年度收入已保存",
        then=household_url(household, "#income"),
    )
