"""The foundation's path through a real browser (Debian's chromium, driven by Playwright):
a village monitor signs in, enters a household with two members, and finds it in the list."""

import pytest

from households.models import Household
from households.tests.factories import new_id_number

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; restore the migrations' reference rows
    # (departments, risk types) for the tests that run after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page(open_page):
    return open_page(width=390, height=844)


def test_a_monitor_adds_a_household_with_two_members_and_sees_it_listed(live_server, world, page):
    head_id, spouse_id = new_id_number(), new_id_number(male=False)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", world.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/households/overview/")
    assert "工作台" in page.text_content("h1")

    page.click("text=新增农户")
    page.wait_for_url(f"{live_server.url}/households/new/")
    # The monitor's own village is chosen for them, and its group is offered.
    assert page.input_value("#id_village") == str(world.a1.pk)
    page.select_option("#id_group", str(world.groups[world.a1.pk].pk))
    page.fill("#id_address", "甲一村东街8号")
    page.fill("#id_phone", "13955600000")
    page.select_option("#id_status_2020", "dibao")

    page.fill("#id_members-0-name", "陈志强")
    page.fill("#id_members-0-id_number", f"{head_id[:6]} {head_id[6:]}")
    assert page.input_value("#id_members-0-relation") == "head"
    page.fill("#id_members-1-name", "林秀梅")
    page.fill("#id_members-1-id_number", spouse_id.lower())
    page.select_option("#id_members-1-relation", "spouse")
    # A third row can be added and, left empty, is ignored.
    page.click("[data-add-member]")
    assert page.locator("#id_members-2-name").is_visible()

    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/households/*/")
    assert "陈志强户" in page.text_content("h1")
    assert "已新增陈志强户，共2人" in page.text_content(".alert-success")
    assert page.locator("#members tbody tr").count() == 2

    page.goto(f"{live_server.url}/households/?q=林秀梅")
    rows = page.locator("table.table--list tbody tr")
    assert rows.count() == 1
    assert "陈志强" in rows.first.text_content()
    household = Household.objects.get(head_name="陈志强")
    assert household.members.count() == 2
    assert household.village == world.a1


def test_the_bureaus_group_list_follows_the_village_it_chooses(live_server, world, page):
    """The county's page is sent no group at all; each village's come from the scoped API."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", world.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/**")
    page.goto(f"{live_server.url}/households/new/")
    group_values = "#id_group option[value]:not([value=''])"
    assert page.locator(group_values).count() == 0

    for village in (world.a2, world.b1, world.a1):
        group = world.groups[village.pk]
        page.select_option("#id_village", str(village.pk))
        page.wait_for_selector(f"#id_group option[value='{group.pk}']", state="attached")
        assert page.locator(group_values).count() == 1
    page.select_option("#id_group", str(world.groups[world.a1.pk].pk))
    # Back to no village: no group is offered.
    page.select_option("#id_village", "")
    assert page.locator(group_values).count() == 0
