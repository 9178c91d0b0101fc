"""三(七) through a real browser (Debian's chromium, driven by Playwright), with three users:
the village monitor applies, checks at the door, records the deliberation and starts the village
publicity; the bureau compares; the town approves; the bureau files. Dates are entered after the
fact, as paper meetings are, and the daily task concludes each publicity."""

import pytest

from households.models import MonitoringSubject, RiskType
from identification.models import CaseState, IdentificationCase
from identification.services import publicities_conclude_due

from .factories import dataset_with, days_ago, household_ready

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; restore the migrations' reference rows afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUBMIT = "main form[method=post] button.btn-primary"


@pytest.fixture
def page(open_page):
    return open_page(width=1280, height=900)


def sign_in(page, live_server, user, password):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def step(page, label):
    page.click(f".page-head__actions >> text={label}")
    page.wait_for_load_state()


def submit(page, case_url):
    page.click(SUBMIT)
    page.wait_for_url(case_url)


def test_three_users_take_a_household_from_application_to_county_filing(live_server, world, page):
    household = household_ready(world.a1, group=world.groups[world.a1.pk])
    head = household.members.get(relation="head")
    record = dataset_with(head, detail="皖F88888 二手面包车").records.get()
    illness = RiskType.objects.get(code="illness")

    # 1. 户申请 — from the household page
    sign_in(page, live_server, world.alice, world.password)
    page.goto(f"{live_server.url}/households/{household.pk}/")
    page.click("text=识别申请（户申请）")
    page.wait_for_url(f"{live_server.url}/identification/apply/{household.pk}/")
    assert "属于识别范围" in page.text_content(".rule")
    page.fill("#id_applied_on", str(days_ago(40)))
    page.fill("#id_hardship", "户主突发脑梗住院，医疗支出大")
    page.check(f"input[name=risk_types][value='{illness.pk}']")
    page.click(SUBMIT)
    page.wait_for_url(f"{live_server.url}/identification/*/")
    case = IdentificationCase.objects.get(household=household)
    case_url = f"{live_server.url}/identification/{case.pk}/"
    assert page.url == case_url
    assert "已申请" in page.text_content("h1")

    # 2. 村初核 — the rule is shown and checked before submit
    step(page, "录入村初核")
    assert "1 人，不足 2 人" in page.text_content("[data-team-count]")
    page.fill("#id_team_1_name", "驻村队员周某")
    page.select_option("#id_team_1_role", "work_team")
    assert "2 人，符合要求" in page.text_content("[data-team-count]")
    page.fill("#id_checked_on", str(days_ago(39)))
    page.check("#id_medical_burden")
    page.fill("#id_findings", "入户核实，户主住院治疗，家庭收入骤减")
    submit(page, case_url)
    assert "村初核已录入" in page.text_content(".alert-success")

    # 3. 组评议 — a meeting without quorum is refused, then the real one is recorded
    step(page, "录入组评议")
    page.fill("#id_held_on", str(days_ago(38)))
    page.fill("#id_expected", "9")
    page.fill("#id_present", "5")
    page.fill("#id_approvals", "5")
    assert "会议无效" in page.text_content("[data-quorum]")
    page.click(SUBMIT)
    assert "三(七)3：到会人数须达到应到人数的三分之二以上" in page.text_content("main")
    page.fill("#id_present", "6")
    page.fill("#id_approvals", "5")
    assert "会议有效" in page.text_content("[data-quorum]")
    submit(page, case_url)

    # 4. 信息比对 — the bureau judges the hit
    sign_in(page, live_server, world.erin, world.password)
    page.goto(case_url)
    step(page, "信息比对")
    assert "皖F88888" in page.text_content("main")
    page.fill("#id_compared_on", str(days_ago(36)))
    page.select_option(f"select[name=judgement_{record.pk}]", "no_effect")
    page.fill(f"input[name=reason_{record.pk}]", "面包车为2009年购买的二手车，价值低，不影响认定")
    submit(page, case_url)

    # 5. 村研究确定并公示 — the village sees the comparison result
    sign_in(page, live_server, world.alice, world.password)
    page.goto(case_url)
    assert "不影响认定" in page.text_content("#comparison")
    step(page, "村研究确定并公示")
    page.fill("#id_meeting_on", str(days_ago(34)))
    page.fill("#id_publicity_started_on", str(days_ago(34)))
    submit(page, case_url)
    assert "村公示中" in page.text_content("h1")

    assert publicities_conclude_due() == 1  # the daily task: 7 days ran, no objection

    # 6. 镇审定公示
    sign_in(page, live_server, world.carol, world.password)
    page.goto(f"{live_server.url}/identification/?queue=town")
    page.click(f"a[href='/identification/{case.pk}/']")
    page.wait_for_url(case_url)
    step(page, "镇审定")
    page.fill("#id_meeting_on", str(days_ago(25)))
    page.fill("#id_opinion", "经镇防贫工作领导小组会议审定，同意纳入")
    page.fill("#id_publicity_started_on", str(days_ago(25)))
    submit(page, case_url)
    assert "镇公示中" in page.text_content("h1")

    # An objection during the town publicity: it blocks the conclusion until decided
    step(page, "登记异议")
    page.fill("#id_content", "群众反映该户有经营性收入")
    page.fill("#id_lodged_on", str(days_ago(24)))
    submit(page, case_url)
    assert publicities_conclude_due() == 0
    # "结束公示" is not offered while the objection is open; the page says why.
    assert page.locator(".page-head__actions", has_text="结束公示").count() == 0
    assert "须先处理异议才能结束公示" in page.text_content("main")
    page.click("#objections a.btn-small")
    page.wait_for_load_state()
    page.check("input[name=decision][value=dismiss]")
    page.fill("#id_reason", "经核实为零星务工收入，不影响认定")
    submit(page, case_url)
    assert "经核实为零星务工收入" in page.text_content("#objections")

    assert publicities_conclude_due() == 1

    # 7. 县备案
    sign_in(page, live_server, world.erin, world.password)
    page.goto(case_url)
    step(page, "县备案")
    page.select_option("#id_category", "unstable")  # a 脱贫户 (三(一))
    assert page.is_checked(f"input[name=risk_types][value='{illness.pk}']")
    submit(page, case_url)
    assert "已备案" in page.text_content("h1")
    timeline = page.text_content("#timeline")
    for name in [
        "户申请",
        "村初核",
        "组评议",
        "信息比对",
        "村公示结束",
        "镇审定",
        "镇公示结束",
        "县备案",
    ]:
        assert name in timeline, name

    case.refresh_from_db()
    assert case.state == CaseState.FILED
    subject = MonitoringSubject.objects.get(household=household)
    assert subject.category == "unstable"
    assert case.filing.announcement.number == 1

    # the county announcement lists the household, ID masked
    page.goto(
        f"{live_server.url}/identification/notices/announcements/{case.filing.announcement.pk}/"
    )
    sheet = page.text_content(".notice-sheet")
    assert household.head_name in sheet and head.id_number not in sheet
