"""The village's pages: the list with its clock, the detail with its actions, the policy page's
new limit."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from declarations.models import Declaration, State
from households.models import Household
from households.services import income_record_save
from identification.models import CaseSource
from identification.tests.factories import household_ready

pytestmark = pytest.mark.django_db


def test_the_monitor_takes_a_registered_declarant_into_the_procedure(client, world, declare):
    household = household_ready(world.a1)
    declaration = declare(id_number=household.head.id_number)
    client.force_login(world.alice)
    page = client.get(f"/declarations/{declaration.pk}/").content.decode()
    assert "纳入识别程序" in page and "据申报登记农户" not in page
    answer = client.post(f"/declarations/{declaration.pk}/", {"do": "accept"})
    assert answer.status_code == 302
    declaration.refresh_from_db()
    assert declaration.state == State.ACCEPTED
    assert declaration.case.source == CaseSource.DECLARATION
    case_page = client.get(f"/identification/{declaration.case_id}/").content.decode()
    assert f"/declarations/{declaration.pk}/" in case_page and "自主申报" in case_page


def test_the_monitor_enters_a_strangers_household_from_the_page(client, world, declare):
    declaration = declare(village=world.a1, name="钱小芳")
    client.force_login(world.alice)
    page = client.get(f"/declarations/{declaration.pk}/").content.decode()
    assert "未在台账中登记" in page and "据申报登记农户" in page
    refused = client.post(f"/declarations/{declaration.pk}/", {"do": "household", "address": ""})
    assert refused.status_code == 200 and not Household.objects.exists()
    client.post(
        f"/declarations/{declaration.pk}/",
        {"do": "household", "address": "甲一村5号", "status_2020": "ordinary",
         "registered_in_county": "on", "long_term_resident": "on"},
    )  # fmt: skip
    household = Household.objects.get()
    assert household.head_name == "钱小芳"
    income_record_save(
        actor=world.alice,
        household=household,
        year=timezone.localdate().year - 1,
        household_size=1,
        wage_income=Decimal("2000"),
    )
    client.post(f"/declarations/{declaration.pk}/", {"do": "accept", "hardship": "独居无收入"})
    declaration.refresh_from_db()
    assert declaration.state == State.ACCEPTED and declaration.case.hardship == "独居无收入"


def test_a_refused_accept_shows_the_rule_on_the_page(client, world, declare):
    declaration = declare(village=world.a1)
    client.force_login(world.alice)
    page = client.post(f"/declarations/{declaration.pk}/", {"do": "accept"}).content.decode()
    assert "尚未在农户台账中登记" in page
    assert Declaration.objects.get().state == State.RECEIVED


def test_decline_and_check_from_the_page(client, world, declare):
    declaration = declare(village=world.a1)
    client.force_login(world.alice)
    client.post(f"/declarations/{declaration.pk}/", {"do": "check"})
    assert Declaration.objects.get().state == State.CHECKING
    missing = client.post(f"/declarations/{declaration.pk}/", {"do": "decline", "reason": "other"})
    assert "这个字段是必填项" in missing.content.decode() or "必填" in missing.content.decode()
    client.post(
        f"/declarations/{declaration.pk}/",
        {"do": "decline", "reason": "referred", "note": "已转民政临时救助"},
    )
    assert Declaration.objects.get().state == State.DECLINED


def test_an_unknown_action_or_a_reader_only_role_is_refused(client, world, declare):
    declaration = declare(village=world.a1)
    client.force_login(world.alice)
    assert client.post(f"/declarations/{declaration.pk}/", {"do": "delete"}).status_code == 403
    client.force_login(world.erin)
    assert client.post(f"/declarations/{declaration.pk}/", {"do": "check"}).status_code == 403
    assert client.get(f"/declarations/{declaration.pk}/").status_code == 200


def test_the_list_shows_the_clock_of_an_open_declaration(client, world, declare):
    late = declare(village=world.a1)
    Declaration.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    declare(village=world.a1, phone="13900000002")
    client.force_login(world.alice)
    page = client.get("/declarations/").content.decode()
    assert 'data-clock="red"' in page
    overdue = client.get("/declarations/", {"overdue": "1"}).content.decode()
    assert overdue.count('data-clock="') == 1


def test_the_policy_page_shows_the_answer_limit(client, world):
    client.force_login(world.erin)
    page = client.get("/policy/").content.decode()
    assert "自主申报答复时限（工作日）" in page


def test_the_nav_links_to_declarations_for_village_town_and_county(client, world):
    for user in (world.alice, world.carol, world.erin):
        client.force_login(user)
        assert 'href="/declarations/"' in client.get("/policy/").content.decode()
    client.force_login(world.grace)
    assert 'href="/declarations/"' not in client.get("/policy/").content.decode()
