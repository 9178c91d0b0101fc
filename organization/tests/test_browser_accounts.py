"""Accounts on a phone (390 px, Debian's chromium through Playwright): a town official creates a
helper and hands over the one-time password; the helper signs in and must change it first."""

import pytest

from organization.models import Role, User
from organization.tests.factories import HelpUnitFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_PASSWORD = "Huaibei#Suixi2025"


@pytest.fixture
def page(open_page):
    return open_page(width=390, height=844)


def _fits(page) -> bool:
    """Nothing makes the page wider than the phone (tables scroll or stack inside it)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _sign_in(page, url, username, password):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_a_town_creates_a_helper_who_must_change_the_one_time_password(live_server, world, page):
    unit = HelpUnitFactory(name="濉溪县财政局")
    url = live_server.url
    _sign_in(page, url, "carol", world.password)
    page.wait_for_url(f"{url}/households/overview/")

    page.click("[data-nav-toggle]")
    page.click("#site-nav >> text=用户管理")
    page.wait_for_url(f"{url}/users/")
    assert _fits(page)
    page.click("text=新建账号")
    page.wait_for_url(f"{url}/users/new/")
    assert _fits(page)
    page.fill("#id_last_name", "孙")
    page.fill("#id_first_name", "丽")
    page.fill("#id_username", "sunli")
    page.fill("#id_phone", "139 5610 0006")
    page.select_option("#id_role", Role.HELPER)
    page.select_option("#id_village", str(world.a2.pk))
    page.select_option("#id_help_unit", str(unit.pk))
    page.click("form.form button[type=submit]")
    page.wait_for_selector("[data-one-time-password]")
    assert _fits(page)
    password = page.text_content("[data-one-time-password]").strip()
    assert len(password) == 10
    helper = User.objects.get(username="sunli")
    assert (helper.town, helper.village, helper.phone) == (world.town_a, world.a2, "13956100006")

    page.click("[data-nav-toggle]")
    page.click(".account__logout")
    page.wait_for_url(f"{url}/login/")
    _sign_in(page, url, "sunli", password)
    page.wait_for_url(f"{url}/account/password/**")
    assert "一次性密码" in page.text_content("main")
    assert _fits(page)
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("form.form button[type=submit]")
    # Then the helper's home, 我的帮扶户.
    page.wait_for_url(f"{url}/assistance/")
    assert "密码已修改" in page.text_content(".alert-success")
    helper.refresh_from_db()
    assert not helper.must_change_password
