"""The procedure of each year: 2021 Suixi (七步) or Anhui 2024 (六步), chosen per year in the
policy, kept by each case from its application; the 2024 steps through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from households.models import MonitoringSubject, RiskType
from identification import services
from identification.models import CaseState, Deliberation, Publicity, TownApproval
from identification.procedures import ANHUI_2024, PROCEDURES, SUIXI_2021
from identification.views.cases import case_actions
from organization.tests.factories import policy
from suixi_monitor.exceptions import ApplicationError, ConflictError

from .factories import days_ago, household_ready, team, walk

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def anhui_2024():
    """The years the tests' cases are applied in follow Anhui's 2024 procedure."""
    for year in range(days_ago(120).year, days_ago(0).year + 1):
        policy(year=year, identification_procedure="anhui_2024")


def scan(name="授权书.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def apply(world, household=None, **overrides):
    household = household or household_ready(world.a1, group=world.groups[world.a1.pk])
    values = {
        "actor": world.alice,
        "household": household,
        "applicant": household.members.first(),
        "applied_on": days_ago(40),
        "hardship": "突发重病",
        "risk_types": [RiskType.objects.get(code="illness")],
    }
    return services.case_apply(**{**values, **overrides})


def verify(world, case, on=38):
    return services.case_verify(
        actor=world.alice,
        case=case,
        checked_on=days_ago(on),
        team=team(world),
        findings="入户核实，户主住院",
        passed=True,
        medical_burden=True,
    )


def village_deliberation(world, case, **votes):
    values = {"held_on": days_ago(36), "expected": 9, "present": 6, "approvals": 5, **votes}
    return services.case_record_village_deliberation(actor=world.alice, case=case, **values)


def publicize(world, case, on=34):
    return services.case_publicize_village(
        actor=world.alice,
        case=case,
        meeting_on=days_ago(on),
        decision="同意纳入，予以公示",
        publicity_started_on=days_ago(on),
    )


def compare(world, case, on=30):
    return services.case_compare(
        actor=world.erin, case=case, compared_on=days_ago(on), judgements={}
    )


# --- the policy names the procedure; the case keeps it --------------------------------


def test_a_case_follows_the_procedure_of_its_application_year(world):
    assert apply(world).procedure == "suixi_2021"
    anhui_2024()
    case = apply(world, consent_given=True, consent_signed_on=days_ago(40))
    assert case.procedure == "anhui_2024"
    assert case.get_procedure_display() == "2024年安徽省识别程序（六步）"


def test_a_case_keeps_its_procedure_when_the_years_setting_changes_while_it_is_open(world):
    old = walk(world, CaseState.VERIFIED)  # opened under 2021
    anhui_2024()
    new = apply(world, consent_given=True, consent_signed_on=days_ago(40))
    for year in range(days_ago(120).year, days_ago(0).year + 1):
        policy(year=year, identification_procedure="suixi_2021")
    # The 2021 case still has its group deliberation, the 2024 case its 民主评议.
    old = services.case_record_deliberation(
        actor=world.alice,
        case=old,
        group=world.groups[world.a1.pk],
        held_on=days_ago(70),
        expected=9,
        present=6,
        approvals=5,
    )
    assert (old.procedure, old.state) == ("suixi_2021", CaseState.DELIBERATED)
    new = village_deliberation(world, verify(world, new))
    assert (new.procedure, new.state) == ("anhui_2024", CaseState.DELIBERATED)
    assert new.get_state_display() == "已评议（待村级公示）"


# --- a step the procedure does not have: 409 naming the procedure, both ways ----------


def test_the_2024_procedure_has_no_group_deliberation(world):
    anhui_2024()
    case = verify(world, apply(world, consent_given=True, consent_signed_on=days_ago(40)))
    with pytest.raises(ConflictError, match="该申请按2024年安徽省识别程序办理，没有组评议环节"):
        services.case_record_deliberation(
            actor=world.alice,
            case=case,
            group=world.groups[world.a1.pk],
            held_on=days_ago(36),
            expected=9,
            present=6,
            approvals=5,
        )
    assert not Deliberation.objects.exists()


def test_the_2021_procedure_has_no_village_deliberation_town_review_or_county_approval(world):
    case = walk(world, CaseState.VERIFIED)
    with pytest.raises(ConflictError, match="该申请按2021年濉溪县识别程序办理，没有民主评议环节"):
        village_deliberation(world, case)
    case = walk(world, CaseState.TOWN_REVIEWING)
    with pytest.raises(ConflictError, match="没有乡镇审核环节"):
        services.case_review_town(
            actor=world.carol, case=case, meeting_on=days_ago(1), approved=True, opinion="同意"
        )
    with pytest.raises(ConflictError, match="没有承诺授权环节"):
        services.case_record_consent(actor=world.alice, case=case, signed_on=days_ago(1))


def test_the_2024_procedure_has_no_town_approval_nor_filing(world):
    anhui_2024()
    case = walk(world, CaseState.TOWN_REVIEWING)
    with pytest.raises(ConflictError, match="2024年安徽省识别程序办理，没有镇审定环节"):
        services.case_approve_town(
            actor=world.carol,
            case=case,
            meeting_on=days_ago(1),
            approved=True,
            opinion="同意",
            publicity_started_on=days_ago(1),
        )
    case = services.case_review_town(
        actor=world.carol, case=case, meeting_on=days_ago(1), approved=True, opinion="同意"
    )
    with pytest.raises(ConflictError, match="没有县备案环节"):
        services.case_file(
            actor=world.erin,
            case=case,
            filed_on=days_ago(0),
            category="unstable",
            risk_types=case.risk_types.all(),
        )


# --- the 2024 procedure, step by step ---------------------------------------------------


def test_a_household_applying_itself_must_bring_its_signed_consent(world):
    anhui_2024()
    with pytest.raises(ApplicationError, match="承诺授权") as error:
        apply(world)
    assert error.value.field == "consent_given"
    case = apply(world, consent_given=True, consent_signed_on=days_ago(41), consent_form=scan())
    assert case.consent_given and case.consent_signed_on == days_ago(41)
    assert case.consent_form.name.startswith("identification/consents/")
    assert case.consent_form.read().startswith(b"%PDF")


def test_an_application_from_a_warning_records_the_consent_before_the_home_check(world):
    anhui_2024()
    case = apply(world, source="warning", source_note="医保预警")
    assert not case.consent_given
    assert [a.name for a in case_actions(case, world.alice)][:2] == ["consent", "verify"]
    with pytest.raises(ConflictError, match="须先登记农户签字的承诺授权"):
        verify(world, case)
    case = services.case_record_consent(
        actor=world.alice, case=case, signed_on=days_ago(39), form=scan("授权.png", PNG)
    )
    assert case.consent_given and case.consent_form.name.endswith(".png")
    assert case.history.first().history_change_reason == "登记承诺授权"
    assert verify(world, case).state == CaseState.VERIFIED


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("授权书.exe", b"MZ\x90\x00"),
        ("授权书.pdf", b"<html>not a pdf</html>"),  # the name says PDF, the content does not
        ("授权书.png", PDF),
        ("授权书", PDF),
    ],
)
def test_a_consent_scan_of_another_type_is_refused(world, name, content):
    anhui_2024()
    case = apply(world, source="warning")
    with pytest.raises(ApplicationError, match="JPG、PNG图片或PDF") as error:
        services.case_record_consent(
            actor=world.alice, case=case, signed_on=days_ago(39), form=scan(name, content)
        )
    assert error.value.field == "consent_form"
    case.refresh_from_db()
    assert not case.consent_given and not case.consent_form


def test_a_consent_scan_over_the_size_limit_is_refused(world, settings):
    anhui_2024()
    settings.CONSENT_FORM_MAX_BYTES = 1024
    case = apply(world, source="warning")
    with pytest.raises(ApplicationError, match="不能超过"):
        services.case_record_consent(
            actor=world.alice, case=case, signed_on=days_ago(39), form=scan(content=PDF * 100)
        )
    services.case_record_consent(
        actor=world.alice, case=case, signed_on=days_ago(39), form=scan(content=PDF)
    )


def test_the_village_deliberation_has_quorum_and_votes_as_the_policy_says(world):
    anhui_2024()
    case = verify(world, apply(world, consent_given=True, consent_signed_on=days_ago(40)))
    with pytest.raises(ApplicationError, match="三分之二"):
        village_deliberation(world, case, expected=9, present=5, approvals=5)
    case = village_deliberation(world, case, expected=6, present=4, approvals=3)
    assert case.state == CaseState.DELIBERATED
    meeting = Deliberation.objects.get()
    assert meeting.group is None and meeting.passed


def test_a_failed_village_deliberation_rejects_the_case(world):
    anhui_2024()
    case = verify(world, apply(world, consent_given=True, consent_signed_on=days_ago(40)))
    case = village_deliberation(world, case, expected=6, present=6, approvals=3)
    assert case.state == CaseState.REJECTED
    assert "民主评议未通过" in case.closed_reason


def test_the_comparison_runs_during_the_village_publicity_which_waits_for_it(world):
    anhui_2024()
    case = walk(world, CaseState.VILLAGE_PUBLICIZING, start=40)
    publicity = case.publicities.get()
    assert case.comparisons.count() == 0
    # The publicity has run its seven days, but the county has not compared yet.
    with pytest.raises(ConflictError, match="比对结果录入前不能结束村级公示"):
        services.publicity_conclude(case=case, actor=world.carol)
    assert services.publicities_conclude_due() == 0
    with pytest.raises(ValidationError, match="村级公示开始日期"):
        compare(world, case, on=40)
    moved = case.state_changed_at
    case = compare(world, case, on=30)
    assert case.state == CaseState.VILLAGE_PUBLICIZING  # the comparison keeps it there
    assert case.state_changed_at == moved
    assert case.comparisons.get().publicity == publicity
    with pytest.raises(ConflictError, match="已录入信息比对结果"):
        compare(world, case, on=29)
    assert services.publicities_conclude_due() == 1
    case.refresh_from_db()
    assert case.state == CaseState.TOWN_REVIEWING
    assert case.get_state_display() == "待乡镇审核"


def test_the_comparison_is_not_taken_before_the_village_publicity(world):
    anhui_2024()
    case = walk(world, CaseState.DELIBERATED)
    with pytest.raises(ConflictError, match="不能进行信息比对"):
        compare(world, case)


def test_the_town_review_sends_the_case_to_the_county_without_a_town_publicity(world):
    anhui_2024()
    case = walk(world, CaseState.TOWN_REVIEWING)
    case = services.case_review_town(
        actor=world.carol, case=case, meeting_on=days_ago(5), approved=True, opinion="同意"
    )
    assert case.state == CaseState.COUNTY_FILING
    assert case.get_state_display() == "待县级审定公告"
    assert not case.publicities.filter(level=Publicity.Level.TOWN).exists()
    assert TownApproval.objects.get().publicity is None


def test_a_town_review_refused_rejects_the_case(world):
    anhui_2024()
    case = walk(world, CaseState.TOWN_REVIEWING)
    case = services.case_review_town(
        actor=world.carol, case=case, meeting_on=days_ago(5), approved=False, opinion="收入达标"
    )
    assert case.state == CaseState.REJECTED
    assert case.closed_reason == "乡镇审核未通过：收入达标"


def test_the_county_approval_creates_the_subject_under_a_numbered_announcement(world):
    anhui_2024()
    case = walk(world, CaseState.COUNTY_FILING)
    review_day = case.town_approvals.get().meeting_on
    with pytest.raises(ValidationError, match="乡镇审核日期"):
        services.case_approve_county(
            actor=world.erin,
            case=case,
            approved_on=review_day - datetime.timedelta(days=1),
            category="unstable",
            risk_types=case.risk_types.all(),
        )
    case = services.case_approve_county(
        actor=world.erin,
        case=case,
        approved_on=days_ago(1),
        category="unstable",
        risk_types=case.risk_types.all(),
    )
    assert case.state == CaseState.FILED
    assert case.get_state_display() == "已审定公告"
    subject = case.monitoring_subject
    assert subject.status == MonitoringSubject.Status.MONITORING
    assert subject.announcement == case.filing.announcement.label == f"〔{days_ago(1).year}〕1号"


def test_walking_a_2024_case_takes_every_step_of_its_table(world):
    anhui_2024()
    case = walk(world, CaseState.FILED)
    reasons = [row.history_change_reason for row in case.history.order_by("history_id")]
    assert reasons == [
        "户申请",
        "入户核查通过",
        "民主评议通过",
        "村公示开始",
        "信息比对完成",
        "系统：村公示期满无异议",
        "乡镇审核通过，报县级审定",
        f"县级审定公告，公告{case.filing.announcement.label}",
    ]


# --- who takes which step (the table of the case's procedure) --------------------------


@pytest.mark.parametrize(
    ("state", "who", "steps"),
    [
        (CaseState.APPLIED, "alice", ["consent", "verify", "reject", "withdraw"]),
        (CaseState.APPLIED, "erin", []),
        (CaseState.VERIFIED, "alice", ["deliberate_village", "reject", "withdraw"]),
        (CaseState.DELIBERATED, "alice", ["publicize_village", "reject", "withdraw"]),
        (CaseState.DELIBERATED, "erin", []),
        (CaseState.VILLAGE_PUBLICIZING, "erin", ["compare", "objection_lodge", "conclude"]),
        (
            CaseState.VILLAGE_PUBLICIZING,
            "carol",
            ["objection_lodge", "conclude", "reject", "withdraw"],
        ),
        (CaseState.TOWN_REVIEWING, "carol", ["review_town", "reject", "withdraw"]),
        (CaseState.TOWN_REVIEWING, "alice", ["withdraw"]),
        (CaseState.COUNTY_FILING, "erin", ["approve_county", "reject"]),
        (CaseState.COUNTY_FILING, "carol", ["withdraw"]),
        (CaseState.COUNTY_FILING, "grace", []),
    ],
)
def test_the_2024_table_gives_each_role_its_steps(world, state, who, steps):
    anhui_2024()
    case = walk(world, state)
    assert [action.name for action in case_actions(case, getattr(world, who))] == steps


def test_the_2024_steps_refuse_a_role_the_table_does_not_name(world):
    anhui_2024()
    case = walk(world, CaseState.VERIFIED)
    with pytest.raises(PermissionDenied, match="民主评议须由村防贫监测员办理"):
        services.case_record_village_deliberation(
            actor=world.carol, case=case, held_on=days_ago(1), expected=6, present=6, approvals=6
        )
    case = walk(world, CaseState.TOWN_REVIEWING)
    with pytest.raises(PermissionDenied, match="乡镇审核须由镇（园区）干部办理"):
        services.case_review_town(
            actor=world.erin, case=case, meeting_on=days_ago(1), approved=True, opinion="同意"
        )


def test_once_compared_the_county_is_no_longer_offered_the_comparison(world):
    anhui_2024()
    case = walk(world, CaseState.VILLAGE_PUBLICIZING, start=40)
    compare(world, case)
    assert "compare" not in [a.name for a in case_actions(case, world.erin)]


# --- the tables themselves ---------------------------------------------------------------


def test_each_procedure_names_a_service_that_exists_for_every_step():
    for procedure in PROCEDURES.values():
        for row in procedure.rows:
            assert row.services, row.step.name
            for name in row.services:
                assert callable(getattr(services, name)), name


def test_each_forward_step_leads_along_the_procedures_path():
    for procedure in (SUIXI_2021, ANHUI_2024):
        for row in procedure.rows:
            if row.leads_to and row.leads_to in procedure.path:
                for state in row.states:
                    assert procedure.path.index(row.leads_to) > procedure.path.index(state)
    assert len(ANHUI_2024.path) == 7 and CaseState.COMPARED not in ANHUI_2024.path


# --- notices and the timeline speak the case's procedure --------------------------------


def test_the_notices_and_the_timeline_of_a_2024_case_use_its_wording(world):
    from identification import notices
    from identification.selectors import case_timeline

    anhui_2024()
    publicizing = walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)
    village = notices.village_notice(user=world.alice, village=world.a1)
    assert [row.head_name for row in village.rows] == [publicizing.household.head_name]
    assert "民主评议" in village.subtitle and "村民小组评议" not in village.subtitle
    filed = walk(world, CaseState.FILED)
    announcement = notices.announcement_notice(
        user=world.erin, announcement=filed.filing.announcement
    )
    assert announcement.title == "濉溪县防止返贫监测对象审定公告"
    steps = [entry.step for entry in case_timeline(filed)]
    for name in (
        "户申请",
        "入户核查",
        "民主评议",
        "信息比对",
        "村级公示",
        "乡镇审核",
        "县级审定公告",
    ):
        assert name in steps, name
    assert "组评议" not in steps and "镇审定" not in steps


def test_the_2021_announcement_keeps_its_filing_wording(world):
    from identification import notices

    filed = walk(world, CaseState.FILED)
    announcement = notices.announcement_notice(
        user=world.erin, announcement=filed.filing.announcement
    )
    assert announcement.title == "濉溪县防止返贫监测对象备案公告"
