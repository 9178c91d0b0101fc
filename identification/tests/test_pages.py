"""Pages: queues, step forms with the rule shown, 404 outside scope, notices masked and logged."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from identification import selectors, services
from identification.models import CaseState, NoticeExport
from organization.working_days import add_working_days

from .factories import dataset_with, days_ago, household_ready, walk


def login(client, user):
    client.force_login(user)
    return client


def test_the_household_page_offers_the_application(world, client):
    household = household_ready(world.a1)
    page = login(client, world.alice).get(f"/households/{household.pk}/")
    assert f"/identification/apply/{household.pk}/" in page.content.decode()


def test_a_monitor_applies_from_the_page(world, client):
    household = household_ready(world.a1)
    login(client, world.alice)
    form = client.get(f"/identification/apply/{household.pk}/")
    assert "属于识别范围" in form.content.decode()
    response = client.post(
        f"/identification/apply/{household.pk}/",
        {
            "applicant": household.members.first().pk,
            "applied_on": str(days_ago(1)),
            "hardship": "因病",
            "risk_types": [
                form.context["form"].fields["risk_types"].queryset.get(code="illness").pk
            ],
            "source": "household",
        },
    )
    assert response.status_code == 302
    case = household.identification_cases.get()
    assert response["Location"] == f"/identification/{case.pk}/"


def test_the_home_check_form_shows_the_rule_and_refuses_one_checker(world, client):
    case = walk(world, CaseState.APPLIED)
    login(client, world.alice)
    page = client.get(f"/identification/{case.pk}/verify/").content.decode()
    assert "成员不得少于 <strong>2</strong> 人" in page
    assert "4500.00" in page  # per-person income computed from the income records
    response = client.post(
        f"/identification/{case.pk}/verify/",
        {
            "checked_on": str(days_ago(70)),
            "team_0_user": world.alice.pk,
            "team_0_role": "village_committee",
            "findings": "入户核实",
            "medical_burden": "on",
            "passed": "1",
        },
    )
    assert response.status_code == 200
    assert "三(七)2：核查组成员不得少于2人（当前1人）" in response.content.decode()
    response = client.post(
        f"/identification/{case.pk}/verify/",
        {
            "checked_on": str(days_ago(70)),
            "team_0_user": world.alice.pk,
            "team_0_role": "village_committee",
            "team_1_name": "驻村队员周某",
            "team_1_role": "work_team",
            "findings": "入户核实",
            "medical_burden": "on",
            "passed": "1",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.VERIFIED


def test_the_deliberation_form_refuses_a_meeting_without_quorum(world, client):
    case = walk(world, CaseState.VERIFIED)
    login(client, world.alice)
    page = client.get(f"/identification/{case.pk}/deliberate/").content.decode()
    assert "三分之二以上" in page and "超过参会人数半数" in page
    response = client.post(
        f"/identification/{case.pk}/deliberate/",
        {
            "group": world.groups[world.a1.pk].pk,
            "held_on": str(days_ago(70)),
            "expected": 9,
            "present": 5,
            "approvals": 5,
        },
    )
    assert "三(七)3：到会人数须达到应到人数的三分之二以上" in response.content.decode()


def test_a_step_in_the_wrong_state_returns_to_the_case_with_the_message(world, client):
    case = walk(world, CaseState.VERIFIED)
    login(client, world.alice)
    response = client.post(
        f"/identification/{case.pk}/verify/",
        {
            "checked_on": str(days_ago(70)),
            "team_0_user": world.alice.pk,
            "team_0_role": "village_committee",
            "team_1_name": "周某",
            "team_1_role": "work_team",
            "findings": "x",
            "medical_burden": "on",
            "passed": "1",
        },
        follow=True,
    )
    assert "不能录入村初核" in response.content.decode()


def test_the_bureau_judges_each_hit_on_the_comparison_page(world, client):
    case = walk(world, CaseState.DELIBERATED)
    record = dataset_with(case.household.members.first()).records.get()
    login(client, world.erin)
    page = client.get(f"/identification/{case.pk}/compare/").content.decode()
    assert "皖F12345" in page and "不搞“一刀切”" in page
    response = client.post(
        f"/identification/{case.pk}/compare/",
        {
            "compared_on": str(days_ago(60)),
            f"judgement_{record.pk}": "no_effect",
            f"reason_{record.pk}": "已报废",
        },
    )
    assert response.status_code == 302
    # the result is fed back: the village sees it on the case page
    page = login(client, world.alice).get(f"/identification/{case.pk}/").content.decode()
    assert "信息比对结果" in page and "已报废" in page


def test_every_case_page_shows_its_timeline(world, client):
    case = walk(world, CaseState.FILED)
    page = login(client, world.carol).get(f"/identification/{case.pk}/").content.decode()
    for step in [
        "户申请",
        "村初核",
        "组评议",
        "信息比对",
        "村研究确定并公示",
        "村公示结束",
        "镇审定",
        "镇公示结束",
        "县备案",
    ]:
        assert step in page, step
    assert "系统" in page


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("bob", ""),
        ("bob", "verify/"),
        ("dave", ""),
        ("dave", "withdraw/"),
        ("frank", ""),
        ("grace", ""),
    ],
)
def test_another_villages_or_towns_case_is_404(world, client, who, path):
    case = walk(world, CaseState.APPLIED)
    response = login(client, getattr(world, who)).get(f"/identification/{case.pk}/{path}")
    assert response.status_code == 404


def test_the_queues_show_each_role_its_own_cases(world, client):
    mine = walk(world, CaseState.TOWN_REVIEWING)
    other = walk(world, CaseState.APPLIED, village=world.a2)
    page = login(client, world.alice).get("/identification/").content.decode()
    assert f"/identification/{mine.pk}/" in page and f"/identification/{other.pk}/" not in page
    page = login(client, world.carol).get("/identification/?queue=town").content.decode()
    assert f"/identification/{mine.pk}/" in page and f"/identification/{other.pk}/" not in page
    page = login(client, world.dave).get("/identification/").content.decode()
    assert f"/identification/{mine.pk}/" not in page


def test_overdue_cases_are_marked(world, client):
    # Applied 80 days ago and never checked: far past the home check's 2 working days.
    case = walk(world, CaseState.APPLIED)
    page = login(client, world.erin).get("/identification/?clock=red").content.decode()
    assert f"/identification/{case.pk}/" in page and "is-overdue" in page


def test_the_village_notice_masks_id_numbers_and_leaves_out_phone_and_health(world, client):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)
    household = case.household
    household.phone = "13912345678"
    household.save()
    head = household.members.get(relation="head")
    login(client, world.alice)
    page = client.get(f"/identification/notices/village/{world.a1.pk}/").content.decode()
    assert household.head_name in page
    assert head.id_number not in page
    assert head.masked_id_number in page
    assert "13912345678" not in page
    assert "户主突发重病" not in page  # the free-text hardship is not published
    assert "因病" in page
    assert NoticeExport.objects.filter(user=world.alice, file_format="html").count() == 1


def test_the_notice_xlsx_neutralises_formulas_and_is_logged(world, client):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)
    type(case.household).objects.filter(pk=case.household.pk).update(head_name="=HYPERLINK(1)")
    response = login(client, world.carol).get(
        f"/identification/notices/village/{world.a1.pk}/?format=xlsx"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "'=HYPERLINK(1)" in values
    assert not any(str(v).startswith("=") for v in values)
    head = case.household.members.get(relation="head")
    assert head.id_number not in values
    export = NoticeExport.objects.get(file_format="xlsx")
    assert (export.user, export.row_count) == (world.carol, 1)


def test_another_villages_notice_is_404(world, client):
    response = login(client, world.bob).get(f"/identification/notices/village/{world.a1.pk}/")
    assert response.status_code == 404
    response = login(client, world.dave).get(f"/identification/notices/town/{world.town_a.pk}/")
    assert response.status_code == 404


def test_the_county_announcement_lists_the_filings_with_its_number(world, client):
    case = walk(world, CaseState.FILED)
    announcement = case.filing.announcement
    page = (
        login(client, world.erin)
        .get(f"/identification/notices/announcements/{announcement.pk}/")
        .content.decode()
    )
    assert announcement.label in page
    assert case.household.head_name in page
    assert "脱贫不稳定户" in page  # the walked household is a 脱贫户 (三(一))


def test_department_staff_have_no_case_list_and_villages_no_data_sets(world, client):
    assert login(client, world.frank).get("/identification/").status_code == 302
    assert login(client, world.alice).get("/identification/datasets/").status_code == 403


def test_the_comparison_queue_shows_the_hits_per_case(world, client):
    case = walk(world, CaseState.DELIBERATED)
    dataset_with(case.household.members.first())
    walk(world, CaseState.DELIBERATED)
    response = login(client, world.erin).get("/identification/?queue=compare")
    hits = {row["case"].pk: row["hits"] for row in response.context["rows"]}
    assert hits[case.pk] == 1
    assert sorted(hits.values()) == [0, 1]


def test_the_household_page_leads_to_the_open_application_instead_of_a_new_one(world, client):
    case = walk(world, CaseState.VERIFIED)
    page = login(client, world.carol).get(f"/households/{case.household.pk}/").content.decode()
    assert f'href="/identification/{case.pk}/"' in page
    assert f"/identification/apply/{case.household.pk}/" not in page


def test_days_waiting_count_from_the_recorded_date_and_the_limit_from_the_application(world):
    # Paper meetings are entered later (三(七) dates after the fact): a home check held
    # 25 days ago and typed in today has left the case waiting 25 days; its limit runs from
    # the application, whenever the steps were typed in.
    case = walk(world, CaseState.VERIFIED, start=27)
    assert selectors.days_waiting(case) == 25
    assert case.due_on == add_working_days(case.applied_on, 20)


def test_a_recent_application_is_not_marked_overdue(world, client):
    case = walk(world, CaseState.VERIFIED, start=5)  # checked 3 days ago, 20 working days
    page = login(client, world.erin).get("/identification/?clock=red").content.decode()
    assert f"/identification/{case.pk}/" not in page


def test_the_publicity_card_counts_days_from_the_recorded_start(world, client):
    running = walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)  # started 4 days ago
    login(client, world.alice)
    page = client.get(f"/identification/{running.pk}/").content.decode()
    assert f"4 天，{days_ago(4) + timezone.timedelta(days=7):%Y-%m-%d} 起期满" in page
    ran = walk(world, CaseState.VILLAGE_PUBLICIZING, start=30)  # started 22 days ago
    page = client.get(f"/identification/{ran.pk}/").content.decode()
    assert "已满 7 天" in page and "周" not in page


def test_a_publicity_ended_early_shows_the_day_it_ended_in_the_timeline(world):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)  # runs until 2 days from now
    services.case_withdraw(actor=world.alice, case=case, reason="农户书面申请撤回")
    ended = [e for e in selectors.case_timeline(case) if e.kind == "publicity"]
    assert [e.day for e in ended] == [timezone.localdate()]


def test_the_apply_page_shows_the_refusals_of_article_3_7_1_before_submit(world, client):
    login(client, world.alice)
    fresh = household_ready(world.a1, group=world.groups[world.a1.pk])
    page = client.get(f"/identification/apply/{fresh.pk}/").content.decode()
    assert "data-refusal" not in page
    open_case = walk(world, CaseState.VERIFIED)
    page = client.get(f"/identification/apply/{open_case.household.pk}/").content.decode()
    assert "该户已有未办结的识别申请（当前环节：已初核（待组评议））" in page
    assert f"/identification/{open_case.pk}/" in page
    filed = walk(world, CaseState.FILED)
    page = client.get(f"/identification/apply/{filed.household.pk}/").content.decode()
    assert "三(七)1：该户已是监测对象" in page


def test_the_village_list_shows_its_open_objections_leading_to_the_case(world, client):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)
    objection = services.objection_lodge(
        actor=world.carol, case=case, content="群众反映该户有经营性收入", lodged_on=days_ago(3)
    )
    page = login(client, world.alice).get("/identification/").content.decode()
    assert "公示异议（待镇处理）" in page and f"/identification/{case.pk}/#objections" in page
    assert f"/identification/objections/{objection.pk}/" not in page
    page = login(client, world.bob).get("/identification/").content.decode()
    assert "群众反映该户有经营性收入" not in page
    page = login(client, world.carol).get("/identification/").content.decode()
    assert f"/identification/objections/{objection.pk}/" in page
