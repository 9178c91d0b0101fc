"""一户一方案 (三(八)1-2): creating, editing, confirming, reviewing and closing a plan."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance import services
from assistance.models import AssistancePlan, MeasureState, PlanState
from assistance.services.plans import EXIT_REASON, months_later
from households.tests.factories import HouseholdFactory
from organization.tests.factories import policy
from suixi_monitor.exceptions import ApplicationError, ConflictError

from .factories_plans import MeasureFactory, PlanFactory, SubjectFactory, kind, member_aged, risks

MADE = datetime.date(2021, 8, 1)
ON = datetime.date(2021, 9, 1)


@pytest.fixture
def subject(world):
    household = HouseholdFactory(village=world.a1, head_name="李大山")
    return SubjectFactory(household=household, risk_types=risks("illness", "disaster"))


def _draft(world, subject, **fields):
    return services.plan_create(actor=world.alice, subject=subject, made_on=MADE, **fields)


def test_create_preselects_the_subjects_risks_and_keeps_who_made_it(world, subject):
    plan = _draft(world, subject, wishes=" 想在家附近打工 ", work_team="驻村工作队张三")
    assert plan.state == PlanState.DRAFT
    assert set(plan.risk_types.values_list("code", flat=True)) == {"illness", "disaster"}
    assert plan.wishes == "想在家附近打工" and plan.made_by == world.alice
    assert plan.history.first().history_user == world.alice


def test_create_with_chosen_risks(world, subject):
    plan = _draft(world, subject, risk_types=risks("housing"))
    assert list(plan.risk_types.values_list("code", flat=True)) == ["housing"]


def test_one_open_plan_per_subject(world, subject):
    _draft(world, subject)
    with pytest.raises(ConflictError):
        _draft(world, subject)


def test_a_subject_out_of_monitoring_gets_no_plan(world, subject):
    subject.eliminate_risk(on=ON)
    subject.save()
    with pytest.raises(ConflictError):
        _draft(world, subject)


def test_made_on_not_before_the_subject_entered_monitoring(world, subject):
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            actor=world.alice, subject=subject, made_on=subject.started_on - datetime.timedelta(1)
        )
    assert "made_on" in error.value.message_dict
    services.plan_create(actor=world.alice, subject=subject, made_on=subject.started_on)


@pytest.mark.parametrize("who", ["bob", "dave", "grace"])
def test_create_out_of_scope_is_refused(world, subject, who):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=getattr(world, who), subject=subject, made_on=MADE)


@pytest.mark.parametrize("who", ["erin", "frank"])
def test_create_needs_the_right_role(world, subject, who):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=getattr(world, who), subject=subject, made_on=MADE)


def test_a_paired_helper_drafts(world, subject):
    from assistance.models import HelpAssignment

    HelpAssignment.objects.create(household=subject.household, helper=world.grace, started_on=MADE)
    plan = services.plan_create(actor=world.grace, subject=subject, made_on=MADE)
    assert plan.made_by == world.grace


def test_update_in_draft_and_active_keeps_history_refused_when_closed(world, subject):
    plan = _draft(world, subject)
    services.plan_update(
        actor=world.alice, plan=plan, needs="需要技能培训", risk_types=risks("water")
    )
    plan.refresh_from_db()
    assert plan.needs == "需要技能培训"
    assert list(plan.risk_types.values_list("code", flat=True)) == ["water"]
    assert plan.history.earliest().needs == ""
    assert plan.history.latest().needs == "需要技能培训"
    services.plan_close(actor=world.carol, plan=plan, on=ON, exit=False, reason="户籍迁出")
    with pytest.raises(ConflictError):
        services.plan_update(actor=world.alice, plan=plan, needs="x")


# --- activation (the town confirms) --------------------------------------------------------


def test_activation_refuses_a_plan_without_measures(world, subject):
    plan = _draft(world, subject)
    with pytest.raises(ApplicationError) as error:
        services.plan_activate(actor=world.carol, plan=plan, on=ON)
    assert error.value.status_code == 400 and "没有任何帮扶措施" in error.value.message


def test_activation_needs_a_development_measure_for_each_member_who_can_work(world, subject):
    worker = member_aged(subject.household, 64, ON, name="李强")
    member_aged(subject.household, 65, ON, name="李老汉")  # 65 on the day: not counted
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("family_doctor"), member=worker)
    with pytest.raises(ApplicationError) as error:
        services.plan_activate(actor=world.carol, plan=plan, on=ON)
    message = error.value.message
    assert "李强" in message and "三(八)2" in message and "李老汉" not in message
    assert error.value.field == "no_development_reason"
    # A whole-household development measure names nobody's job (一人一措施).
    MeasureFactory(plan=plan, kind=kind("industry"), member=None)
    with pytest.raises(ApplicationError):
        services.plan_activate(actor=world.carol, plan=plan, on=ON)
    # A stopped one does not count either.
    stopped = MeasureFactory(plan=plan, kind=kind("public_job"), member=worker)
    type(stopped).objects.filter(pk=stopped.pk).update(state=MeasureState.STOPPED)
    with pytest.raises(ApplicationError):
        services.plan_activate(actor=world.carol, plan=plan, on=ON)
    MeasureFactory(plan=plan, kind=kind("public_job"), member=worker)
    plan = services.plan_activate(actor=world.carol, plan=plan, on=ON)
    assert plan.state == PlanState.ACTIVE


def test_activation_counts_a_done_development_measure(world, subject):
    worker = member_aged(subject.household, 16, ON, name="李小")
    plan = _draft(world, subject)
    done = MeasureFactory(plan=plan, kind=kind("skills_training"), member=worker)
    type(done).objects.filter(pk=done.pk).update(state=MeasureState.DONE)
    assert services.plan_activate(actor=world.carol, plan=plan, on=ON).state == PlanState.ACTIVE


def test_activation_accepts_a_recorded_reason(world, subject):
    worker = member_aged(subject.household, 40, ON, name="李强", labour_capacity="weak")
    plan = _draft(world, subject, no_development_reason="本人正在住院治疗，出院后再安排")
    MeasureFactory(plan=plan, kind=kind("medical_assistance"), member=worker)
    assert services.plan_activate(actor=world.carol, plan=plan, on=ON).state == PlanState.ACTIVE


def test_a_member_who_lost_labour_needs_no_development_measure(world, subject):
    member = member_aged(subject.household, 40, ON, name="李强", labour_capacity="lost")
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("dibao"), member=member)
    assert services.plan_activate(actor=world.carol, plan=plan, on=ON).state == PlanState.ACTIVE


@pytest.mark.parametrize(
    ("months", "expected"), [(6, datetime.date(2022, 3, 1)), (3, datetime.date(2021, 12, 1))]
)
def test_activation_sets_the_next_review_from_policy(world, subject, months, expected):
    policy(year=2021, plan_review_months=months)
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("dibao"))
    plan = services.plan_activate(actor=world.carol, plan=plan, on=ON)
    assert plan.activated_on == ON and plan.next_review_on == expected


def test_months_later_keeps_month_ends():
    assert months_later(datetime.date(2021, 8, 31), 6) == datetime.date(2022, 2, 28)


@pytest.mark.parametrize("who", ["alice", "grace", "erin"])
def test_only_the_town_activates(world, subject, who):
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("dibao"))
    with pytest.raises(PermissionDenied):
        services.plan_activate(actor=getattr(world, who), plan=plan, on=ON)
    with pytest.raises(PermissionDenied):  # another town's official: out of scope
        services.plan_activate(actor=world.dave, plan=plan, on=ON)


def test_activation_twice_is_a_conflict_and_dates_are_checked(world, subject):
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("dibao"))
    with pytest.raises(ValidationError):
        services.plan_activate(actor=world.carol, plan=plan, on=MADE - datetime.timedelta(1))
    services.plan_activate(actor=world.carol, plan=plan, on=MADE)
    with pytest.raises(ConflictError):
        services.plan_activate(actor=world.carol, plan=plan, on=ON)


# --- review ---------------------------------------------------------------------------------


def _active(world, subject):
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("dibao"))
    return services.plan_activate(actor=world.carol, plan=plan, on=ON)


def test_review_records_and_moves_the_next_review(world, subject):
    plan = _active(world, subject)
    day = datetime.date(2022, 3, 5)
    review = services.plan_review(actor=world.alice, plan=plan, on=day, conclusion="措施落实到位")
    plan.refresh_from_db()
    assert review.reviewer == world.alice and plan.reviewed_on == day
    assert plan.next_review_on == datetime.date(2022, 9, 5)
    with pytest.raises(ValidationError):  # not before the last review
        services.plan_review(
            actor=world.alice, plan=plan, on=day - datetime.timedelta(1), conclusion="x"
        )


def test_review_needs_a_conclusion_and_an_active_plan(world, subject):
    plan = _draft(world, subject)
    with pytest.raises(ValidationError):
        services.plan_review(actor=world.alice, plan=plan, on=ON, conclusion=" ")
    with pytest.raises(ConflictError):
        services.plan_review(actor=world.alice, plan=plan, on=ON, conclusion="好")


# --- closing at exit (三(九)) -------------------------------------------------------------


def test_plan_close_at_exit_keeps_the_kinds_that_continue(world, subject):
    plan = _active(world, subject)
    member = member_aged(subject.household, 40, ON)
    loan = MeasureFactory(plan=plan, kind=kind("microcredit"), amount=50000)
    job = MeasureFactory(plan=plan, kind=kind("public_job"), member=member)
    yulu = MeasureFactory(plan=plan, kind=kind("yulu_plan"), member=member)
    work = MeasureFactory(plan=plan, kind=kind("local_work"), member=member)
    services.measure_start(actor=world.alice, measure=work, on=ON)
    done = MeasureFactory(plan=plan, kind=kind("temporary_relief"))
    services.measure_start(actor=world.alice, measure=done, on=ON)
    services.measure_complete(actor=world.alice, measure=done, on=ON)
    day = datetime.date(2022, 1, 10)
    plan = services.plan_close(actor=world.erin, plan=plan, on=day)
    assert plan.state == PlanState.CLOSED and plan.closed_on == day
    assert plan.close_reason == EXIT_REASON
    states = dict(plan.measures.values_list("kind__code", "state"))
    assert states["microcredit"] == states["public_job"] == states["yulu_plan"] == "planned"
    assert states["local_work"] == states["dibao"] == "stopped"
    assert states["temporary_relief"] == "done"
    work.refresh_from_db()
    assert work.stop_reason == EXIT_REASON and work.ended_on == day
    assert work.history.first().history_user == world.erin
    for m in (loan, job, yulu):
        m.refresh_from_db()
        assert m.ended_on is None


def test_plan_close_not_at_exit_stops_every_open_measure(world, subject):
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("microcredit"))
    services.plan_close(actor=None, plan=plan, on=ON, reason="整户迁出", exit=False)
    assert list(plan.measures.values_list("state", flat=True)) == ["stopped"]


def test_plan_close_twice_is_a_conflict_and_roles_are_checked(world, subject):
    plan = _draft(world, subject)
    with pytest.raises(PermissionDenied):
        services.plan_close(actor=world.alice, plan=plan, on=ON)
    services.plan_close(actor=world.carol, plan=plan, on=ON)
    with pytest.raises(ConflictError):
        services.plan_close(actor=world.carol, plan=plan, on=ON)
    assert AssistancePlan.objects.get(pk=plan.pk).state == PlanState.CLOSED
    # A new plan may be made once the old one is closed.
    _draft(world, subject)


def test_factory_plan_is_a_draft(db):
    assert PlanFactory().state == PlanState.DRAFT


# --- pages -----------------------------------------------------------------------------------

from django.urls import reverse  # noqa: E402

from assistance.models import HelpAssignment  # noqa: E402
from assistance.views.plans import plan_button  # noqa: E402
from households.tests.factories import MemberFactory  # noqa: E402

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "helper_b"]
# Who sees a plan of a household in village A1 (grace is paired with it; helper_b is not).
SEES_A1 = {"alice", "carol", "erin", "grace"}


@pytest.fixture
def pages(world, subject):
    from organization.tests.factories import UserFactory

    world.helper_b = UserFactory(username="helper_b", role="helper")
    HelpAssignment.objects.create(household=subject.household, helper=world.grace, started_on=MADE)
    worker = member_aged(subject.household, 30, ON, name="李强")
    plan = _draft(world, subject)
    measure = MeasureFactory(plan=plan, kind=kind("local_work"), member=worker)
    return SimpleNamespace(plan=plan, measure=measure, worker=worker, subject=subject)


from types import SimpleNamespace  # noqa: E402


def _urls(p) -> dict[str, str]:
    return {
        "detail": reverse("assistance:plan_detail", args=[p.plan.pk]),
        "edit": reverse("assistance:plan_update", args=[p.plan.pk]),
        "review": reverse("assistance:plan_review", args=[p.plan.pk]),
        "activate": reverse("assistance:plan_activate", args=[p.plan.pk]),
        "measure_new": reverse("assistance:measure_create", args=[p.plan.pk]),
        "measure_edit": reverse("assistance:measure_update", args=[p.measure.pk]),
        "measure_start": reverse("assistance:measure_start", args=[p.measure.pk]),
        "measure_stop": reverse("assistance:measure_stop", args=[p.measure.pk]),
        "measure_complete": reverse("assistance:measure_complete", args=[p.measure.pk]),
        "create": reverse("assistance:plan_create", args=[p.subject.pk]),
    }


@pytest.mark.parametrize("who", ROLES)
def test_pages_answer_404_out_of_scope(world, pages, client, who):
    client.force_login(getattr(world, who))
    for name, url in _urls(pages).items():
        status = client.get(url).status_code
        if who in SEES_A1:
            assert status in (200, 302, 403), (name, status)
        else:
            assert status == 404, (name, status)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (
            "alice",
            {
                "edit",
                "review",
                "measure_new",
                "measure_edit",
                "measure_start",
                "measure_stop",
                "measure_complete",
            },
        ),
        (
            "grace",
            {
                "edit",
                "review",
                "measure_new",
                "measure_edit",
                "measure_start",
                "measure_stop",
                "measure_complete",
            },
        ),
        (
            "carol",
            {
                "edit",
                "review",
                "activate",
                "measure_new",
                "measure_edit",
                "measure_start",
                "measure_stop",
                "measure_complete",
            },
        ),
        ("erin", set()),
    ],
)
def test_pages_follow_the_permission_table(world, pages, client, who, allowed):
    client.force_login(getattr(world, who))
    for name, url in _urls(pages).items():
        if name in ("detail", "create"):
            continue
        status = client.get(url).status_code
        assert (status == 200) is (name in allowed), (name, status)


def test_detail_shows_measures_suggestions_and_history(world, pages, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.alice)
    url = reverse("assistance:plan_detail", args=[pages.plan.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        m = MeasureFactory(plan=pages.plan, kind=kind("family_doctor"))
        services.measure_update(actor=world.alice, measure=m, result="已签约")
    services.measure_start(actor=world.alice, measure=pages.measure, on=ON)
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert len(five) == len(one) <= 25
    html = response.content.decode()
    assert "就近就业" in html and "建议措施" in html and "变更记录" in html
    assert reverse("assistance:measure_complete", args=[pages.measure.pk]) in html
    client.force_login(world.erin)  # the county reads, without buttons
    html = client.get(url).content.decode()
    assert reverse("assistance:measure_complete", args=[pages.measure.pk]) not in html


def test_create_page_shows_suggestions_and_saves(world, client, subject):
    MemberFactory(household=subject.household, name="李大山")
    client.force_login(world.alice)
    url = reverse("assistance:plan_create", args=[subject.pk])
    html = client.get(url).content.decode()
    assert "建议措施" in html and "健康帮扶" in html  # 因病 risk → 健康
    response = client.post(
        url,
        {"made_on": "2021-08-02", "risk_types": [r.pk for r in risks("illness")], "wishes": "务工"},
    )
    plan = AssistancePlan.objects.get(subject=subject)
    assert response.status_code == 302 and response.url.endswith(f"/plans/{plan.pk}/")
    # A second plan: the page sends the user to the open one.
    assert client.get(url).status_code == 302


def test_create_page_refuses_a_future_date_on_the_form(world, client, subject):
    client.force_login(world.alice)
    url = reverse("assistance:plan_create", args=[subject.pk])
    response = client.post(
        url, {"made_on": "2999-01-01", "risk_types": [r.pk for r in risks("illness")]}
    )
    assert response.status_code == 200 and "日期不能晚于今天" in response.content.decode()


def test_one_click_suggested_measure(world, pages, client):
    client.force_login(world.alice)
    url = reverse("assistance:measure_add_suggested", args=[pages.plan.pk])
    response = client.post(
        url, {"kind": kind("public_job").pk, "member": pages.worker.pk, "reason": "有劳动能力"}
    )
    assert response.status_code == 302
    m = pages.plan.measures.get(kind__code="public_job")
    assert m.member == pages.worker and m.description == "有劳动能力"
    stranger = MemberFactory(household=HouseholdFactory(village=world.a1))
    assert client.post(url, {"kind": kind("dibao").pk, "member": stranger.pk}).status_code == 404


def test_activate_page_shows_the_members_name_and_clause(world, pages, client):
    MeasureFactory.reset_sequence()
    type(pages.measure).objects.filter(pk=pages.measure.pk).update(kind=kind("family_doctor"))
    client.force_login(world.carol)
    url = reverse("assistance:plan_activate", args=[pages.plan.pk])
    response = client.post(url, {"activated_on": "2021-09-01"})
    html = response.content.decode()
    assert response.status_code == 200 and "李强" in html and "三(八)2" in html
    type(pages.measure).objects.filter(pk=pages.measure.pk).update(kind=kind("local_work"))
    assert client.post(url, {"activated_on": "2021-09-01"}).status_code == 302
    pages.plan.refresh_from_db()
    assert pages.plan.state == PlanState.ACTIVE
    # Again: the wrong state comes back on the form.
    response = client.post(url, {"activated_on": "2021-09-01"})
    assert "不能再确认" in response.content.decode()


def test_measure_pages_move_the_state(world, pages, client):
    client.force_login(world.alice)
    start = reverse("assistance:measure_start", args=[pages.measure.pk])
    assert client.post(start, {"on": "2021-09-01"}).status_code == 302
    stop = reverse("assistance:measure_stop", args=[pages.measure.pk])
    response = client.post(stop, {"on": "2021-09-02", "reason": ""})
    assert response.status_code == 200 and "停止原因" in response.content.decode()
    assert client.post(stop, {"on": "2021-09-02", "reason": "外出务工"}).status_code == 302
    pages.measure.refresh_from_db()
    assert pages.measure.state == MeasureState.STOPPED


def test_measure_form_refuses_a_member_of_another_household_and_a_negative_amount(
    world, pages, client
):
    client.force_login(world.alice)
    url = reverse("assistance:measure_create", args=[pages.plan.pk])
    response = client.post(url, {"kind": kind("dibao").pk, "amount": "-1"})
    assert response.status_code == 200
    response = client.post(
        url, {"kind": kind("dibao").pk, "started_on": "2021-09-02", "planned_end_on": "2021-09-01"}
    )
    assert "计划完成日期不能早于开始日期" in response.content.decode()


def test_list_filters_scope_and_query_count(world, pages, client, django_assert_max_num_queries):
    other = SubjectFactory(household=HouseholdFactory(village=world.b1, head_name="王小河"))
    services.plan_create(actor=world.dave, subject=other, made_on=MADE)
    for _ in range(3):
        s = SubjectFactory(household=HouseholdFactory(village=world.a2))
        PlanFactory(subject=s)
    client.force_login(world.carol)
    url = reverse("assistance:plan_list")
    with django_assert_max_num_queries(12):
        html = client.get(url).content.decode()
    assert "李大山" in html and "王小河" not in html
    html = client.get(url, {"q": "李大"}).content.decode()
    assert "共 <strong>1</strong>" in html
    html = client.get(url, {"overdue": "on"}).content.decode()
    assert "共 <strong>0</strong>" in html
    client.force_login(world.frank)
    assert client.get(url).status_code == 403
    client.force_login(world.erin)
    html = client.get(url, {"town": world.town_b.pk}).content.decode()
    assert "王小河" in html and "李大山" not in html


def test_stats_page(world, pages, client, django_assert_max_num_queries):
    client.force_login(world.erin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assistance:plan_stats"))
    html = response.content.decode()
    assert response.status_code == 200 and "甲镇" in html and "就近就业" in html


def test_plan_button(world, pages, django_assert_max_num_queries):
    household = pages.subject.household
    with django_assert_max_num_queries(1):
        label, url = plan_button(world.alice, household)
    assert url == reverse("assistance:plan_detail", args=[pages.plan.pk]) and "草拟中" in label
    assert plan_button(world.frank, household) is None
    services.plan_close(actor=world.carol, plan=pages.plan, on=ON, exit=False, reason="x")
    assert plan_button(world.alice, household)[1] == reverse(
        "assistance:plan_create", args=[pages.subject.pk]
    )
    assert plan_button(world.erin, household) is None  # the county does not draft
    plain = HouseholdFactory(village=world.a1)
    assert plan_button(world.alice, plain) is None


# --- the figures (assistance.selectors.plans) -----------------------------------------------

from decimal import Decimal  # noqa: E402

from assistance.selectors import plans as figures  # noqa: E402


def _town_a_world(world):
    """Town A: three subjects; one with an active plan (a worker with 公益性岗位, a worker
    without, a 15-year-old), one with a draft, one with none. Town B: one active plan."""
    subjects = []
    for name in ("甲", "乙", "丙"):
        subjects.append(
            SubjectFactory(household=HouseholdFactory(village=world.a1, head_name=name))
        )
    h = subjects[0].household
    worker = member_aged(h, 40, ON, name="有岗")
    member_aged(h, 50, ON, name="无岗", labour_capacity="weak")
    member_aged(h, 16, ON, days=1, name="少年")  # fifteen: not counted
    plan = _draft(world, subjects[0], no_development_reason="无岗正在住院")
    MeasureFactory(plan=plan, kind=kind("public_job"), member=worker, amount=Decimal("9600"))
    MeasureFactory(plan=plan, kind=kind("dibao"), amount=Decimal("3000"))
    services.plan_activate(actor=world.carol, plan=plan, on=ON)
    _draft(world, subjects[1])
    b = SubjectFactory(household=HouseholdFactory(village=world.b1))
    b_plan = services.plan_create(actor=world.dave, subject=b, made_on=MADE)
    MeasureFactory(plan=b_plan, kind=kind("dibao"), amount=Decimal("1000"))
    services.plan_activate(actor=world.dave, plan=b_plan, on=ON)
    return plan


def test_plans_to_confirm_and_overdue(world, django_assert_max_num_queries):
    plan = _town_a_world(world)
    plan.refresh_from_db()
    assert figures.plans_to_confirm(world.carol).count() == 1
    assert figures.plans_to_confirm(world.dave).count() == 0
    due = plan.next_review_on
    assert figures.plans_overdue_for_review(world.carol, due).count() == 0  # due today: not late
    assert figures.plans_overdue_for_review(world.carol, due + datetime.timedelta(1)).count() == 1
    assert figures.plans_overdue_for_review(world.erin, due + datetime.timedelta(1)).count() == 2
    assert figures.plans_overdue_for_review(world.frank, due + datetime.timedelta(1)).count() == 0


def test_measures_by_kind_and_state(world, django_assert_max_num_queries):
    _town_a_world(world)
    with django_assert_max_num_queries(1):
        rows = figures.measures_by_kind_and_state(world.erin)
    dibao = [r for r in rows if r["kind__name"].startswith("最低生活保障")]
    assert dibao == [dict(dibao[0], n=2, amount=Decimal("4000"), state="planned")]
    rows = figures.measures_by_kind_and_state(world.carol)
    assert sum(r["n"] for r in rows) == 2


def test_county_plan_coverage(world, django_assert_max_num_queries):
    _town_a_world(world)
    with django_assert_max_num_queries(2):
        rows = figures.county_plan_coverage(world.erin, ON)
    a = next(r for r in rows if r["town"] == world.town_a)
    assert (a["subjects"], a["active"], a["active_share"]) == (3, 1, 33.3)
    assert (a["workers"], a["workers_dev"], a["workers_dev_share"]) == (2, 1, 50.0)
    assert {m["kind__name"]: m["amount"] for m in a["measures"]}["公益性岗位"] == Decimal("9600")
    b = next(r for r in rows if r["town"] == world.town_b)
    assert (b["subjects"], b["active"], b["workers"]) == (1, 1, 0)
    assert b["workers_dev_share"] is None
    # A town sees only its own row; a village monitor sees its village's figures.
    assert [r["town"] for r in figures.county_plan_coverage(world.carol, ON)] == [world.town_a]
    bob = figures.county_plan_coverage(world.bob, ON)
    assert bob[0]["subjects"] == 0
