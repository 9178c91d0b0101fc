"""The exit pages (三(九)): each role's scope (404 across it), the buttons the permission table
offers, the village's proposals with the conditions shown, the town's meeting for several
cases, the step forms, and query counts on the lists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from identification.models import ExitCase, ExitState
from identification.tests.factories_exits import (
    days_ago,
    proposed,
    ready_for_exit,
    walk_exit,
)

pytestmark = pytest.mark.django_db


def _page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


SEES_A1 = {
    "alice": 200,
    "bob": 404,
    "carol": 200,
    "dave": 404,
    "erin": 200,
    "frank": 404,
    "grace": 404,
}


@pytest.mark.parametrize("who", sorted(SEES_A1))
def test_a_cases_page_and_forms_answer_404_outside_the_scope(client, world, exit_round, who):
    case = proposed(world)
    user = getattr(world, who)
    assert _page(client, user, reverse("exits:detail", args=[case.pk])).status_code == SEES_A1[who]
    if SEES_A1[who] == 404:
        for name in ("verify", "publicize", "file", "return", "withdraw"):
            assert client.get(reverse(f"exits:{name}", args=[case.pk])).status_code == 404


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("alice", ["a1"]),
        ("bob", ["a2"]),
        ("carol", ["a1", "a2"]),
        ("dave", []),
        ("erin", ["a1", "a2"]),
    ],
)
def test_the_list_shows_only_the_scopes_cases(client, world, exit_round, who, names):
    cases = {"a1": proposed(world), "a2": proposed(world, actor=world.bob)}
    page = _page(client, getattr(world, who), reverse("exits:list"))
    shown = {case.pk for case in page.context["page"]}
    assert shown == {cases[name].pk for name in names}


def test_the_list_filters_by_round_state_and_village(client, world, exit_round):
    a1 = walk_exit(world, proposed(world), ExitState.VERIFIED)
    a2 = proposed(world, actor=world.bob)
    client.force_login(world.carol)

    def shown(query):
        return {c.pk for c in client.get(reverse("exits:list"), query).context["page"]}

    assert shown({"state": "verified"}) == {a1.pk}
    assert shown({"village": world.a2.pk}) == {a2.pk}
    assert shown({"round": exit_round.pk}) == {a1.pk, a2.pk}


@pytest.mark.parametrize(
    ("state", "who", "buttons"),
    [
        (ExitState.PROPOSED, "alice", {"verify", "withdraw"}),
        (ExitState.PROPOSED, "carol", {"withdraw"}),
        (ExitState.VERIFIED, "carol", {"evaluate", "return", "withdraw"}),
        (ExitState.EVALUATED, "carol", {"publicize", "return", "withdraw"}),
        (ExitState.TOWN_PUBLICIZING, "erin", {"objection_lodge", "conclude"}),
        (ExitState.COUNTY_FILING, "erin", {"file", "return"}),
        (ExitState.FILED, "erin", set()),
    ],
)
def test_the_case_page_offers_the_steps_the_table_allows(
    client, world, exit_round, state, who, buttons
):
    case = walk_exit(world, proposed(world), state)
    page = _page(client, getattr(world, who), reverse("exits:detail", args=[case.pk]))
    assert {a.name for a in page.context["actions"]} == buttons
    assert "办理记录" in page.content.decode()


def test_the_village_sees_each_subjects_conditions_before_proposing(client, world, exit_round):
    ready = ready_for_exit(world.a1, world.alice)
    stale = ready_for_exit(world.a1, world.alice, visited_days_ago=45)
    page = _page(client, world.alice, reverse("exits:propose_list"))
    html = page.content.decode()
    rows = {row.subject.pk: row for row in page.context["rows"]}
    assert rows[ready.pk].may_propose
    assert not rows[stale.pk].may_propose
    assert "三(九)：30天内没有入户走访" in html
    assert reverse("exits:propose", args=[ready.pk]) in html
    assert reverse("exits:propose", args=[stale.pk]) not in html


def test_the_village_proposes_from_the_form(client, world, exit_round):
    subject = ready_for_exit(world.a1, world.alice, visited_days_ago=3)
    client.force_login(world.alice)
    url = reverse("exits:propose", args=[subject.pk])
    assert "近30天内有入户走访" in client.get(url).content.decode()
    response = client.post(url, {"proposed_on": days_ago(0).isoformat(), "reason": "收入稳定"})
    case = ExitCase.objects.get(subject=subject)
    assert response["Location"] == reverse("exits:detail", args=[case.pk])


def test_a_refused_proposal_shows_the_reason_on_the_form(client, world, exit_round):
    subject = ready_for_exit(world.a1, world.alice, visited_days_ago=45)
    client.force_login(world.alice)
    response = client.post(
        reverse("exits:propose", args=[subject.pk]),
        {"proposed_on": days_ago(0).isoformat(), "reason": "收入稳定"},
    )
    assert response.status_code == 200
    assert "30天内没有入户走访" in response.content.decode()
    assert not ExitCase.objects.exists()


@pytest.mark.parametrize("who", ["carol", "erin", "grace"])
def test_only_a_village_monitor_opens_the_proposal_list(client, world, exit_round, who):
    assert _page(client, getattr(world, who), reverse("exits:propose_list")).status_code == 403


def test_the_town_evaluates_several_cases_in_one_meeting(client, world, exit_round):
    first = walk_exit(world, proposed(world), ExitState.VERIFIED)
    second = walk_exit(world, proposed(world, actor=world.bob), ExitState.VERIFIED)
    client.force_login(world.carol)
    assert client.get(reverse("exits:evaluate_rounds"))["Location"] == reverse(
        "exits:evaluate", args=[first.town_round_id]
    )
    url = reverse("exits:evaluate", args=[first.town_round_id])
    response = client.post(
        url,
        {
            "held_on": days_ago(18).isoformat(),
            "present": "李镇长\n王书记",
            f"result_{first.pk}": "pass",
            f"result_{second.pk}": "return",
            f"reason_{second.pk}": "收入来源不稳定",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (ExitState.EVALUATED, ExitState.PROPOSED)
    assert second.returned_reason.endswith("收入来源不稳定")


def test_another_towns_official_cannot_open_the_meeting(client, world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.VERIFIED)
    page = _page(client, world.dave, reverse("exits:evaluate", args=[case.town_round_id]))
    assert page.status_code == 404


def test_the_step_forms_record_the_steps(client, world, exit_round):
    case = proposed(world)
    client.force_login(world.alice)
    response = client.post(
        reverse("exits:verify", args=[case.pk]),
        {
            "checked_on": days_ago(19).isoformat(),
            "team_0_name": "村委委员陈某",
            "team_0_user": "",
            "team_0_role": "village_committee",
            "team_1_name": "驻村队员周某",
            "team_1_role": "work_team",
            "per_capita_income": "9000",
            "education_secured": "on",
            "medical_secured": "on",
            "housing_secured": "on",
            "water_secured": "on",
            "measures_note": "措施已落实",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = walk_exit(world, ExitCase.objects.get(pk=case.pk), ExitState.COUNTY_FILING)
    client.force_login(world.erin)
    response = client.post(
        reverse("exits:file", args=[case.pk]), {"filed_on": days_ago(8).isoformat()}
    )
    assert response.status_code == 302
    assert ExitCase.objects.get(pk=case.pk).state == ExitState.FILED


def test_a_form_shows_a_refused_rule_on_its_field(client, world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.EVALUATED)
    client.force_login(world.carol)
    response = client.post(
        reverse("exits:publicize", args=[case.pk]),
        {"started_on": days_ago(10).isoformat(), "days": "5"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["days"] == ["三(九)：退出公示时间不少于7天（填写为5天）"]


def test_an_objection_is_decided_on_its_page(client, world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.TOWN_PUBLICIZING)
    client.force_login(world.bob)
    response = client.post(
        reverse("exits:objection_lodge", args=[case.pk]),
        {"content": "仍有困难", "lodged_on": days_ago(15).isoformat()},
    )
    assert response.status_code == 302
    objection = case.objections.get()
    client.force_login(world.carol)
    assert (
        reverse("exits:objection_decide", args=[objection.pk])
        in client.get(reverse("exits:list")).content.decode()
    )
    client.post(
        reverse("exits:objection_decide", args=[objection.pk]),
        {"decision": "uphold", "reason": "属实"},
    )
    assert ExitCase.objects.get(pk=case.pk).state == ExitState.PROPOSED


def test_the_household_page_links_to_its_exit_case(client, world, exit_round):
    case = proposed(world)
    page = _page(client, world.carol, reverse("households:detail", args=[case.household_id]))
    assert reverse("exits:detail", args=[case.pk]) in page.content.decode()


def test_the_lists_read_a_bounded_number_of_queries(
    client, world, exit_round, django_assert_max_num_queries
):
    for _ in range(5):
        walk_exit(world, proposed(world), ExitState.VERIFIED)
    client.force_login(world.erin)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("exits:list")).status_code == 200
    client.force_login(world.carol)
    town_round = ExitCase.objects.first().town_round_id
    with django_assert_max_num_queries(20):
        assert client.get(reverse("exits:evaluate", args=[town_round])).status_code == 200
