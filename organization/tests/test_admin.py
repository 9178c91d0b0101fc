"""The organisation admin: users with role and scope, thresholds saved through the service,
reference data scoped for staff who are not superusers."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from households.models import Household
from households.tests.factories import HouseholdFactory
from organization.models import PolicySettings, Role, User, Village
from organization.tests.factories import UserFactory


@pytest.fixture
def root(world):
    return UserFactory(username="root", role=Role.COUNTY_BUREAU, is_superuser=True, is_staff=True)


def _staff(user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_the_user_page_shows_role_and_scope(client, root, world):
    client.force_login(root)
    html = client.get(reverse("admin:organization_user_change", args=[world.alice.pk])).content
    html = html.decode()
    for label in ["角色", "所在村", "所在镇（园区）", "所在部门", "帮扶单位"]:
        assert label in html
    listing = client.get(reverse("admin:organization_user_changelist")).content.decode()
    assert "村防贫监测员" in listing and "甲镇甲一村" in listing


def test_a_monitor_account_needs_a_village(client, root, world):
    client.force_login(root)
    response = client.post(
        reverse("admin:organization_user_add"),
        {
            "username": "newmonitor",
            "password1": "Suixi@2021x",
            "password2": "Suixi@2021x",
            "usable_password": "true",
            "role": Role.VILLAGE_MONITOR,
            "last_name": "韩",
            "first_name": "梅",
        },
    )
    assert response.status_code == 200
    assert "村防贫监测员必须指定所在村" in response.content.decode()
    assert not User.objects.filter(username="newmonitor").exists()


def test_a_monitor_account_takes_its_town_from_the_village(client, root, world):
    client.force_login(root)
    response = client.post(
        reverse("admin:organization_user_add"),
        {
            "username": "newmonitor",
            "password1": "Suixi@2021x",
            "password2": "Suixi@2021x",
            "usable_password": "true",
            "role": Role.VILLAGE_MONITOR,
            "village": world.b1.pk,
            "last_name": "韩",
            "first_name": "梅",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="newmonitor").town == world.town_b


def test_staff_cannot_grant_themselves_superuser_rights(client, world):
    erin = _staff(world.erin, "view_user", "change_user")
    client.force_login(erin)
    html = client.get(reverse("admin:organization_user_change", args=[erin.pk])).content.decode()
    assert 'name="is_superuser"' not in html


def test_a_town_official_on_staff_sees_only_the_towns_villages_and_colleagues(client, world):
    carol = _staff(world.carol, "view_village", "view_user")
    client.force_login(carol)
    villages = client.get(reverse("admin:organization_village_changelist")).content.decode()
    assert "甲一村" in villages and "乙一村" not in villages
    other = reverse("admin:organization_village_history", args=[world.b1.pk])
    assert client.get(other).status_code == 404
    users = client.get(reverse("admin:organization_user_changelist")).content.decode()
    assert "alice" in users and "dave" not in users
    assert Village.objects.count() == 3


def test_thresholds_saved_in_the_admin_go_through_the_service(client, root, world):
    household = HouseholdFactory(village=world.a1)
    Household.objects.filter(pk=household.pk).update(
        latest_income_year=2022, latest_per_capita_income=Decimal("6500")
    )
    client.force_login(root)
    fields = {
        "year": 2022,
        "income_line": "7000",
        "minimum_living_standard": "641",
        "home_check_team_min": 2,
        "quorum_numerator": 2,
        "quorum_denominator": 3,
        "pass_numerator": 1,
        "pass_denominator": 2,
        "identification_procedure": "anhui_2024",
        "village_publicity_days": 7,
        "town_publicity_days": 7,
        "home_check_working_days": 2,
        "identification_working_days": 20,
        "clock_warn_working_days": 3,
        "warning_due_day": 10,
        "warning_push_day": 15,
        "warning_reminder_days": 3,
        "warning_verify_days": 7,
        "wrong_exit_limit": "2.00",
        "exit_round_first_month": 6,
        "exit_round_second_month": 12,
        "exit_round_open_days": 30,
        "exit_publicity_days": 7,
        "exit_visit_within_days": 30,
        "spot_check_percent": 10,
        "spot_check_min": 3,
    }
    response = client.post(reverse("admin:organization_policysettings_add"), fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    policy = PolicySettings.objects.get(year=2022)
    assert policy.history.get().history_user == root
    assert policy.identification_procedure == "anhui_2024"
    # policy_settings_save re-judged the household against the new line.
    assert Household.objects.get(pk=household.pk).below_income_line is True


def test_thresholds_that_contradict_each_other_are_refused_in_the_form(client, root, world):
    client.force_login(root)
    response = client.post(
        reverse("admin:organization_policysettings_add"),
        {"year": 2022, "warning_due_day": 15, "warning_push_day": 12},
    )
    assert response.status_code == 200
    assert not PolicySettings.objects.exists()
