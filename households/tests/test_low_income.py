"""The household's social-assistance statuses (低保, 特困, 低保边缘, 刚性支出困难): kept with
their dates and source beside the 2020 snapshot, and read by the identification scope (三(五))."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from households.low_income import (
    low_income_roster_apply,
    low_income_status_end,
    low_income_status_start,
)
from households.models import LowIncomeStatus, Status2020
from households.tests.factories import HouseholdFactory, MemberFactory
from suixi_monitor.exceptions import ConflictError

Kind = LowIncomeStatus.Kind
MARCH, APRIL, MAY = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1), datetime.date(2026, 5, 1)


def ordinary(village, **fields):
    return HouseholdFactory(village=village, status_2020=Status2020.ORDINARY, **fields)


def apply(households, *, kind=Kind.DIBAO, month=MARCH, actor=None, keep=()):
    return low_income_roster_apply(
        actor=actor,
        kind=kind,
        month=month,
        household_ids=[h.pk for h in households],
        keep=[h.pk for h in keep],
        source_label=f"民政{month:%Y年%-m月}名册",
    )


def periods(household, kind=Kind.DIBAO):
    return list(
        household.low_income_statuses.filter(kind=kind).values_list("started_on", "ended_on")
    )


# --- the roster, as a service ------------------------------------------------------------


def test_a_roster_starts_new_households_from_its_month(world):
    household = ordinary(world.a1)
    outcome = apply([household], actor=world.erin)
    assert outcome.started == [household.pk] and outcome.baseline
    assert periods(household) == [(MARCH, None)]
    assert household.low_income_statuses.get().history.first().history_user == world.erin


def test_a_roster_ends_who_it_no_longer_lists_on_its_first_day_and_keeps_the_row(world):
    stays, leaves = ordinary(world.a1), ordinary(world.a2)
    apply([stays, leaves])
    outcome = apply([stays], month=APRIL)
    assert (outcome.ended, outcome.unchanged, outcome.started) == (1, 1, [])
    assert periods(leaves) == [(MARCH, APRIL)]
    assert periods(stays) == [(MARCH, None)]
    assert LowIncomeStatus.objects.count() == 2


def test_the_same_roster_twice_changes_nothing(world):
    household = ordinary(world.a1)
    apply([household])
    versions = LowIncomeStatus.history.count()
    outcome = apply([household])
    assert (outcome.started, outcome.ended, outcome.unchanged) == ([], 0, 1)
    assert LowIncomeStatus.history.count() == versions


def test_a_status_that_comes_back_later_is_a_new_row(world):
    household = ordinary(world.a1)
    apply([household])
    apply([], month=APRIL)
    apply([household], month=MAY)
    assert periods(household) == [(MARCH, APRIL), (MAY, None)]


def test_an_older_roster_than_the_latest_applied_changes_nothing(world):
    household = ordinary(world.a1)
    apply([household], month=APRIL)
    outcome = apply([], month=MARCH)
    assert outcome.older_than == APRIL and outcome.ended == 0
    assert periods(household) == [(APRIL, None)]


def test_each_status_is_its_own_list(world):
    household = ordinary(world.a1)
    apply([household], kind=Kind.DIBAO)
    apply([], kind=Kind.TEKUN)
    assert periods(household) == [(MARCH, None)]


def test_a_kept_household_is_neither_started_nor_ended(world):
    held, refused = ordinary(world.a1), ordinary(world.a1)
    apply([held])
    apply([], month=APRIL, keep=[held, refused])
    assert periods(held) == [(MARCH, None)] and periods(refused) == []


# --- by hand -----------------------------------------------------------------------------


def test_a_status_is_entered_and_ended_by_hand_with_its_reason(world):
    household = ordinary(world.a1)
    status = low_income_status_start(
        actor=world.alice, household=household, kind=Kind.MARGINAL, started_on=MARCH
    )
    assert status.source == LowIncomeStatus.Source.MANUAL
    low_income_status_end(actor=world.alice, status=status, ended_on=MAY, reason="收入好转")
    status.refresh_from_db()
    assert (status.ended_on, status.ended_source) == (MAY, "manual")
    assert "收入好转" in status.ended_label
    assert status.history.first().history_change_reason == "收入好转"


def test_a_second_open_status_of_the_same_kind_is_refused(world):
    household = ordinary(world.a1)
    low_income_status_start(
        actor=world.alice, household=household, kind=Kind.DIBAO, started_on=MARCH
    )
    with pytest.raises(ConflictError, match="已有未终止的低保身份（2026年3月起）"):
        low_income_status_start(
            actor=world.alice, household=household, kind=Kind.DIBAO, started_on=APRIL
        )


def test_an_end_before_the_start_and_a_second_end_are_refused(world):
    household = ordinary(world.a1)
    status = low_income_status_start(
        actor=world.alice, household=household, kind=Kind.DIBAO, started_on=APRIL
    )
    with pytest.raises(ValidationError, match="终止日期不能早于起始日期"):
        low_income_status_end(actor=world.alice, status=status, ended_on=MARCH, reason="错")
    low_income_status_end(actor=world.alice, status=status, ended_on=MAY, reason="退保")
    with pytest.raises(ConflictError, match="已于2026-05-01终止"):
        low_income_status_end(actor=world.alice, status=status, ended_on=MAY, reason="退保")


def test_another_villages_monitor_may_not_enter_a_status(world):
    household = ordinary(world.a1)
    with pytest.raises(PermissionDenied):
        low_income_status_start(
            actor=world.bob, household=household, kind=Kind.DIBAO, started_on=MARCH
        )


# --- the identification scope (三(五)) -----------------------------------------------------


def test_a_household_now_dibao_is_in_scope_and_the_verdict_names_the_status(world):
    household = ordinary(world.a1)
    apply([household])
    verdict = household.identification_scope()
    assert verdict.in_scope
    assert verdict.because.startswith("三(五)3：现为低保户（2026年3月起）")


def test_a_household_now_tekun_is_in_scope(world):
    household = ordinary(world.a1)
    apply([household], kind=Kind.TEKUN)
    assert household.identification_scope().because.startswith("三(五)3：现为特困户")


def test_marginal_and_rigid_expense_alone_do_not_bring_a_household_in(world):
    household = ordinary(world.a1)
    apply([household], kind=Kind.MARGINAL)
    apply([household], kind=Kind.RIGID_EXPENSE)
    verdict = household.identification_scope()
    assert not verdict.in_scope
    assert any("现为低保边缘户，2026年3月起" in reason for reason in verdict.missing)


def test_an_ended_dibao_no_longer_brings_a_household_in(world):
    household = ordinary(world.a1)
    apply([household])
    apply([], month=APRIL)
    assert not household.identification_scope().in_scope


def test_the_2020_status_still_counts_without_a_current_one(world):
    household = HouseholdFactory(village=world.a1, status_2020=Status2020.DIBAO)
    assert household.identification_scope().because == "三(五)2：截至2020年底为低保户"
    alleviated = HouseholdFactory(village=world.a1, status_2020=Status2020.POVERTY_ALLEVIATED)
    apply([alleviated])
    assert alleviated.identification_scope().because.startswith("三(五)1")


def test_a_current_status_does_not_replace_residence(world):
    household = ordinary(world.a1, long_term_resident=False)
    apply([household])
    verdict = household.identification_scope()
    assert not verdict.in_scope and "未在濉溪县长期居住" in verdict.missing


# --- the household page and API ----------------------------------------------------------


def test_the_household_page_shows_statuses_with_their_dates_and_source(client, world):
    household = ordinary(world.a1)
    MemberFactory(household=household, relation="head")
    apply([household])
    apply([household], kind=Kind.TEKUN)
    apply([], kind=Kind.TEKUN, month=APRIL)
    client.force_login(world.alice)
    page = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "低收入人口身份（民政）" in page
    assert "2026-03-01" in page and "2026-04-01" in page and "已终止" in page
    assert "民政2026年3月名册" in page
    assert "三(五)3" not in page or "现为低保户" in page


def test_the_household_page_of_another_town_is_404(client, world):
    household = ordinary(world.b1)
    apply([household])
    client.force_login(world.carol)
    assert client.get(reverse("households:detail", args=[household.pk])).status_code == 404


def test_the_api_lists_current_statuses_and_scope_in_a_fixed_number_of_queries(
    api, world, django_assert_num_queries
):
    households = [ordinary(world.a1) for _ in range(6)]
    apply(households[:4])
    apply(households[:2], kind=Kind.MARGINAL)
    api.force_authenticate(world.alice)
    # COUNT, the page and one read of the open statuses (no income: no policy year to read).
    with django_assert_num_queries(3):
        rows = api.get("/api/households/").json()["results"]
    by_id = {row["id"]: row for row in rows}
    first = by_id[households[0].pk]
    assert [s["kind_display"] for s in first["low_income_statuses"]] == ["低保", "低保边缘"]
    assert first["in_identification_scope"] is True
    assert by_id[households[5].pk]["in_identification_scope"] is False


# --- entering and ending by hand, on the pages and through the API ------------------------


def test_a_monitor_enters_and_ends_a_status_on_the_household_page(client, world):
    household = ordinary(world.a1)
    client.force_login(world.alice)
    url = reverse("households:status_create", args=[household.pk])
    response = client.post(
        url, {"kind": "dibao", "started_on": "2026-03-05", "note": "民批〔2026〕3号"}
    )
    assert response.status_code == 302
    status = household.low_income_statuses.get()
    assert "民批〔2026〕3号" in status.source_label
    again = client.post(url, {"kind": "dibao", "started_on": "2026-03-06"})
    assert "已有未终止的低保身份" in again.content.decode()
    end = reverse("households:status_end", args=[household.pk, status.pk])
    refused = client.post(end, {"ended_on": "2026-03-01", "reason": "退保"})
    assert "终止日期不能早于起始日期" in refused.content.decode()
    assert client.post(end, {"ended_on": "2026-04-01", "reason": "退保"}).status_code == 302
    status.refresh_from_db()
    assert status.ended_on == APRIL


def test_another_villages_status_pages_answer_404(client, world):
    household = ordinary(world.a1)
    apply([household])
    status = household.low_income_statuses.get()
    client.force_login(world.bob)
    assert client.get(reverse("households:status_create", args=[household.pk])).status_code == 404
    url = reverse("households:status_end", args=[household.pk, status.pk])
    assert client.get(url).status_code == 404


def test_department_staff_may_not_open_the_status_form(client, world):
    household = ordinary(world.a1)
    client.force_login(world.frank)
    assert client.get(reverse("households:status_create", args=[household.pk])).status_code == 404


def test_the_api_lists_enters_and_ends_statuses_in_scope(api, world):
    household, other = ordinary(world.a1), ordinary(world.b1)
    apply([other])
    api.force_authenticate(world.alice)
    created = api.post(
        "/api/low-income-statuses/",
        {"household": household.pk, "kind": "tekun", "started_on": "2026-03-01"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["source"] == "manual"
    conflict = api.post(
        "/api/low-income-statuses/",
        {"household": household.pk, "kind": "tekun", "started_on": "2026-03-02"},
        format="json",
    )
    assert conflict.status_code == 409
    ids = [row["id"] for row in api.get("/api/low-income-statuses/").json()["results"]]
    assert ids == [created.json()["id"]]  # B1's status is not in A1's scope
    theirs = other.low_income_statuses.get()
    assert api.get(f"/api/low-income-statuses/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/low-income-statuses/{theirs.pk}/end/", {}).status_code == 404
    bad = api.post(
        f"/api/low-income-statuses/{created.json()['id']}/end/", {"ended_on": "x"}, format="json"
    )
    assert bad.status_code == 400
    ended = api.post(
        f"/api/low-income-statuses/{created.json()['id']}/end/",
        {"ended_on": "2026-04-01", "reason": "死亡注销"},
        format="json",
    )
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-04-01"
    current = api.get("/api/low-income-statuses/", {"current": "true"}).json()["results"]
    assert current == []
