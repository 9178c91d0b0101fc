"""三(十) ledgers: who sees which rows, what each column says, and what a page costs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assistance.tests.factories_visits import subject_for
from households import id_numbers
from identification.models import ExitState
from identification.tests.factories_exits import exit_case
from reports.models import LedgerKind
from reports.selectors import LedgerFilters, columns, ledger_queryset, ledger_rows

from .support import FORMULA_NAME, assert_queries_stay_fixed, ledger_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def lw(world):
    return ledger_world(world)


def rows_of(user, kind, **filters) -> list[dict]:
    """The ledger as a list of {header: cell}."""
    base = ledger_queryset(user=user, kind=kind, filters=LedgerFilters(**filters))
    header = [title for _, title in columns(kind)]
    return [dict(zip(header, row, strict=True)) for row in ledger_rows(base, kind=kind, user=user)]


def heads(user, kind, **filters) -> set[str]:
    return {row["户主"] for row in rows_of(user, kind, **filters)}


# --- scope ------------------------------------------------------------------------------


def test_each_role_sees_only_its_own_area_in_the_registry(world, lw):
    a1 = {"张大", "李二", lw.exit.household.head_name}
    assert heads(world.alice, "registry") == a1
    assert heads(world.bob, "registry") == {FORMULA_NAME}
    assert heads(world.carol, "registry") == a1 | {FORMULA_NAME}
    assert heads(world.dave, "registry") == {"王三"}
    assert heads(world.erin, "registry") == a1 | {FORMULA_NAME, "王三"}


def test_a_helper_sees_only_the_households_paired_with_them(world, lw):
    assert heads(world.grace, "registry") == {"张大"}
    assert heads(world.grace, "unstable") == {"张大"}


def test_department_staff_see_no_ledger(world, lw, client):
    assert rows_of(world.frank, "registry") == []
    client.force_login(world.frank)
    assert client.get(reverse("reports:ledger", args=["registry"])).status_code == 403
    assert client.get(reverse("reports:index")).status_code == 403


@pytest.mark.parametrize(
    "user, shown, hidden",
    [
        ("alice", "张大", "王三"),
        ("carol", FORMULA_NAME, "王三"),
        ("dave", "王三", "张大"),
        ("grace", "张大", "李二"),
    ],
)
def test_the_page_never_shows_another_scopes_rows(world, lw, client, user, shown, hidden):
    client.force_login(getattr(world, user))
    page = client.get(reverse("reports:ledger", args=["registry"])).content.decode()
    assert shown.replace('"', "&quot;") in page
    assert hidden not in page


def test_a_filter_for_another_town_shows_nothing_of_it(world, lw, client):
    client.force_login(world.alice)
    page = client.get(reverse("reports:ledger", args=["unstable"]), {"town": world.town_b.pk})
    assert "王三" not in page.content.decode()


# --- the ledgers and their rows ---------------------------------------------------------


def test_each_category_ledger_lists_its_own_category(world, lw):
    assert heads(world.erin, "unstable") == {"张大", "王三", lw.exit.household.head_name}
    assert heads(world.erin, "marginal") == {"李二"}
    assert heads(world.erin, "sudden") == set()


def test_the_exits_ledger_lists_filed_exits_with_their_round_and_filing_date(world, lw):
    (row,) = rows_of(world.erin, "exits")
    assert row["户主"] == lw.exit.household.head_name
    assert row["退出批次"] == f"{lw.year}年上半年"
    assert row["备案日期"] == lw.exit.filed_on
    assert row["退出（风险消除）日期"] == lw.exit.filed_on
    assert row["监测状态"] == "风险已消除"


def test_a_row_shows_category_risks_dates_helper_and_plan(world, lw):
    (row,) = rows_of(world.erin, "unstable", q="张大")
    assert row["镇（园区）"] == "甲镇" and row["村"] == "甲一村"
    assert row["监测对象类别"] == "脱贫不稳定户"
    assert row["风险类型"] == "因病"
    assert row["纳入监测日期"] == lw.alleviated.started_on
    assert row["退出（风险消除）日期"] is None
    assert row["帮扶人"] == world.grace.get_full_name() or world.grace.username
    assert row["帮扶方案状态"] == "实施中"


def test_only_industry_and_employment_measures_are_listed_with_their_state(world, lw):
    (row,) = rows_of(world.erin, "unstable", q="张大")
    assert row["产业帮扶措施（状态）"] == "产业帮扶（实施中）"
    assert row["就业帮扶措施（状态）"] == "外出务工（计划中）"
    assert "低保" not in str(row)


def test_income_and_expenses_are_set_against_the_years_line(world, lw):
    (below,) = rows_of(world.erin, "unstable", q="张大")
    assert below["收入年度"] == lw.year - 1
    assert below["家庭纯收入（元）"] == 9000
    assert below["刚性支出（元）"] == 1000
    assert below["人均纯收入（元）"] == 4000
    assert below["监测收入线（元）"] == 6000
    assert below["低于监测线"] == "是"
    (above,) = rows_of(world.erin, "unstable", q="王三")
    assert above["人均纯收入（元）"] == 9500
    assert above["低于监测线"] == "否"


def test_id_numbers_are_whole_for_the_registry_keepers_and_masked_for_a_helper(world, lw):
    whole = lw.alleviated.household.members.get(relation="head").id_number
    (kept,) = rows_of(world.alice, "unstable", q="张大")
    (helped,) = rows_of(world.grace, "unstable", q="张大")
    assert kept["户主身份证号"] == whole
    assert helped["户主身份证号"] == id_numbers.mask(whole)


def test_a_household_never_monitored_is_in_the_registry_without_a_category(world, lw):
    (row,) = rows_of(world.erin, "registry", q=FORMULA_NAME[:5])
    assert row["监测对象类别"] == "" and row["监测状态"] == "未纳入监测"
    assert row["帮扶方案状态"] == ""


def test_registry_filters_by_category_status_and_id_number(world, lw):
    assert heads(world.erin, "registry", category="marginal") == {"李二"}
    assert heads(world.erin, "registry", status="never") == {FORMULA_NAME}
    assert heads(world.erin, "registry", status="eliminated") == {lw.exit.household.head_name}
    whole = lw.b1.household.members.get(relation="head").id_number
    assert heads(world.erin, "registry", q=whole) == {"王三"}


def test_filters_by_town_and_village(world, lw):
    assert heads(world.erin, "registry", town=world.town_b.pk) == {"王三"}
    assert heads(world.erin, "registry", village=world.a2.pk) == {FORMULA_NAME}


def test_an_unknown_ledger_answers_404(world, client):
    client.force_login(world.erin)
    assert client.get("/reports/ledgers/nothing/").status_code == 404


def test_the_county_page_links_each_town_and_a_town_each_village(world, lw, client):
    client.force_login(world.erin)
    page = client.get(reverse("reports:ledger", args=["registry"])).content.decode()
    assert f"?town={world.town_b.pk}" in page
    page = client.get(reverse("reports:ledger", args=["registry"]), {"town": world.town_a.pk})
    assert f"village={world.a2.pk}" in page.content.decode()


# --- cost ---------------------------------------------------------------------------------


def more_rows(world, lw, kind: str, n: int) -> None:
    for village in (world.a1, world.a2, world.b1):
        for _ in range(n):
            if kind == "exits":
                exit_case(village, world.alice, exit_round=lw.round, state=ExitState.FILED)
            else:
                subject_for(village, category="unstable" if kind == "registry" else kind)


@pytest.mark.parametrize("kind", LedgerKind.values)
def test_a_page_costs_a_fixed_number_of_queries(
    world, lw, client, kind, django_assert_max_num_queries
):
    more_rows(world, lw, kind, 1)
    client.force_login(world.erin)
    assert_queries_stay_fixed(
        client, reverse("reports:ledger", args=[kind]), grow=lambda: more_rows(world, lw, kind, 5),
        assert_max=django_assert_max_num_queries, ceiling=16,
    )  # fmt: skip
