"""The low-income list at phone width (390 px) in Debian's chromium: a town official filters
it and reads each household's line without the page scrolling sideways."""

import datetime

import pytest

from households.low_income import low_income_roster_apply
from households.models import LowIncomeStatus, MonitoringSubject, Status2020
from households.tests.factories import HouseholdFactory, MemberFactory, new_id_number

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_town_official_filters_the_list_on_a_phone(live_server, world, open_page):
    both = HouseholdFactory(village=world.a1, head_name="张双", status_2020=Status2020.ORDINARY)
    only = HouseholdFactory(village=world.a2, head_name="李低", status_2020=Status2020.ORDINARY)
    for found in (both, only):
        MemberFactory(household=found, name=found.head_name, relation="head",
                      id_number=new_id_number())  # fmt: skip
    MonitoringSubject.objects.create(
        household=both, category="sudden", started_on=datetime.date(2025, 6, 1)
    )
    low_income_roster_apply(
        actor=None, kind=LowIncomeStatus.Kind.DIBAO, month=datetime.date(2026, 3, 1),
        household_ids=[both.pk, only.pk], source_label="民政名册",
    )  # fmt: skip
    page = open_page(width=390, height=844)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", world.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/**")
    page.goto(f"{live_server.url}/reports/low-income/")
    assert page.locator("tbody tr").count() == 2
    page.select_option("#id_group", "both")
    page.click("text=查询")
    page.wait_for_url("**group=both**")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "在两者" in rows.first.text_content()
    assert "突发严重困难户" in rows.first.text_content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
