"""帮扶结对 (三(三), 三(八)1): the rules, the pages and who may reach them; the category check
at filing (三(一)/三(三))."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance.models import HelpAssignment
from assistance.selectors.pairing import (
    proposed_helper,
    unpaired_count_by_town,
    unpaired_subject_list,
)
from assistance.services.pairing import assignment_end, household_pair
from assistance.tests.factories_visits import (
    HelpAssignmentFactory,
    days_ago,
    help_world,
    helper,
    subject_for,
)
from assistance.views.pairing import pair_button
from households import services as household_services
from households.models import RiskType
from households.tests.factories import HouseholdFactory, MemberFactory
from organization.models import Notification
from organization.tests.factories import HelpUnitFactory
from suixi_monitor.exceptions import ConflictError


@pytest.fixture
def hw(world):
    return help_world(world)


def pair(world, subject, actor=None, **kwargs):
    kwargs.setdefault("on", days_ago(1))
    return household_pair(actor=actor or world.carol, subject=subject, **kwargs)


# --- 脱贫户: 原帮扶责任人不脱钩 (三(八)1) ---------------------------------------------------


def test_the_original_helper_is_proposed_the_open_one_first_else_the_one_ended_last(world, hw):
    assert proposed_helper(hw.alleviated).helper == world.grace
    household = hw.b1.household
    old = helper("old", unit=hw.unit)
    older = helper("older", unit=hw.unit)
    HelpAssignmentFactory(
        household=household,
        helper=older,
        started_on=datetime.date(2019, 1, 1),
        ended_on=datetime.date(2020, 1, 1),
    )
    HelpAssignmentFactory(
        household=household,
        helper=old,
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    )
    assert proposed_helper(hw.b1).helper == old


def test_the_original_helper_is_paired_again_without_a_reason(world, hw):
    hw.grace_assignment.ended_on = days_ago(30)
    hw.grace_assignment.save()
    [assignment] = pair(world, hw.alleviated, helper=world.grace)
    assert assignment.kind == HelpAssignment.Kind.RESPONSIBLE
    assert assignment.help_unit == hw.unit
    assert assignment.ended_on is None


def test_the_paired_helper_cannot_be_paired_twice(world, hw):
    with pytest.raises(ConflictError):
        pair(world, hw.alleviated, helper=world.grace)


def test_a_change_comes_from_the_original_help_unit_with_a_reason(world, hw):
    colleague = helper("colleague", unit=hw.unit)
    with pytest.raises(ValidationError) as refused:
        pair(world, hw.alleviated, helper=colleague)
    assert "调整原因" in refused.value.message_dict["reason"][0]
    [new] = pair(world, hw.alleviated, helper=colleague, reason="原帮扶人调离")
    assert new.help_unit == hw.unit and new.reason == "原帮扶人调离"
    hw.grace_assignment.refresh_from_db()
    assert hw.grace_assignment.ended_on == days_ago(1)
    assert hw.grace_assignment.end_reason == "原帮扶人调离"
    # Never deleted: both rows stay.
    assert HelpAssignment.objects.filter(household=hw.alleviated.household).count() == 2


def test_a_helper_from_another_unit_is_refused_citing_the_clause(world, hw):
    stranger = helper("stranger", unit=HelpUnitFactory())
    with pytest.raises(ValidationError) as refused:
        pair(world, hw.alleviated, helper=stranger, reason="调整")
    message = refused.value.message_dict["helper"][0]
    assert "三(八)1" in message and "原帮扶单位继续派出" in message and hw.unit.name in message
    assert HelpAssignment.objects.filter(helper=stranger).count() == 0


def test_without_an_earlier_assignment_any_helper_in_scope_may_be_chosen(world, hw):
    anyone = helper("anyone", unit=HelpUnitFactory())
    [assignment] = pair(world, hw.b1, actor=world.dave, helper=anyone)
    assert assignment.helper == anyone and assignment.reason == ""
    tied = helper("tied", town=world.town_a)
    other = subject_for(world.b1)
    with pytest.raises(ValidationError) as refused:
        pair(world, other, actor=world.dave, helper=tied)
    assert "helper" in refused.value.message_dict


def test_a_town_official_is_not_a_helper_for_a_poverty_alleviated_household(world, hw):
    with pytest.raises(ValidationError):
        pair(world, hw.b1, actor=world.dave, helper=world.dave)


# --- 边缘易致贫户、突发严重困难户: 镇村二级干部 (三(八)1) ---------------------------------------


def test_a_marginal_household_gets_a_town_and_a_village_cadre(world, hw):
    made = pair(world, hw.marginal, town_cadre=world.carol, village_cadre=world.alice)
    assert {(a.helper, a.kind, a.level) for a in made} == {
        (world.carol, "contact", "town"),
        (world.alice, "contact", "village"),
    }


def test_helper_accounts_of_the_town_or_village_may_be_cadres(world, hw):
    town_helper = helper("town_helper", town=world.town_a)
    village_helper = helper("village_helper", town=world.town_a, village=world.a1)
    made = pair(world, hw.marginal, town_cadre=town_helper, village_cadre=village_helper)
    assert len(made) == 2


@pytest.mark.parametrize(
    ("field", "who"),
    [
        ("town_cadre", "dave"),  # another town's official
        ("town_cadre", "alice"),  # a village monitor is not a town cadre
        ("village_cadre", "bob"),  # another village's monitor
        ("village_cadre", "carol"),  # a town official is not a village cadre
    ],
)
def test_a_cadre_from_elsewhere_is_refused_citing_the_clause(world, hw, field, who):
    picks = {"town_cadre": world.carol, "village_cadre": world.alice, field: getattr(world, who)}
    with pytest.raises(ValidationError) as refused:
        pair(world, hw.marginal, **picks)
    message = refused.value.message_dict[field][0]
    assert "三(八)1" in message and "由镇、村二级干部结对联系帮扶" in message
    assert not HelpAssignment.objects.filter(household=hw.marginal.household).exists()


def test_a_town_helper_tied_to_a_village_is_not_a_town_cadre(world, hw):
    tied = helper("tied", town=world.town_a, village=world.a1)
    with pytest.raises(ValidationError) as refused:
        pair(world, hw.marginal, town_cadre=tied, village_cadre=world.alice)
    assert "town_cadre" in refused.value.message_dict


def test_both_cadres_are_required(world, hw):
    with pytest.raises(ValidationError) as refused:
        pair(world, hw.marginal, town_cadre=world.carol)
    assert "village_cadre" in refused.value.message_dict


def test_pairing_again_replaces_the_changed_cadre_and_keeps_the_other(world, hw):
    first = pair(
        world, hw.marginal, on=days_ago(20), town_cadre=world.carol, village_cadre=world.alice
    )
    village_helper = helper("village_helper", village=world.a1)
    made = pair(
        world, hw.marginal, town_cadre=world.carol, village_cadre=village_helper, reason="换人"
    )
    assert [a.helper for a in made] == [village_helper]
    town, village = sorted(first, key=lambda a: a.level)
    town.refresh_from_db()
    village.refresh_from_db()
    assert town.ended_on is None
    assert village.ended_on == days_ago(1) and village.end_reason == "换人"
    with pytest.raises(ConflictError):
        pair(world, hw.marginal, town_cadre=world.carol, village_cadre=village_helper)


# --- who may pair, and what they hear ------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "grace", "frank"])
def test_only_the_town_or_the_county_pairs(world, hw, who):
    with pytest.raises(PermissionDenied):
        pair(
            world,
            hw.marginal,
            actor=getattr(world, who),
            town_cadre=world.carol,
            village_cadre=world.alice,
        )


def test_another_towns_official_cannot_pair(world, hw):
    with pytest.raises(PermissionDenied):
        pair(
            world, hw.marginal, actor=world.dave, town_cadre=world.carol, village_cadre=world.alice
        )


def test_the_county_may_pair(world, hw):
    assert pair(
        world, hw.marginal, actor=world.erin, town_cadre=world.carol, village_cadre=world.alice
    )


def test_a_subject_no_longer_monitored_is_not_paired(world, hw):
    household_services.monitoring_subject_eliminate(
        actor=world.erin, subject=hw.marginal, on=days_ago(1)
    )
    with pytest.raises(ConflictError):
        pair(world, hw.marginal, town_cadre=world.carol, village_cadre=world.alice)


def test_the_helpers_are_told_after_commit_with_the_households_name(
    world, hw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pair(world, hw.marginal, town_cadre=world.carol, village_cadre=world.alice)
    notes = Notification.objects.filter(recipient__in=[world.carol, world.alice])
    assert notes.count() == 2
    assert all("李二户（甲一村）" in n.message for n in notes)
    assert all(
        n.url == reverse("households:detail", args=[hw.marginal.household.pk]) for n in notes
    )


def test_a_refused_pairing_tells_nobody(world, hw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        pair(world, hw.marginal, town_cadre=world.dave, village_cadre=world.alice)
    assert not Notification.objects.exists()


def test_a_future_date_is_refused(world, hw):
    with pytest.raises(ValidationError) as refused:
        pair(world, hw.marginal, on=days_ago(-1), town_cadre=world.carol, village_cadre=world.alice)
    assert "started_on" in refused.value.message_dict


# --- ending a pairing ---------------------------------------------------------------------


def test_an_assignment_is_ended_with_a_reason_and_kept(world, hw):
    with pytest.raises(ValidationError):
        assignment_end(actor=world.carol, assignment=hw.grace_assignment, on=days_ago(1), reason="")
    with pytest.raises(ValidationError) as refused:
        assignment_end(
            actor=world.carol,
            assignment=hw.grace_assignment,
            on=datetime.date(2021, 2, 1),
            reason="调离",
        )
    assert "ended_on" in refused.value.message_dict
    ended = assignment_end(
        actor=world.carol, assignment=hw.grace_assignment, on=days_ago(1), reason="调离"
    )
    assert ended.ended_on == days_ago(1) and ended.end_reason == "调离"
    assert HelpAssignment.objects.filter(pk=ended.pk).exists()
    with pytest.raises(ConflictError):
        assignment_end(actor=world.carol, assignment=ended, on=days_ago(1), reason="再次")


@pytest.mark.parametrize("who", ["alice", "grace", "dave"])
def test_only_the_town_in_scope_or_the_county_ends_an_assignment(world, hw, who):
    with pytest.raises(PermissionDenied):
        assignment_end(
            actor=getattr(world, who), assignment=hw.grace_assignment, on=days_ago(1), reason="x"
        )


# --- the unpaired subjects (三(八)1) -----------------------------------------------------


def test_the_town_sees_its_unpaired_subjects_oldest_first(world, hw):
    older = subject_for(world.a2, category="sudden", name="赵四", started_on=days_ago(300))
    assert list(unpaired_subject_list(user=world.carol)) == [older, hw.marginal]
    assert list(unpaired_subject_list(user=world.dave)) == [hw.b1]
    assert list(unpaired_subject_list(user=world.alice)) == [hw.marginal]


def test_the_county_counts_per_town_in_one_query(world, hw):
    subject_for(world.a2, category="sudden")
    subject_for(world.b1)
    with CaptureQueriesContext(connection) as queries:
        counts = {t.name: t.n_unpaired for t in unpaired_count_by_town(user=world.erin)}
    assert len(queries) == 1
    assert counts == {"甲镇": 2, "乙镇": 2}


def test_an_ended_pairing_puts_the_subject_back_on_the_list(world, hw):
    assert hw.alleviated not in unpaired_subject_list(user=world.carol)
    assignment_end(actor=world.carol, assignment=hw.grace_assignment, on=days_ago(1), reason="调离")
    assert hw.alleviated in unpaired_subject_list(user=world.carol)


# --- pages -------------------------------------------------------------------------------


PAIR_PAGE_STATUS = {
    "alice": 403,  # sees the household, does not pair
    "bob": 404,
    "carol": 200,
    "dave": 404,
    "erin": 200,
    "frank": 404,
    "grace": 403,  # paired with it: sees it, does not pair
}


@pytest.mark.parametrize(("who", "status"), PAIR_PAGE_STATUS.items())
def test_the_pair_page_follows_scope_then_role(world, hw, client, who, status):
    client.force_login(getattr(world, who))
    url = reverse("assistance:pair", args=[hw.alleviated.pk])
    assert client.get(url).status_code == status


def test_a_helper_not_paired_with_the_household_gets_404(world, hw, client):
    client.force_login(world.grace)
    assert client.get(reverse("assistance:pair", args=[hw.marginal.pk])).status_code == 404


def test_the_pair_page_proposes_the_original_helper(world, hw, client):
    hw.grace_assignment.ended_on = days_ago(10)
    hw.grace_assignment.save()
    client.force_login(world.carol)
    response = client.get(reverse("assistance:pair", args=[hw.alleviated.pk]))
    assert response.context["form"]["helper"].value() == world.grace.pk
    assert "不脱钩" in response.content.decode()


def test_the_pair_page_pairs_cadres_and_shows_the_clause_on_a_refusal(world, hw, client):
    client.force_login(world.carol)
    url = reverse("assistance:pair", args=[hw.marginal.pk])
    page = client.get(url)
    assert list(page.context["form"].fields["town_cadre"].queryset) == [world.carol]
    assert list(page.context["form"].fields["village_cadre"].queryset) == [world.alice]
    data = {
        "town_cadre": world.carol.pk,
        "village_cadre": world.alice.pk,
        "started_on": days_ago(1).isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert HelpAssignment.objects.filter(household=hw.marginal.household).count() == 2


def test_the_pair_page_shows_the_unit_rule_on_the_helper_field(world, hw, client):
    colleague = helper("colleague2", unit=HelpUnitFactory())
    client.force_login(world.carol)
    url = reverse("assistance:pair", args=[hw.alleviated.pk])
    response = client.post(
        url, {"helper": colleague.pk, "started_on": days_ago(1).isoformat(), "reason": "调整"}
    )
    assert response.status_code == 200
    assert "原帮扶单位继续派出" in response.context["form"].errors["helper"][0]


def test_the_end_page_ends_and_keeps_the_row(world, hw, client):
    client.force_login(world.carol)
    url = reverse("assistance:assignment_end", args=[hw.grace_assignment.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"ended_on": days_ago(1).isoformat(), "reason": "调离"})
    assert response.status_code == 302
    hw.grace_assignment.refresh_from_db()
    assert hw.grace_assignment.ended_on == days_ago(1)


@pytest.mark.parametrize(
    ("who", "status"), [("dave", 404), ("bob", 404), ("alice", 403), ("grace", 403), ("frank", 404)]
)
def test_the_end_page_follows_scope_then_role(world, hw, client, who, status):
    client.force_login(getattr(world, who))
    url = reverse("assistance:assignment_end", args=[hw.grace_assignment.pk])
    assert client.get(url).status_code == status


def test_the_unpaired_page_lists_the_towns_subjects_with_days_since_filing(world, hw, client):
    client.force_login(world.carol)
    response = client.get(reverse("assistance:unpaired"))
    assert response.status_code == 200
    assert response.context["rows"] == [(hw.marginal, 40)]
    assert "李二" in response.content.decode()


def test_the_unpaired_page_shows_the_county_the_count_per_town(world, hw, client):
    client.force_login(world.erin)
    response = client.get(reverse("assistance:unpaired"))
    assert {t.name: t.n_unpaired for t in response.context["towns"]} == {"甲镇": 1, "乙镇": 1}
    assert response.context["page"] is None
    response = client.get(reverse("assistance:unpaired"), {"town": world.town_b.pk})
    assert response.context["rows"] == [(hw.b1, 70)]


@pytest.mark.parametrize("who", ["grace", "frank"])
def test_the_unpaired_page_is_not_for_helpers_or_departments(world, hw, client, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("assistance:unpaired")).status_code == 403


def test_the_unpaired_page_has_a_fixed_number_of_queries(
    world, hw, client, django_assert_max_num_queries
):
    for _ in range(5):
        subject_for(world.a2, category="sudden")
    client.force_login(world.carol)
    with django_assert_max_num_queries(8):
        client.get(reverse("assistance:unpaired"))
    for _ in range(5):
        subject_for(world.a2, category="sudden")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("assistance:unpaired"))
    assert len(response.context["rows"]) == 11


def test_the_pair_button_is_for_the_town_and_a_monitored_household(world, hw):
    household = hw.alleviated.household
    assert pair_button(world.carol, household) == (
        "帮扶结对",
        reverse("assistance:pair", args=[hw.alleviated.pk]),
    )
    assert pair_button(world.alice, household) is None
    assert pair_button(world.grace, household) is None
    assert pair_button(world.carol, HouseholdFactory(village=world.a1)) is None


# --- 三(一)/三(三): the category at filing matches the 2020 status ---------------------------


@pytest.mark.parametrize(
    ("status", "category", "refused"),
    [
        ("poverty_alleviated", "unstable", False),
        ("poverty_alleviated", "marginal", True),
        ("poverty_alleviated", "sudden", True),
        ("dibao", "unstable", True),
        ("dibao", "marginal", False),
        ("ordinary", "unstable", True),
        ("ordinary", "sudden", False),
    ],
)
def test_the_category_must_match_the_2020_status(world, status, category, refused):
    household = HouseholdFactory(village=world.a1, status_2020=status)

    def create():
        return household_services.monitoring_subject_create(
            actor=world.erin,
            household=household,
            category=category,
            risk_types=RiskType.objects.filter(code="illness"),
            started_on=days_ago(1),
        )

    if refused:
        with pytest.raises(ValidationError) as error:
            create()
        message = error.value.message_dict["category"][0]
        assert "三(一)/三(三)" in message and "脱贫不稳定户" in message
    else:
        assert create().category == category


@pytest.mark.parametrize(
    ("status", "category"), [("poverty_alleviated", "sudden"), ("dibao", "unstable")]
)
def test_the_county_filing_refuses_a_category_that_does_not_match(world, status, category):
    from identification.management.demo import walk_case
    from identification.models import CaseState

    household = HouseholdFactory(village=world.a1, status_2020=status)
    MemberFactory(household=household)
    case = walk_case(
        household=household,
        target=CaseState.COUNTY_FILING,
        monitor=world.alice,
        town=world.carol,
        county=world.erin,
    )
    from identification import services as identification_services

    with pytest.raises(ValidationError) as error:
        identification_services.case_file(
            actor=world.erin,
            case=case,
            filed_on=days_ago(40),
            category=category,
            risk_types=RiskType.objects.filter(code="illness"),
        )
    assert "三(一)/三(三)" in error.value.message_dict["category"][0]
    case.refresh_from_db()
    assert case.state == CaseState.COUNTY_FILING
    assert not household.monitoring_subjects.exists()
