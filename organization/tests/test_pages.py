"""Sign-in, each role's home page, the policy thresholds and notifications in the browser."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from households.tests.factories import HouseholdFactory, MemberFactory, VisitFactory
from organization.forms import POLICY_FIELDS
from organization.models import Notification, PolicySettings
from organization.services import notify
from organization.tests.factories import policy

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]


def policy_form(**changes) -> dict:
    """Every field of the county's policy page at the policy's defaults, with ``changes``."""
    defaults = PolicySettings(year=2030)
    form = {name: getattr(defaults, name) for name in POLICY_FIELDS}
    form.update(changes)
    return form


def test_the_login_page_speaks_chinese(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "用户登录" in page and "密码" in page


def test_a_wrong_password_is_refused_in_chinese(world, client):
    response = client.post(reverse("login"), {"username": "alice", "password": "错误"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_signing_in_lands_on_the_home_page_and_signing_out_ends_the_session(world, client):
    response = client.post(
        reverse("login"), {"username": "alice", "password": world.password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("households:overview")
    client.post(reverse("logout"))
    assert client.get(reverse("households:list"))["Location"].startswith(reverse("login"))


def test_a_typed_logout_address_asks_to_confirm_and_keeps_the_session(world, client):
    client.force_login(world.alice)
    response = client.get(reverse("logout"))
    assert response.status_code == 200
    assert "确认退出登录" in response.content.decode()
    assert client.get(reverse("households:list")).status_code == 200  # still signed in
    client.post(reverse("logout"))
    assert client.get(reverse("households:list"))["Location"].startswith(reverse("login"))
    assert "您已安全退出" in client.get(reverse("logout")).content.decode()


def test_pages_need_a_signed_in_user(client, db):
    for name in ["home", "policy", "notifications", "departments", "households:list"]:
        assert client.get(reverse(name)).status_code == 302


@pytest.fixture
def registry_numbers(world):
    h1 = HouseholdFactory(village=world.a1)
    MemberFactory(household=h1)
    MemberFactory(household=h1, relation="spouse")
    VisitFactory(household=h1, visitor=world.alice, findings="家中老人住院")
    h2 = HouseholdFactory(village=world.a2)
    MemberFactory(household=h2)
    h3 = HouseholdFactory(village=world.b1)
    MemberFactory(household=h3)
    return h1


def test_a_monitor_home_shows_the_village_counts_and_recent_visits(world, registry_numbers, client):
    client.force_login(world.alice)
    response = client.get(reverse("households:overview"))
    assert response.context["counts"] == {
        "households": 1,
        "members": 2,
        "monitored": 0,
        "below_line": 0,
    }
    assert list(response.context["recent_visits"]) == list(registry_numbers.visits.all())


def households_by_area(response) -> dict[str, int]:
    dashboard = response.context["dashboard"]
    return {area.name: cells[0].value for area, _, cells in dashboard.area_rows}


def test_a_town_official_home_has_one_row_per_village_of_the_town(world, registry_numbers, client):
    client.force_login(world.carol)
    response = client.get(reverse("households:overview"))
    assert households_by_area(response) == {"甲一村": 1, "甲二村": 1}


def test_the_bureau_home_has_one_row_per_town_and_links_the_policy(world, registry_numbers, client):
    client.force_login(world.erin)
    response = client.get(reverse("households:overview"))
    assert households_by_area(response) == {"甲镇": 2, "乙镇": 1}
    assert reverse("policy") in response.content.decode()


def test_home_pages_use_a_bounded_number_of_queries(
    world, registry_numbers, client, django_assert_max_num_queries
):
    """The monitor's and the helper's homes; the dashboards' exact count is fixed in
    households/tests/test_dashboard.py."""
    for village in (world.a1, world.a2, world.b1):
        for _ in range(10):
            MemberFactory(household=HouseholdFactory(village=village))
    for user in (world.alice, world.grace):
        client.force_login(user)
        with django_assert_max_num_queries(12):
            client.get(reverse("households:overview"))


def test_department_staff_see_what_they_can_do_and_the_directory(world, client):
    client.force_login(world.frank)
    response = client.get(reverse("home"), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "按月报送预警信息" in page
    assert world.frank.department.name in page
    assert client.get(reverse("households:overview")).status_code == 403


def test_a_helper_home_lists_the_assigned_households(world, client):
    from assistance.models import HelpAssignment

    mine = HouseholdFactory(village=world.a1, head_name="结对户")
    HouseholdFactory(village=world.a1, head_name="别人家")
    HelpAssignment.objects.create(
        household=mine, helper=world.grace, started_on=datetime.date(2021, 1, 1)
    )
    client.force_login(world.grace)
    response = client.get(reverse("households:overview"))
    assert [h.head_name for h in response.context["households"]] == ["结对户"]


@pytest.mark.parametrize("who", ROLES)
def test_everyone_reads_the_current_thresholds(world, client, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("policy"))
    assert response.status_code == 200
    assert "监测收入线" in response.content.decode()


@pytest.mark.parametrize("who", ROLES)
def test_only_the_bureau_edits_the_thresholds(world, client, who):
    client.force_login(getattr(world, who))
    year = datetime.date.today().year
    url = reverse("policy_edit", args=[year])
    form = policy_form(income_line="6500")
    response = client.post(url, form)
    if who == "erin":
        assert response.status_code == 302
        assert PolicySettings.objects.get(year=year).income_line == Decimal("6500")
    else:
        assert response.status_code == 403
        assert client.get(url).status_code == 403
        assert not PolicySettings.objects.filter(year=year, income_line=Decimal("6500")).exists()


@pytest.mark.parametrize("year", [1999, 2020, 2101, 99999])
def test_a_year_outside_the_plan_has_no_thresholds_page(world, client, year):
    client.force_login(world.alice)
    assert client.get(reverse("policy_year", args=[year])).status_code == 404
    assert client.get(reverse("policy_year", args=[2021])).status_code == 200


def test_a_bad_threshold_is_shown_on_its_field(world, client):
    client.force_login(world.erin)
    response = client.post(
        reverse("policy_edit", args=[2030]),
        policy_form(quorum_numerator="4"),
    )
    assert response.context["form"].errors["quorum_numerator"] == ["到会比例不能超过1"]
    assert not PolicySettings.objects.filter(year=2030).exists()


def test_a_line_of_zero_or_less_is_refused_on_its_field_and_the_typed_value_kept(world, client):
    client.force_login(world.erin)
    values = policy_form(income_line="-6000")
    response = client.post(reverse("policy_edit", args=[2030]), values)
    assert response.status_code == 200
    assert response.context["form"].errors["income_line"] == ["监测收入线必须大于0元"]
    assert 'value="-6000"' in response.content.decode()
    assert not PolicySettings.objects.filter(year=2030).exists()


def test_a_change_to_a_row_loaded_without_history_is_not_called_its_creation(world, client):
    from organization.services import policy_settings_save

    PolicySettings.objects.bulk_create([PolicySettings(year=2032)])  # no history row
    policy_settings_save(actor=world.erin, year=2032, values={"income_line": Decimal("6600")})
    client.force_login(world.erin)
    response = client.get(reverse("policy_edit", args=[2032]))
    (only,) = response.context["history"]
    assert not only["created"] and only["unknown_before"]
    assert "此前的取值没有记录" in response.content.decode()


def test_the_demo_years_have_a_first_version_so_a_change_shows_old_and_new(world, client):
    from organization.management.demo import _seed_policy
    from organization.services import policy_settings_save

    _seed_policy(2022)
    policy_settings_save(actor=world.erin, year=2022, values={"income_line": Decimal("6100")})
    client.force_login(world.erin)
    newest = client.get(reverse("policy_edit", args=[2022])).context["history"][0]
    assert [(c.old, c.new) for c in newest["changes"]] == [("6000.00", "6100.00")]


def test_the_bureau_sees_the_years_history(world, client):
    from organization.services import policy_settings_save

    policy(year=2031)
    policy_settings_save(actor=world.erin, year=2031, values={"income_line": Decimal("6600")})
    client.force_login(world.erin)
    response = client.get(reverse("policy_edit", args=[2031]))
    newest = response.context["history"][0]
    assert newest["record"].history_user == world.erin
    assert [(c.label, c.old, c.new) for c in newest["changes"]] == [
        ("监测收入线（元/人·年）", "6000.00", "6600.00")
    ]


def test_the_header_counts_unread_notifications_and_they_can_be_marked_read(world, client):
    notify(recipients=[world.alice, world.alice], message="请核实预警信息", url="/households/")
    notify(recipients=[world.bob], message="别人的通知")
    client.force_login(world.alice)
    page = client.get(reverse("notifications")).content.decode()
    assert 'aria-label="2 条未读"' in page
    assert "请核实预警信息" in page and "别人的通知" not in page
    first = world.alice.notifications.first()
    client.post(reverse("notifications_read"), {"id": first.pk})
    assert world.alice.notifications.filter(read_at__isnull=True).count() == 1
    client.post(reverse("notifications_read"))
    assert world.alice.notifications.filter(read_at__isnull=True).count() == 0


def test_someone_elses_notification_cannot_be_marked(world, client):
    notify(recipients=[world.bob], message="别人的通知")
    client.force_login(world.alice)
    other = Notification.objects.get(recipient=world.bob)
    assert client.post(reverse("notifications_read"), {"id": other.pk}).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_the_department_directory_lists_the_sixteen(world, client):
    client.force_login(world.carol)
    response = client.get(reverse("departments"))
    assert len(response.context["departments"]) == 16
