"""帮扶走访 (三(八)1 定期上门走访): the visit with its measure progress, all or nothing; who is told;
the one-click follow-ups; the visits due and their pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assistance.models import HelpVisit, MeasureProgress
from assistance.selectors.visits import DueFilters, due_row, visits_due
from assistance.services.visits import ProgressItem, help_visit_add_risks, help_visit_record
from assistance.tests.factories_visits import (
    HelpAssignmentFactory,
    days_ago,
    help_world,
    plan_with_measures,
    subject_for,
)
from assistance.views.visits import help_visit_button
from households.models import RiskType, Visit
from households.tests.factories import HouseholdFactory, MemberFactory, VisitFactory
from organization.models import Notification
from organization.tests.factories import policy
from suixi_monitor.exceptions import ConflictError

TODAY = days_ago(0)


@pytest.fixture
def hw(world):
    return help_world(world)


def risks(*codes):
    return list(RiskType.objects.filter(code__in=codes))


def record(world, household, actor=None, **kwargs):
    kwargs.setdefault("visited_on", days_ago(1))
    kwargs.setdefault("findings", "生产生活正常")
    return help_visit_record(actor=actor or world.grace, household=household, **kwargs)


# --- the visit ---------------------------------------------------------------------------


def test_a_visit_records_what_the_helper_saw_and_moves_the_measures(world, hw):
    _, (planned, running) = plan_with_measures(hw.alleviated, world.alice)
    help_visit = record(
        world,
        hw.alleviated.household,
        income_change="down",
        income_note="务工收入减少",
        progress=[
            ProgressItem(planned, "in_progress", "已开工"),
            (running, "done", "已领取补贴", ""),
        ],
    )
    visit = help_visit.visit
    assert (visit.visitor, visit.reason, visit.risk_found) == (world.grace, "routine", False)
    assert help_visit.subject == hw.alleviated and help_visit.income_change == "down"
    planned.refresh_from_db()
    running.refresh_from_db()
    assert (planned.state, planned.started_on) == ("in_progress", days_ago(1))
    assert (running.state, running.result) == ("done", "已领取补贴")
    rows = {p.measure_id: p for p in MeasureProgress.objects.filter(help_visit=help_visit)}
    assert (rows[planned.pk].state_before, rows[planned.pk].state_after) == (
        "planned",
        "in_progress",
    )
    assert rows[planned.pk].note == "已开工"
    assert (rows[running.pk].state_before, rows[running.pk].state_after) == ("in_progress", "done")


def test_a_refused_measure_step_refuses_the_whole_visit_naming_the_measure(world, hw):
    _, (planned, running) = plan_with_measures(hw.alleviated, world.alice)
    with pytest.raises(ValidationError) as refused:
        record(
            world,
            hw.alleviated.household,
            new_risk_types=risks("illness"),
            progress=[
                ProgressItem(planned, "in_progress", "已开工"),
                ProgressItem(running, "stopped", "", ""),  # a stop needs its reason
            ],
        )
    message = refused.value.message_dict[f"measure_{running.pk}"][0]
    assert running.kind.name in message and "停止原因" in message
    planned.refresh_from_db()
    assert planned.state == "planned"
    assert not Visit.objects.filter(household=hw.alleviated.household).exists()
    assert not HelpVisit.objects.exists() and not MeasureProgress.objects.exists()


def test_a_step_backwards_is_a_conflict_naming_the_measure(world, hw):
    _, (planned, running) = plan_with_measures(hw.alleviated, world.alice)
    with pytest.raises(ConflictError) as refused:
        record(world, hw.alleviated.household, progress=[ProgressItem(running, "planned")])
    assert running.kind.name in refused.value.message
    assert not Visit.objects.exists()


def test_a_measure_of_another_household_is_refused(world, hw):
    _, (planned, _) = plan_with_measures(hw.marginal, world.alice)
    with pytest.raises(ValidationError) as refused:
        record(world, hw.alleviated.household, progress=[ProgressItem(planned, "in_progress")])
    assert "不属于该户" in refused.value.message_dict[f"measure_{planned.pk}"][0]


def test_a_problem_or_a_new_risk_is_a_risk_found(world, hw):
    assert record(world, hw.alleviated.household, housing_ok=False).visit.risk_found
    assert record(world, hw.alleviated.household, new_risk_types=risks("illness")).visit.risk_found
    assert not record(world, hw.alleviated.household).visit.risk_found


def test_a_risk_found_tells_the_village_and_the_town_naming_the_household(
    world, hw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        help_visit = record(
            world, hw.alleviated.household, new_risk_types=risks("illness"), housing_ok=False
        )
    told = Notification.objects.filter(recipient__in=[world.alice, world.carol])
    assert told.count() == 2
    assert {n.message for n in told} == {"帮扶走访发现风险：张大户（甲一村）：因病、住房安全"}
    assert told[0].url == reverse("assistance:help_visit_detail", args=[help_visit.pk])
    assert not Notification.objects.filter(recipient__in=[world.bob, world.dave]).exists()


def test_a_visit_without_risk_tells_nobody(world, hw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(world, hw.alleviated.household)
    assert not Notification.objects.exists()


def test_the_visitor_is_not_told_of_their_own_visit(world, hw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(world, hw.alleviated.household, actor=world.alice, water_ok=False)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [world.carol.pk]


def test_a_helper_visits_only_the_households_paired_with_them(world, hw):
    with pytest.raises(PermissionDenied):
        record(world, hw.marginal.household)


@pytest.mark.parametrize("who", ["frank", "erin"])
def test_departments_and_the_county_do_not_record_help_visits(world, hw, who):
    with pytest.raises(PermissionDenied):
        record(world, hw.alleviated.household, actor=getattr(world, who))


def test_another_towns_official_cannot_record(world, hw):
    with pytest.raises(PermissionDenied):
        record(world, hw.alleviated.household, actor=world.dave)


def test_a_future_visit_is_refused(world, hw):
    with pytest.raises(ValidationError) as refused:
        record(world, hw.alleviated.household, visited_on=days_ago(-1))
    assert "visited_on" in refused.value.message_dict


def test_new_risks_are_added_to_the_subject_by_those_who_keep_the_registry(world, hw):
    help_visit = record(world, hw.alleviated.household, new_risk_types=risks("housing"))
    with pytest.raises(PermissionDenied):
        help_visit_add_risks(actor=world.grace, help_visit=help_visit)
    help_visit_add_risks(actor=world.alice, help_visit=help_visit)
    assert set(hw.alleviated.risk_types.values_list("code", flat=True)) == {"illness", "housing"}
    with pytest.raises(ConflictError):
        help_visit_add_risks(actor=world.alice, help_visit=help_visit)


# --- visits due (三(八)1) ---------------------------------------------------------------


def due(world, user=None, **filters):
    rows = visits_due(user=user or world.carol, filters=DueFilters(**filters), today=TODAY)
    return {s.household.head_name: due_row(s, interval=30, today=TODAY) for s in rows}


def test_next_due_counts_from_the_paired_helpers_latest_visit(world, hw):
    VisitFactory(household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(20))
    VisitFactory(household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(50))
    # A monitor's visit does not discharge the helper's duty (三(八)1 帮扶责任人要定期上门走访).
    VisitFactory(household=hw.alleviated.household, visitor=world.alice, visited_on=days_ago(2))
    row = due(world)["张大"]
    assert row.next_due == days_ago(-10) and row.days_overdue == 0 and not row.overdue


def test_a_visit_by_a_former_helper_no_longer_counts(world, hw):
    VisitFactory(household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(5))
    hw.grace_assignment.ended_on = days_ago(3)
    hw.grace_assignment.save()
    HelpAssignmentFactory(household=hw.alleviated.household, started_on=days_ago(40))
    assert due(world)["张大"].next_due == days_ago(10)


def test_without_a_visit_next_due_counts_from_the_pairing(world, hw):
    hw.grace_assignment.started_on = days_ago(45)
    hw.grace_assignment.save()
    row = due(world)["张大"]
    assert row.next_due == days_ago(15) and row.days_overdue == 15


def test_without_a_pairing_next_due_counts_from_the_subjects_start(world, hw):
    row = due(world)["李二"]  # filed 40 days ago, not paired
    assert row.next_due == days_ago(10) and row.days_overdue == 10 and row.helpers == []


@pytest.mark.parametrize(("days", "overdue"), [(29, 0), (30, 0), (31, 1)])
def test_overdue_when_the_due_day_is_before_today(world, days, overdue):
    subject = subject_for(world.a2, category="sudden", name="边界", started_on=days_ago(days))
    row = due(world)["边界"]
    assert row.days_overdue == overdue
    listed = visits_due(user=world.carol, filters=DueFilters(overdue_only=True), today=TODAY)
    assert (subject in listed) == bool(overdue)


def test_the_interval_is_the_years_policy(world, hw):
    policy(help_visit_interval_days=60)
    from assistance.selectors.visits import interval_days

    assert interval_days(TODAY) == 60


def test_the_due_list_is_scoped_and_filtered(world, hw):
    assert set(due(world)) == {"张大", "李二"}
    assert set(due(world, user=world.dave)) == {"王三"}
    assert set(due(world, user=world.grace)) == {"张大"}
    assert set(due(world, user=world.erin)) == {"张大", "李二", "王三"}
    assert set(due(world, user=world.frank)) == set()
    assert set(due(world, helper=world.grace.pk)) == {"张大"}
    assert set(due(world, user=world.erin, village=world.b1.pk)) == {"王三"}
    assert set(due(world, overdue_only=True)) == {"张大", "李二"}


def test_the_most_overdue_come_first(world, hw):
    assert list(due(world, user=world.erin)) == ["张大", "王三", "李二"]


# --- pages -------------------------------------------------------------------------------


VISIT_FORM_STATUS = {
    "alice": 200,
    "bob": 404,
    "carol": 200,
    "dave": 404,
    "erin": 403,  # sees it; the county does not visit door to door
    "frank": 404,
    "grace": 200,
}


@pytest.mark.parametrize(("who", "status"), VISIT_FORM_STATUS.items())
def test_the_visit_form_follows_scope_then_role(world, hw, client, who, status):
    client.force_login(getattr(world, who))
    url = reverse("assistance:help_visit_create", args=[hw.alleviated.household.pk])
    assert client.get(url).status_code == status


def test_a_helper_not_paired_gets_404(world, hw, client):
    client.force_login(world.grace)
    url = reverse("assistance:help_visit_create", args=[hw.marginal.household.pk])
    assert client.get(url).status_code == 404


def test_the_visit_form_has_one_block_per_open_measure_and_saves(world, hw, client):
    _, (planned, running) = plan_with_measures(hw.alleviated, world.alice)
    client.force_login(world.grace)
    url = reverse("assistance:help_visit_create", args=[hw.alleviated.household.pk])
    page = client.get(url)
    assert [block[0] for block in page.context["form"].measure_blocks()] == [planned, running]
    response = client.post(
        url,
        {
            "visited_on": days_ago(1).isoformat(),
            "reason": "routine",
            "findings": "家中有人住院",
            "income_change": "down",
            "income_note": "",
            "problem_medical_ok": "on",
            "new_risk_types": [RiskType.objects.get(code="illness").pk],
            f"measure_{planned.pk}": "in_progress",
            f"measure_{planned.pk}_note": "已开工",
            f"measure_{running.pk}": "in_progress",
        },
    )
    help_visit = HelpVisit.objects.get()
    assert response["Location"] == reverse("assistance:help_visit_detail", args=[help_visit.pk])
    assert not help_visit.medical_ok and help_visit.housing_ok
    # The untouched measure is not part of the visit.
    assert list(help_visit.progress.values_list("measure", flat=True)) == [planned.pk]


def test_a_refused_measure_shows_on_its_block_and_saves_nothing(world, hw, client):
    _, (planned, running) = plan_with_measures(hw.alleviated, world.alice)
    client.force_login(world.grace)
    url = reverse("assistance:help_visit_create", args=[hw.alleviated.household.pk])
    response = client.post(
        url,
        {
            "visited_on": days_ago(1).isoformat(),
            "reason": "routine",
            "findings": "正常",
            "income_change": "same",
            f"measure_{planned.pk}": "in_progress",
            f"measure_{running.pk}": "stopped",
        },
    )
    assert response.status_code == 200
    assert "停止原因" in response.context["form"].errors[f"measure_{running.pk}"][0]
    assert not Visit.objects.exists()


def test_the_detail_offers_an_application_for_a_household_not_monitored(world, hw, client):
    household = HouseholdFactory(village=world.a1, status_2020="dibao", head_name="陈五")
    MemberFactory(household=household)
    help_visit = record(
        world, household, actor=world.alice, findings="突发重病", new_risk_types=risks("illness")
    )
    client.force_login(world.alice)
    page = client.get(reverse("assistance:help_visit_detail", args=[help_visit.pk]))
    apply_url = page.context["apply_url"]
    assert apply_url.startswith(reverse("identification:apply", args=[household.pk]))
    form = client.get(apply_url).context["form"]
    assert form["source"].value() == "visit"
    assert form["hardship"].value() == "突发重病"
    assert "帮扶走访" in form["source_note"].value()
    assert list(form["risk_types"].value()) == [RiskType.objects.get(code="illness").pk]
    # A helper does not keep the registry: no application from them.
    HelpAssignmentFactory(household=household, helper=world.grace)
    client.force_login(world.grace)
    page = client.get(reverse("assistance:help_visit_detail", args=[help_visit.pk]))
    assert page.context["apply_url"] == ""


def test_the_apply_page_ignores_unknown_prefill_values(world, client):
    household = HouseholdFactory(village=world.a1)
    MemberFactory(household=household)
    client.force_login(world.alice)
    url = reverse("identification:apply", args=[household.pk])
    form = client.get(url, {"source": "nonsense", "risk_types": ["x", "99999"]}).context["form"]
    assert form["source"].value() == "household"
    assert not form["risk_types"].value()


def test_the_detail_adds_the_new_risks_to_a_monitored_household_in_one_click(world, hw, client):
    help_visit = record(world, hw.alleviated.household, new_risk_types=risks("housing"))
    client.force_login(world.alice)
    page = client.get(reverse("assistance:help_visit_detail", args=[help_visit.pk]))
    assert [r.code for r in page.context["missing_risks"]] == ["housing"]
    assert page.context["apply_url"] == ""
    response = client.post(reverse("assistance:help_visit_add_risks", args=[help_visit.pk]))
    assert response.status_code == 302
    assert set(hw.alleviated.risk_types.values_list("code", flat=True)) == {"illness", "housing"}
    client.force_login(world.grace)
    assert (
        client.get(reverse("assistance:help_visit_detail", args=[help_visit.pk])).context[
            "missing_risks"
        ]
        == []
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alice", 200),
        ("bob", 404),
        ("carol", 200),
        ("dave", 404),
        ("erin", 200),
        ("frank", 404),
        ("grace", 200),
    ],
)
def test_the_visit_detail_follows_scope(world, hw, client, who, status):
    help_visit = record(world, hw.alleviated.household)
    client.force_login(getattr(world, who))
    assert (
        client.get(reverse("assistance:help_visit_detail", args=[help_visit.pk])).status_code
        == status
    )


def test_the_add_risks_button_follows_scope_and_role(world, hw, client):
    help_visit = record(world, hw.alleviated.household, new_risk_types=risks("housing"))
    url = reverse("assistance:help_visit_add_risks", args=[help_visit.pk])
    client.force_login(world.dave)
    assert client.post(url).status_code == 404
    client.force_login(world.grace)
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405


def test_the_due_page_shows_days_overdue_and_filters(world, hw, client):
    client.force_login(world.carol)
    response = client.get(reverse("assistance:visits_due"))
    rows = {r.subject.household.head_name: r for r in response.context["rows"]}
    assert rows["李二"].days_overdue == 10
    response = client.get(reverse("assistance:visits_due"), {"helper": world.grace.pk})
    assert [r.subject for r in response.context["rows"]] == [hw.alleviated]
    # Another town's village is not a choice.
    response = client.get(reverse("assistance:visits_due"), {"village": world.b1.pk})
    assert response.context["form"].errors


def test_a_helper_sees_their_own_households_without_the_helper_filter(world, hw, client):
    client.force_login(world.grace)
    response = client.get(reverse("assistance:visits_due"))
    assert [r.subject for r in response.context["rows"]] == [hw.alleviated]
    assert "helper" not in response.context["form"].fields


def test_department_staff_have_no_due_list(world, client):
    client.force_login(world.frank)
    assert client.get(reverse("assistance:visits_due")).status_code == 403


def test_the_due_page_has_a_fixed_number_of_queries(
    world, hw, client, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            subject = subject_for(world.a2, category="sudden")
            HelpAssignmentFactory(household=subject.household, helper=world.grace)

    add(3)
    client.force_login(world.carol)
    with django_assert_max_num_queries(12):
        client.get(reverse("assistance:visits_due"))
    add(8)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assistance:visits_due"))
    assert len(response.context["rows"]) == 13


def test_the_help_visit_button_is_for_those_who_visit(world, hw):
    household = hw.alleviated.household
    assert help_visit_button(world.grace, household) == (
        "登记帮扶走访",
        reverse("assistance:help_visit_create", args=[household.pk]),
    )
    assert help_visit_button(world.erin, household) is None
    assert help_visit_button(world.frank, household) is None
