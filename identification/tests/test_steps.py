"""Each step of 三(七): allowed and refused, every rule at its boundary."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from households.models import MonitoringSubject, RiskType
from households.tests.factories import HouseholdFactory, MemberFactory
from identification import services
from identification.models import (
    Announcement,
    CaseState,
    ComparisonHit,
    Deliberation,
    HomeCheck,
    IdentificationCase,
    Publicity,
)
from identification.services import TeamMember
from organization.tests.factories import policy
from suixi_monitor.exceptions import ApplicationError, ConflictError

from .factories import dataset_with, days_ago, household_ready, team, walk

ILLNESS = {"code": "illness"}


def apply(world, household, **overrides):
    values = {
        "actor": world.alice,
        "household": household,
        "applicant": household.members.first(),
        "applied_on": days_ago(30),
        "hardship": "突发重病",
        "risk_types": [RiskType.objects.get(**ILLNESS)],
    }
    return services.case_apply(**{**values, **overrides})


# --- 1. 户申请 ---------------------------------------------------------------------


def test_a_monitor_applies_for_a_household_of_their_village(world):
    household = household_ready(world.a1)
    case = apply(world, household, source="visit", source_note="2021-06-01 走访")
    assert case.state == CaseState.APPLIED
    assert case.source == "visit"
    assert list(case.risk_types.values_list("code", flat=True)) == ["illness"]
    row = case.history.get()
    assert (row.history_user, row.history_change_reason) == (world.alice, "户申请")


def test_it_refuses_a_household_outside_the_scope_of_article_3_5(world):
    household = HouseholdFactory(village=world.a1, status_2020="ordinary")
    MemberFactory(household=household)
    with pytest.raises(ApplicationError, match=r"三\(五\)"):
        apply(world, household)


def test_it_refuses_a_household_not_living_in_the_county(world):
    household = household_ready(world.a1)
    household.long_term_resident = False
    household.save()
    with pytest.raises(ApplicationError, match=r"三\(五\)"):
        apply(world, household)


def test_it_refuses_a_household_already_monitored(world):
    household = household_ready(world.a1)
    MonitoringSubject.objects.create(
        household=household, category="marginal", started_on=days_ago(90)
    )
    with pytest.raises(ApplicationError, match="已是监测对象"):
        apply(world, household)


def test_it_refuses_a_second_open_case_for_one_household(world):
    household = household_ready(world.a1)
    apply(world, household)
    with pytest.raises(ConflictError, match="未办结"):
        apply(world, household)


def test_it_rejects_other_villages_household(world):
    household = household_ready(world.a2)
    with pytest.raises(PermissionDenied):
        apply(world, household)


def test_it_refuses_an_application_dated_in_the_future(world):
    with pytest.raises(ValidationError) as error:
        apply(world, household_ready(world.a1), applied_on=days_ago(-1))
    assert "applied_on" in error.value.message_dict


def test_it_refuses_an_applicant_from_another_household(world):
    other = household_ready(world.a1)
    with pytest.raises(ValidationError):
        apply(world, household_ready(world.a1), applicant=other.members.first())


# --- 2. 村初核 ---------------------------------------------------------------------


def verify(world, case, **overrides):
    values = {
        "actor": world.alice,
        "case": case,
        "checked_on": days_ago(28),
        "team": team(world),
        "findings": "入户核实",
        "passed": True,
        "medical_burden": True,
    }
    return services.case_verify(**{**values, **overrides})


def test_a_home_check_with_one_checker_is_refused(world):
    case = apply(world, household_ready(world.a1))
    with pytest.raises(ApplicationError, match=r"三\(七\)2：核查组成员不得少于2人（当前1人）"):
        verify(world, case, team=[TeamMember(role="village_committee", user=world.alice)])
    assert not HomeCheck.objects.exists()


def test_the_same_person_twice_is_still_one_checker(world):
    case = apply(world, household_ready(world.a1))
    twice = [TeamMember(role="village_committee", user=world.alice)] * 2
    with pytest.raises(ApplicationError, match=r"三\(七\)2"):
        verify(world, case, team=twice)


def test_a_home_check_with_two_checkers_verifies_the_case(world):
    case = verify(world, apply(world, household_ready(world.a1)))
    assert case.state == CaseState.VERIFIED
    check = case.home_checks.get()
    assert [(m.name, m.role) for m in check.team.all()] == [
        (world.alice.get_full_name(), "village_committee"),
        ("驻村队员周某", "work_team"),
    ]
    assert check.team.first().user == world.alice


def test_the_team_size_follows_the_years_policy(world):
    policy(year=days_ago(28).year, home_check_team_min=3)
    case = apply(world, household_ready(world.a1))
    with pytest.raises(ApplicationError, match="不得少于3人（当前2人）"):
        verify(world, case)


def test_the_home_check_computes_per_person_income_against_the_line(world):
    household = household_ready(world.a1)  # 9000 over 2 people
    case = verify(world, apply(world, household))
    check = case.home_checks.get()
    assert check.per_capita_income == Decimal("4500.00")
    assert check.income_line == Decimal("6000")
    assert check.below_line is True
    assert check.income_year == days_ago(0).year - 1


def test_a_failed_home_check_rejects_with_the_reason_kept(world):
    case = verify(world, apply(world, household_ready(world.a1)), passed=False, findings="收入稳定")
    assert case.state == CaseState.REJECTED
    assert case.closed_step == CaseState.APPLIED
    assert "收入稳定" in case.closed_reason


def test_a_pass_with_no_criterion_met_is_refused(world):
    household = household_ready(world.a1)
    household.income_records.update(per_capita_net_income=Decimal("8000"))
    case = apply(world, household)
    with pytest.raises(ApplicationError, match=r"三\(六\)"):
        verify(world, case, medical_burden=False)


def test_the_home_check_is_refused_for_a_case_already_verified(world):
    case = verify(world, apply(world, household_ready(world.a1)))
    with pytest.raises(ConflictError):
        verify(world, case)


def test_another_villages_monitor_cannot_verify(world):
    case = apply(world, household_ready(world.a1))
    with pytest.raises(PermissionDenied):
        verify(world, case, actor=world.bob)


def test_a_town_official_cannot_record_the_village_home_check(world):
    case = apply(world, household_ready(world.a1))
    with pytest.raises(PermissionDenied):
        verify(world, case, actor=world.carol)


def test_a_home_check_before_the_application_is_refused(world):
    case = apply(world, household_ready(world.a1))
    with pytest.raises(ValidationError):
        verify(world, case, checked_on=days_ago(31))


# --- 3. 组评议 ---------------------------------------------------------------------


def deliberate(world, case, *, expected, present, approvals, **overrides):
    return services.case_record_deliberation(
        actor=overrides.pop("actor", world.alice),
        case=case,
        group=overrides.pop("group", world.groups[world.a1.pk]),
        held_on=overrides.pop("held_on", days_ago(26)),
        expected=expected,
        present=present,
        approvals=approvals,
    )


def verified(world):
    return verify(world, apply(world, household_ready(world.a1)))


def test_exactly_two_thirds_present_makes_a_valid_meeting(world):
    case = deliberate(world, verified(world), expected=9, present=6, approvals=4)
    assert case.state == CaseState.DELIBERATED


def test_one_fewer_than_two_thirds_is_refused_and_not_recorded(world):
    case = verified(world)
    with pytest.raises(ApplicationError, match=r"三\(七\)3：到会人数须达到应到人数的三分之二以上"):
        deliberate(world, case, expected=9, present=5, approvals=5)
    case.refresh_from_db()
    assert case.state == CaseState.VERIFIED
    assert not Deliberation.objects.exists()


def test_approvals_of_exactly_half_fail_the_vote_and_reject(world):
    case = deliberate(world, verified(world), expected=6, present=6, approvals=3)
    assert case.state == CaseState.REJECTED
    assert "三(七)3" in case.closed_reason
    assert case.deliberations.get().passed is False


def test_approvals_of_one_more_than_half_pass(world):
    case = deliberate(world, verified(world), expected=6, present=6, approvals=4)
    assert case.state == CaseState.DELIBERATED
    assert case.deliberations.get().passed is True


def test_more_present_than_expected_is_refused(world):
    with pytest.raises(ValidationError):
        deliberate(world, verified(world), expected=6, present=7, approvals=4)


def test_a_group_of_another_village_is_refused(world):
    with pytest.raises(ValidationError):
        deliberate(
            world,
            verified(world),
            expected=6,
            present=6,
            approvals=4,
            group=world.groups[world.a2.pk],
        )


def test_the_deliberation_is_refused_before_the_home_check(world):
    case = apply(world, household_ready(world.a1))
    with pytest.raises(ConflictError):
        deliberate(world, case, expected=6, present=6, approvals=4)


def test_compare_needs_the_group_deliberation_under_the_2021_procedure(world):
    with pytest.raises(ConflictError, match="已初核（待组评议）”，不能进行信息比对"):
        services.case_compare(
            actor=world.erin, case=verified(world), compared_on=days_ago(20), judgements={}
        )


# --- 4. 信息比对 -------------------------------------------------------------------


def test_a_hit_without_a_judgement_is_refused(world):
    case = walk(world, CaseState.DELIBERATED)
    dataset_with(case.household.members.first())
    with pytest.raises(ApplicationError, match=r"三\(七\)4") as error:
        services.case_compare(actor=world.erin, case=case, compared_on=days_ago(20), judgements={})
    assert len(error.value.extra["missing"]) == 1


def test_hits_are_judged_one_by_one_and_do_not_reject_by_themselves(world):
    case = walk(world, CaseState.DELIBERATED)
    member = case.household.members.first()
    record = dataset_with(member).records.get()
    case = services.case_compare(
        actor=world.erin,
        case=case,
        compared_on=days_ago(20),
        judgements={record.pk: ("no_effect", "车辆为报废农用车，不影响认定")},
    )
    assert case.state == CaseState.COMPARED
    hit = ComparisonHit.objects.get()
    assert (hit.member, hit.judgement, hit.reason) == (
        member,
        "no_effect",
        "车辆为报废农用车，不影响认定",
    )


def test_only_the_latest_data_set_of_each_kind_is_compared(world):
    case = walk(world, CaseState.DELIBERATED)
    member = case.household.members.first()
    old = dataset_with(member)
    old.as_of = days_ago(400)
    old.save()
    newer = dataset_with(member.household.members.last(), detail="另一辆车")
    newer.as_of = days_ago(10)
    newer.save()
    newer.records.update(id_number="340621190001010000")  # nobody in this household
    case = services.case_compare(
        actor=world.erin, case=case, compared_on=days_ago(20), judgements={}
    )
    assert case.comparisons.get().hits.count() == 0
    assert list(case.comparisons.get().datasets.all()) == [newer]


def test_only_the_bureau_compares(world):
    case = walk(world, CaseState.DELIBERATED)
    with pytest.raises(PermissionDenied):
        services.case_compare(actor=world.carol, case=case, compared_on=days_ago(20), judgements={})


def test_a_comparison_dated_before_the_deliberation_is_refused(world):
    case = walk(world, CaseState.DELIBERATED)  # deliberation held 76 days ago
    with pytest.raises(ValidationError, match="组评议日期"):
        services.case_compare(actor=world.erin, case=case, compared_on=days_ago(77), judgements={})
    case = services.case_compare(
        actor=world.erin, case=case, compared_on=days_ago(76), judgements={}
    )
    assert case.state == CaseState.COMPARED


def test_the_comparison_is_fed_back_to_village_and_town(world, django_capture_on_commit_callbacks):
    case = walk(world, CaseState.DELIBERATED)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_compare(actor=world.erin, case=case, compared_on=days_ago(20), judgements={})
    assert world.alice.notifications.filter(message__contains="比对结果已反馈").exists()
    assert world.carol.notifications.filter(message__contains="比对结果已反馈").exists()
    assert not world.bob.notifications.exists()


# --- 5-6. publicity, town approval -----------------------------------------------


def publicized(world, *, started: int):
    case = walk(world, CaseState.COMPARED, start=started + 10)
    return services.case_publicize_village(
        actor=world.alice,
        case=case,
        meeting_on=days_ago(started),
        decision="同意",
        publicity_started_on=days_ago(started),
    )


def test_the_village_publicity_is_not_concluded_on_day_six(world):
    case = publicized(world, started=6)
    with pytest.raises(ApplicationError, match=r"三\(七\)5：村公示须满7天，.*已公示6天"):
        services.publicity_conclude(case=case)


def test_the_village_publicity_is_concluded_on_day_seven_by_the_system(world):
    case = services.publicity_conclude(case=publicized(world, started=7))
    assert case.state == CaseState.TOWN_REVIEWING
    row = case.history.latest()
    assert row.history_user is None
    assert row.history_change_reason == "系统：村公示期满无异议"
    publicity = case.publicities.get()
    assert publicity.outcome == Publicity.Outcome.NO_OBJECTION
    assert publicity.concluded_by is None


def test_the_publicity_length_follows_the_years_policy(world):
    policy(year=days_ago(9).year, village_publicity_days=10)
    case = publicized(world, started=9)
    with pytest.raises(ApplicationError, match="须满10天"):
        services.publicity_conclude(case=case)


def test_an_open_objection_blocks_the_conclusion(world):
    case = publicized(world, started=8)
    services.objection_lodge(
        actor=world.carol, case=case, content="该户有轿车", lodged_on=days_ago(7)
    )
    with pytest.raises(ApplicationError, match="未处理的异议"):
        services.publicity_conclude(case=case)


def test_a_dismissed_objection_lets_the_publicity_conclude(world):
    case = publicized(world, started=8)
    objection = services.objection_lodge(
        actor=world.alice,
        case=case,
        content="该户有轿车",
        lodged_on=days_ago(7),
        raised_by_name="村民甲",
    )
    objection = services.objection_dismiss(
        actor=world.carol, objection=objection, reason="经核实车辆已过户"
    )
    assert objection.status == "dismissed"
    assert objection.decision_reason == "经核实车辆已过户"
    assert services.publicity_conclude(case=case).state == CaseState.TOWN_REVIEWING


def test_an_upheld_objection_sends_the_case_back_for_a_new_home_check(world):
    case = publicized(world, started=8)
    objection = services.objection_lodge(
        actor=world.carol, case=case, content="家中有人为公职人员", lodged_on=days_ago(7)
    )
    services.objection_uphold(actor=world.carol, objection=objection, reason="需复核")
    case.refresh_from_db()
    assert case.state == CaseState.APPLIED
    assert case.publicities.get().outcome == Publicity.Outcome.OBJECTION_UPHELD
    assert case.history.latest().history_change_reason.startswith("异议成立")
    # the earlier records stay; a new home check can be recorded
    assert case.home_checks.count() == 1
    with pytest.raises(ValidationError) as refused:  # the 复核 comes after the objection
        verify(world, case, checked_on=days_ago(8))
    assert "异议提出日期" in str(refused.value)
    case = verify(world, case, checked_on=days_ago(7))
    assert case.home_checks.count() == 2


def test_objections_are_refused_outside_a_publicity(world):
    case = walk(world, CaseState.COMPARED)
    with pytest.raises(ConflictError):
        services.objection_lodge(actor=world.carol, case=case, content="x", lodged_on=days_ago(1))


def test_another_towns_official_cannot_lodge_or_decide(world):
    case = publicized(world, started=8)
    # another town's publicity is not posted for dave: no such case in his sight (404)
    with pytest.raises(IdentificationCase.DoesNotExist):
        services.objection_lodge(actor=world.dave, case=case, content="x", lodged_on=days_ago(7))
    objection = services.objection_lodge(
        actor=world.erin, case=case, content="x", lodged_on=days_ago(7)
    )
    with pytest.raises(PermissionDenied):
        services.objection_dismiss(actor=world.dave, objection=objection, reason="y")
    with pytest.raises(PermissionDenied):
        services.objection_dismiss(actor=world.alice, objection=objection, reason="y")


def test_a_decided_objection_cannot_be_decided_again(world):
    case = publicized(world, started=8)
    objection = services.objection_lodge(
        actor=world.carol, case=case, content="x", lodged_on=days_ago(7)
    )
    services.objection_dismiss(actor=world.carol, objection=objection, reason="不成立")
    with pytest.raises(ConflictError):
        services.objection_uphold(actor=world.carol, objection=objection, reason="成立")


def test_the_town_approval_starts_the_town_publicity(world):
    case = walk(world, CaseState.TOWN_REVIEWING, start=40)
    case = services.case_approve_town(
        actor=world.carol,
        case=case,
        meeting_on=days_ago(10),
        approved=True,
        opinion="同意",
        publicity_started_on=days_ago(10),
    )
    assert case.state == CaseState.TOWN_PUBLICIZING
    assert case.town_approvals.get().publicity.days == 7


def test_the_town_may_publicize_longer_than_the_policy_but_not_shorter(world):
    # 三(七)6: 公示时间不少于7天.
    case = walk(world, CaseState.TOWN_REVIEWING, start=40)
    approve = {
        "actor": world.carol,
        "case": case,
        "meeting_on": days_ago(10),
        "approved": True,
        "opinion": "同意",
        "publicity_started_on": days_ago(9),
    }
    with pytest.raises(ApplicationError, match="三\\(七\\)6：镇公示时间不少于7天"):
        services.case_approve_town(**approve, publicity_days=6)
    case = services.case_approve_town(**approve, publicity_days=10)
    publicity = case.town_approvals.get().publicity
    assert publicity.days == 10
    assert services.publicities_conclude_due() == 0  # 9 days run of 10: not yet
    assert services.publicities_conclude_due(today=days_ago(-1)) == 1


def test_a_town_meeting_before_the_village_publicity_ran_out_is_refused(world):
    case = walk(world, CaseState.TOWN_REVIEWING, start=40)  # village publicity from 32 days ago
    with pytest.raises(ValidationError, match="村公示期满"):
        services.case_approve_town(
            actor=world.carol,
            case=case,
            meeting_on=days_ago(27),
            approved=True,
            opinion="同意",
            publicity_started_on=days_ago(27),
        )


def test_the_town_rejects_with_its_opinion(world):
    case = walk(world, CaseState.TOWN_REVIEWING, start=40)
    case = services.case_approve_town(
        actor=world.carol, case=case, meeting_on=days_ago(10), approved=False, opinion="收入已超标"
    )
    assert case.state == CaseState.REJECTED
    assert case.closed_step == CaseState.TOWN_REVIEWING


def test_another_town_cannot_approve(world):
    case = walk(world, CaseState.TOWN_REVIEWING, start=40)
    with pytest.raises(PermissionDenied):
        services.case_approve_town(
            actor=world.dave,
            case=case,
            meeting_on=days_ago(10),
            approved=True,
            opinion="同意",
            publicity_started_on=days_ago(10),
        )


def test_the_town_publicity_is_concluded_on_day_seven_not_six(world):
    case = walk(world, CaseState.TOWN_REVIEWING, start=40)
    case = services.case_approve_town(
        actor=world.carol,
        case=case,
        meeting_on=days_ago(6),
        approved=True,
        opinion="同意",
        publicity_started_on=days_ago(6),
    )
    with pytest.raises(ApplicationError, match=r"三\(七\)6：镇公示须满7天"):
        services.publicity_conclude(case=case)
    assert services.publicity_conclude(case=case, on=days_ago(-1)).state == CaseState.COUNTY_FILING


# --- 7. 县备案 ---------------------------------------------------------------------


def file(world, case, **overrides):
    values = {
        "actor": world.erin,
        "case": case,
        "filed_on": days_ago(5),
        # The walked household is a 脱贫户: 三(一) files it as 脱贫不稳定户.
        "category": "unstable",
        "risk_types": [RiskType.objects.get(**ILLNESS)],
    }
    return services.case_file(**{**values, **overrides})


def test_filing_creates_the_monitoring_subject_and_numbers_the_announcement(world):
    case = file(world, walk(world, CaseState.COUNTY_FILING))
    assert case.state == CaseState.FILED
    subject = case.monitoring_subject
    assert subject.household == case.household
    assert subject.status == MonitoringSubject.Status.MONITORING
    assert list(subject.risk_types.values_list("code", flat=True)) == ["illness"]
    assert case.filing.announcement.label == f"〔{days_ago(5).year}〕1号"


def test_announcement_numbers_run_without_gaps_even_after_a_refused_filing(world):
    first = file(world, walk(world, CaseState.COUNTY_FILING))
    second = walk(world, CaseState.COUNTY_FILING)
    with pytest.raises(ValidationError):
        file(world, second, risk_types=[])
    with pytest.raises(ValidationError):
        file(world, second, category="nonsense")
    second = file(world, second)
    numbers = list(Announcement.objects.order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2]
    assert first.filing.announcement.number == 1
    assert second.filing.announcement.number == 2


def test_several_filings_can_share_one_announcement(world):
    first = file(world, walk(world, CaseState.COUNTY_FILING))
    second = file(
        world, walk(world, CaseState.COUNTY_FILING), announcement=first.filing.announcement
    )
    assert second.filing.announcement == first.filing.announcement
    assert Announcement.objects.count() == 1


def test_filing_is_refused_before_the_town_publicity_ran_out(world):
    case = walk(world, CaseState.COUNTY_FILING, start=40)  # town publicity from 20 days ago
    with pytest.raises(ValidationError, match="镇公示期满"):
        file(world, case, filed_on=days_ago(15))


def test_only_the_bureau_files(world):
    case = walk(world, CaseState.COUNTY_FILING)
    with pytest.raises(PermissionDenied):
        file(world, case, actor=world.carol)


def test_filing_twice_is_a_conflict(world):
    case = file(world, walk(world, CaseState.COUNTY_FILING))
    with pytest.raises(ConflictError):
        file(world, case)


# --- reject and withdraw -----------------------------------------------------------


def test_the_bureau_rejects_after_comparison_with_the_step_kept(world):
    case = walk(world, CaseState.DELIBERATED)
    case = services.case_reject(actor=world.erin, case=case, reason="家庭成员为财政供养人员")
    assert (case.state, case.closed_step) == (CaseState.REJECTED, CaseState.DELIBERATED)


def test_a_village_monitor_cannot_reject_at_the_county_step(world):
    case = walk(world, CaseState.COUNTY_FILING)
    with pytest.raises(PermissionDenied):
        services.case_reject(actor=world.alice, case=case, reason="x")


def test_only_the_town_stops_a_case_during_its_publicity(world):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING)
    with pytest.raises(PermissionDenied):
        services.case_reject(actor=world.alice, case=case, reason="x")
    case = services.case_reject(actor=world.carol, case=case, reason="经查该户已迁出")
    assert (case.state, case.closed_step) == (CaseState.REJECTED, CaseState.VILLAGE_PUBLICIZING)
    assert case.publicities.get().outcome == Publicity.Outcome.ENDED


def test_a_filed_case_cannot_be_rejected(world):
    case = walk(world, CaseState.FILED)
    with pytest.raises(ConflictError):
        services.case_reject(actor=world.erin, case=case, reason="x")


def test_a_household_withdraws_during_publicity_and_may_apply_again(world):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING)
    case = services.case_withdraw(actor=world.alice, case=case, reason="本人书面申请撤回")
    assert case.state == CaseState.WITHDRAWN
    assert case.publicities.get().outcome == Publicity.Outcome.ENDED
    again = apply(world, case.household)
    assert again.state == CaseState.APPLIED


def test_a_filed_case_cannot_be_withdrawn(world):
    case = walk(world, CaseState.FILED)
    with pytest.raises(ConflictError):
        services.case_withdraw(actor=world.alice, case=case, reason="x")


def test_a_rejection_needs_a_reason(world):
    with pytest.raises(ValidationError):
        services.case_reject(actor=world.alice, case=walk(world, CaseState.APPLIED), reason=" ")


# --- history ---------------------------------------------------------------------------


def test_every_step_leaves_a_history_row_with_who_did_it(world):
    case = walk(world, CaseState.FILED)
    rows = list(case.history.order_by("history_date", "history_id"))
    assert [(r.state, r.history_user, r.history_change_reason) for r in rows] == [
        (CaseState.APPLIED, world.alice, "户申请"),
        (CaseState.VERIFIED, world.alice, "村初核通过"),
        (CaseState.DELIBERATED, world.alice, "组评议通过"),
        (CaseState.COMPARED, world.erin, "信息比对完成"),
        (CaseState.VILLAGE_PUBLICIZING, world.alice, "村公示开始"),
        (CaseState.TOWN_REVIEWING, None, "系统：村公示期满无异议"),
        (CaseState.TOWN_PUBLICIZING, world.carol, "镇审定通过，镇公示开始"),
        (CaseState.COUNTY_FILING, None, "系统：镇公示期满无异议"),
        (CaseState.FILED, world.erin, f"县备案，公告〔{days_ago(50).year}〕1号"),
    ]
    assert case.home_checks.get().history.get().history_user == world.alice
    assert case.deliberations.get().history.get().history_user == world.alice
    assert case.filing.history.get().history_user == world.erin


def test_a_team_member_from_another_village_must_be_named_not_picked(world):
    case = apply(world, household_ready(world.a1))
    picked = [
        TeamMember(role="village_committee", user=world.alice),
        TeamMember(role="work_team", user=world.bob),
    ]
    with pytest.raises(ValidationError, match="系统用户须为本村干部"):
        verify(world, case, team=picked)
    named = [
        TeamMember(role="village_committee", user=world.alice),
        TeamMember(role="work_team", name="王某"),
    ]
    assert verify(world, case, team=named).state == CaseState.VERIFIED


def test_an_objection_dated_after_the_publicity_is_refused(world):
    case = publicized(world, started=8)  # ran from 8 days ago to 2 days ago
    with pytest.raises(ValidationError, match="公示期内"):
        services.objection_lodge(actor=world.carol, case=case, content="x", lodged_on=days_ago(1))
