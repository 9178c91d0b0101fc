"""The pages of rounds, spot checks, rates and re-review: the county's and the towns', each
scope's own (404 across it), the forms calling the services, lists in a fixed number of
queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from identification.models import ExitRound, ExitState, ReReview, SpotCheck, TownRoundState
from identification.tests.factories_exits import (
    closed_in_both_towns,
    drawn_in_both_towns,
    exit_case,
    round_for,
    town_round,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rounds(world):
    return closed_in_both_towns(world, filed_a=3)


def signed_in(client, user):
    client.force_login(user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"identification:{name}", args=args)


# --- who has the pages ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["erin", "carol"])
def test_the_county_and_the_towns_have_the_rounds_in_their_navigation(world, client, who):
    page = signed_in(client, getattr(world, who)).get(url("round_list"))
    assert page.status_code == 200
    assert f'href="{url("round_list")}" aria-current="page"' in page.content.decode()


@pytest.mark.parametrize("who", ["alice", "frank", "grace"])
def test_other_roles_have_no_round_pages(world, client, rounds, who):
    client = signed_in(client, getattr(world, who))
    assert url("round_list") not in client.get(reverse("home"), follow=True).content.decode()
    for page in (url("round_list"), url("exit_rates"), url("round_detail", rounds[0].pk)):
        assert client.get(page).status_code == 403


# --- rounds ----------------------------------------------------------------------------------


def test_the_county_opens_a_round_from_the_list(world, client):
    today = timezone.localdate()
    half = 1 if today.month <= 6 else 2
    page = signed_in(client, world.erin).post(
        url("round_list"), {"year": today.year, "half": half, "on": today.isoformat()}
    )
    exit_round = ExitRound.objects.get()
    assert page.status_code == 302
    assert page["Location"] == url("round_detail", exit_round.pk)


def test_a_refused_opening_is_shown_on_the_form(world, client):
    page = signed_in(client, world.erin).post(
        url("round_list"), {"year": 2025, "half": 2, "on": "2025-03-01"}
    )
    assert page.status_code == 200
    assert "不能早于2025-07-01开启" in page.content.decode()


def test_a_town_does_not_open_rounds(world, client):
    page = signed_in(client, world.carol).post(
        url("round_list"), {"year": 2025, "half": 1, "on": "2025-06-01"}
    )
    assert page.status_code == 403


def test_the_round_page_shows_the_county_every_town_and_a_town_its_own(world, client, rounds):
    exit_round, _, _ = rounds
    county = signed_in(client, world.erin).get(url("round_detail", exit_round.pk)).content.decode()
    assert "甲镇" in county and "乙镇" in county and "抽样" in county
    town = signed_in(client, world.carol).get(url("round_detail", exit_round.pk)).content.decode()
    assert "甲镇" in town and "乙镇" not in town
    assert 'name="seed"' not in town


def test_a_round_without_the_towns_part_is_not_found(world, client):
    exit_round = round_for(world.town_b)
    assert signed_in(client, world.carol).get(url("round_detail", exit_round.pk)).status_code == (
        404
    )


def test_the_rounds_list_takes_a_fixed_number_of_queries(
    world, client, django_assert_max_num_queries
):
    for year in (2023, 2024, 2025):
        round_for(world.town_a, world.town_b, year=year, half=2)
    client = signed_in(client, world.erin)
    client.get(url("round_list"))
    with django_assert_max_num_queries(12):
        assert client.get(url("round_list")).status_code == 200


# --- the spot check --------------------------------------------------------------------------


def test_the_county_draws_from_the_round_page_and_sees_the_seed(world, client, rounds):
    _, town_a, _ = rounds
    client = signed_in(client, world.erin)
    page = client.post(url("spot_check_draw", town_a.pk), {"seed": "濉溪2026"})
    spot_check = SpotCheck.objects.get()
    assert page["Location"] == url("spot_check", spot_check.pk)
    detail = client.get(url("spot_check", spot_check.pk)).content.decode()
    assert "濉溪2026" in detail
    assert detail.count('action="/identification/exits/spot-checks/items/') == 3


def test_a_refused_draw_is_told_on_the_round_page(world, client, rounds):
    _, town_a, _ = rounds
    town_round(town_a.round, world.town_a, state=TownRoundState.CLOSING)
    client = signed_in(client, world.erin)
    page = client.post(url("spot_check_draw", town_a.pk), {"seed": ""}, follow=True)
    assert "须全部办结后才能抽查" in page.content.decode()
    assert not SpotCheck.objects.exists()


def test_a_town_may_not_draw(world, client, rounds):
    _, town_a, _ = rounds
    assert signed_in(client, world.carol).post(url("spot_check_draw", town_a.pk)).status_code == 403


def test_another_towns_round_is_not_drawn_from_a_town_account(world, client, rounds):
    _, _, town_b = rounds
    assert signed_in(client, world.carol).post(url("spot_check_draw", town_b.pk)).status_code == 404


@pytest.fixture
def drawn(world, rounds):
    return drawn_in_both_towns(world, *rounds[1:])


def verdict(item, **fields):
    prefix = f"item{item.pk}"
    data = {"verdict": "correct", "checked_on": timezone.localdate().isoformat(), **fields}
    return {f"{prefix}-{name}": value for name, value in data.items()}


def test_the_county_records_verdicts_and_closes_the_check(world, client, drawn):
    check, _ = drawn
    client = signed_in(client, world.erin)
    items = list(check.items.order_by("position"))
    wrong = client.post(
        url("spot_check_record", items[0].pk),
        verdict(items[0], verdict="wrong", wrong_reason="measures", note="措施未落实"),
    )
    assert wrong.status_code == 302
    for item in items[1:]:
        client.post(url("spot_check_record", item.pk), verdict(item))
    page = client.post(url("spot_check_close", check.pk), follow=True).content.decode()
    assert "重新审核认定" in page
    check.refresh_from_db()
    assert (check.state, check.wrong_count, check.checked_count) == ("closed", 1, 3)


def test_a_wrong_verdict_without_a_reason_is_shown_on_its_row(world, client, drawn):
    check, _ = drawn
    item = check.items.first()
    page = signed_in(client, world.erin).post(
        url("spot_check_record", item.pk), verdict(item, verdict="wrong")
    )
    assert page.status_code == 200
    assert "错误退出须从列表中选择原因" in page.content.decode()


@pytest.mark.parametrize(("who", "status"), [("carol", 200), ("dave", 404), ("alice", 403)])
def test_a_check_is_read_by_the_county_and_its_own_town(world, client, drawn, who, status):
    check, _ = drawn
    page = signed_in(client, getattr(world, who)).get(url("spot_check", check.pk))
    assert page.status_code == status
    if status == 200:
        assert "保存结论" not in page.content.decode()


def test_a_town_may_not_record_a_verdict(world, client, drawn):
    check, _ = drawn
    item = check.items.first()
    page = signed_in(client, world.carol).post(url("spot_check_record", item.pk), verdict(item))
    assert page.status_code == 403


def test_the_check_page_takes_a_fixed_number_of_queries(
    world, client, drawn, django_assert_max_num_queries
):
    client = signed_in(client, world.erin)
    client.get(url("spot_check", drawn[0].pk))
    with django_assert_max_num_queries(12):
        assert client.get(url("spot_check", drawn[0].pk)).status_code == 200


# --- the rates -------------------------------------------------------------------------------


def test_the_rates_show_both_numbers_and_the_limit(world, client, drawn):
    check, _ = drawn
    client = signed_in(client, world.erin)
    for item in check.items.all():
        client.post(url("spot_check_record", item.pk), verdict(item))
    page = client.get(url("exit_rates")).content.decode()
    assert "0.00%（0/3）" in page
    assert "2.00%" in page
    assert "未超过" in page


def test_a_town_reads_only_its_own_rates(world, client, drawn):
    page = signed_in(client, world.dave).get(url("exit_rates")).content.decode()
    assert "乙镇" in page and "甲镇" not in page


def test_the_rates_page_takes_a_fixed_number_of_queries(
    world, client, drawn, django_assert_max_num_queries
):
    round_for(world.town_a, world.town_b, year=2025, half=2)
    client = signed_in(client, world.erin)
    client.get(url("exit_rates"))
    with django_assert_max_num_queries(10):
        assert client.get(url("exit_rates")).status_code == 200


# --- re-review -------------------------------------------------------------------------------


@pytest.fixture
def re_review(world, rounds):
    _, town_a, _ = rounds
    exit_case(world.a2, world.bob, exit_round=town_a.round, state=ExitState.FILED)
    return town_round(town_a.round, world.town_a, state=TownRoundState.RE_REVIEW)


def decision(case, choice: str, reason: str = "入户复核") -> dict:
    return {f"case{case.pk}-decision": choice, f"case{case.pk}-reason": reason}


def test_the_town_confirms_and_reverts_from_the_re_review_page(world, client, re_review):
    client = signed_in(client, world.carol)
    page = client.get(url("re_review", re_review.pk)).content.decode()
    assert page.count('action="/identification/exits/re-review/') == 4
    first, second = re_review.exit_cases.order_by("pk")[:2]
    client.post(url("re_review_decide", first.pk), decision(first, "confirmed"))
    client.post(url("re_review_decide", second.pk), decision(second, "reverted", "收入仍低"))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.re_review == ReReview.CONFIRMED
    assert (second.state, second.subject.status) == (ExitState.REVERTED, "monitoring")
    page = client.get(url("re_review", re_review.pk)).content.decode()
    assert "待认定 2 户，维持 1 户，撤销 1 户" in page


def test_a_decision_needs_a_reason(world, client, re_review):
    case = re_review.exit_cases.first()
    page = signed_in(client, world.carol).post(
        url("re_review_decide", case.pk), decision(case, "confirmed", ""), follow=True
    )
    assert "必填项" in page.content.decode()
    case.refresh_from_db()
    assert case.re_review == ""


def test_another_towns_re_review_is_not_found(world, client, re_review):
    case = re_review.exit_cases.first()
    client = signed_in(client, world.dave)
    assert client.get(url("re_review", re_review.pk)).status_code == 404
    assert client.post(
        url("re_review_decide", case.pk), decision(case, "confirmed")
    ).status_code == (404)


def test_the_towns_rounds_link_to_its_re_review(world, client, re_review):
    page = signed_in(client, world.carol).get(url("round_list")).content.decode()
    assert url("re_review", re_review.pk) in page


def test_the_re_review_page_takes_a_fixed_number_of_queries(
    world, client, re_review, django_assert_max_num_queries
):
    client = signed_in(client, world.carol)
    client.get(url("re_review", re_review.pk))
    with django_assert_max_num_queries(12):
        assert client.get(url("re_review", re_review.pk)).status_code == 200
