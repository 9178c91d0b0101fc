"""A small built world for the ledger and assessment tests, on top of the shared ``world``
(conftest.py): subjects of each category, a plan with 产业, 就业 and other measures, income
against the line, a household whose head's name looks like a formula, and a filed exit."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone
from openpyxl import load_workbook

from assistance.models import AssistancePlan, Measure, PlanState
from assistance.tests.factories_plans import kind
from assistance.tests.factories_visits import help_world
from households.models import Household
from households.tests.factories import HouseholdFactory, IncomeRecordFactory, MemberFactory
from identification.models import ExitState
from identification.tests.factories_exits import exit_case, round_for
from organization.tests.factories import policy

FORMULA_NAME = '=HYPERLINK("http://x.example","点我")'


def income(household: Household, *, year: int, wage: str, size: int = 2) -> None:
    """An income record and the household's latest figures, as refresh_household_income sets."""
    record = IncomeRecordFactory(
        household=household,
        year=year,
        household_size=size,
        wage_income=Decimal(wage),
        medical_expense=Decimal("1000"),
    )
    per_capita = record.compute_per_capita()
    Household.objects.filter(pk=household.pk).update(
        latest_income_year=year, latest_per_capita_income=per_capita
    )


def ledger_world(world) -> SimpleNamespace:
    """- ``alleviated``: 张大 of A1, 脱贫不稳定户, paired with grace, an active plan with an
      industry measure (in progress), a 外出务工 measure (planned) and 低保 (not a ledger
      measure); income 9,000 − 1,000 for two: 4,000 a head, below the 6,000 line;
    - ``marginal``: 李二 of A1, 边缘易致贫户; ``b1``: 王三 of B1, 脱贫不稳定户;
    - ``formula``: a household of A2 whose head is named like a formula, never monitored;
    - ``exit``: a filed exit of A1 in this year's first round (its subject 脱贫不稳定户)."""
    help = help_world(world)
    year = timezone.localdate().year
    policy(year=year - 1, income_line=Decimal("6000"))
    plan = AssistancePlan.objects.create(
        subject=help.alleviated,
        made_on=timezone.localdate() - datetime.timedelta(days=30),
        made_by=world.carol,
        state=PlanState.ACTIVE,
    )
    for code, state in (
        ("industry", "in_progress"),
        ("migrant_work", "planned"),
        ("dibao", "in_progress"),
    ):
        Measure.objects.create(plan=plan, kind=kind(code), state=state)
    income(help.alleviated.household, year=year - 1, wage="9000")
    income(help.b1.household, year=year - 1, wage="20000")
    formula = HouseholdFactory(village=world.a2, head_name=FORMULA_NAME, status_2020="ordinary")
    MemberFactory(household=formula, name=FORMULA_NAME)
    first_half = round_for(world.town_a, world.town_b, year=year, half=1)
    exited = exit_case(
        world.a1,
        world.alice,
        exit_round=first_half,
        state=ExitState.FILED,
        filed_on=first_half.opened_on + datetime.timedelta(days=5),
    )
    return SimpleNamespace(
        **vars(help), year=year, plan=plan, formula=formula, round=first_half, exit=exited
    )


def sheet_rows(content: bytes) -> list[tuple]:
    """Every row of the first sheet of an xlsx, values as stored."""
    return list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].values)


def assert_queries_stay_fixed(client, url, *, grow, assert_max, ceiling: int, **query) -> None:
    """The page costs at most ``ceiling`` queries, and no more after ``grow()`` adds rows."""
    client.get(url, query)  # the session and the user, once
    with assert_max(ceiling) as captured:
        assert client.get(url, query).status_code == 200
    grow()
    with assert_max(len(captured)):
        assert client.get(url, query).status_code == 200
