"""The admin gives no more than the pages: role, scope and admin rights are a superuser's to
change and never one's own, every foreign-key choice is limited to the editor's scope, saves
go through the services, and history pages stay within scope in every app."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from knox.models import AuthToken

from assistance.models import HelpAssignment
from early_warnings.models import Clue
from households.models import Household, Member
from households.tests.factories import HouseholdFactory, MemberFactory, new_id_number
from organization import services
from organization.models import Role, User
from organization.tests.factories import UserFactory


@pytest.fixture
def root(world):
    return UserFactory(username="root", role=Role.COUNTY_BUREAU, is_superuser=True, is_staff=True)


def _staff(user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)


def _form_data(client, url) -> dict:
    """The change form's current values, as the browser would post them back."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, datetime.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
        elif isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


def _user_url(user):
    return reverse("admin:organization_user_change", args=[user.pk])


def _post_user(client, user, **changes):
    url = _user_url(user)
    data = {**_form_data(client, url), **changes}
    return client.post(url, data)


# --- role, scope and admin rights ------------------------------------------------------


def test_staff_cannot_change_their_own_role(client, world):
    carol = _staff(world.carol, "view_user", "change_user")
    client.force_login(carol)
    _post_user(client, carol, role=Role.COUNTY_BUREAU, town="")
    carol.refresh_from_db()
    assert (carol.role, carol.town) == (Role.TOWN_OFFICIAL, world.town_a)


def test_staff_who_are_not_superusers_change_no_role_scope_or_admin_right(client, world):
    carol = _staff(world.carol, "view_user", "change_user")
    client.force_login(carol)
    html = client.get(_user_url(world.alice)).content.decode()
    for name in ("role", "village", "town", "department", "help_unit", "is_staff"):
        assert f'name="{name}"' not in html
    _post_user(client, world.alice, role=Role.TOWN_OFFICIAL, village=world.b1.pk, is_staff="on")
    alice = User.objects.get(pk=world.alice.pk)
    assert (alice.role, alice.village, alice.is_staff) == (
        Role.VILLAGE_MONITOR,
        world.a1,
        False,
    )


def test_staff_who_are_not_superusers_edit_only_accounts_they_manage(client, world):
    carol = _staff(world.carol, "view_user", "change_user", "add_user")
    client.force_login(carol)
    # A fellow town official, and another town's people, are not carol's to manage.
    assert client.get(_user_url(world.dave)).status_code == 302  # "not found" → list
    assert not User.objects.filter(pk=world.dave.pk, last_name="改").exists()
    # Accounts are created on the account pages, with their one-time password.
    assert client.get(reverse("admin:organization_user_add")).status_code == 403


def test_a_superuser_cannot_change_their_own_role_or_rights(client, root, world):
    client.force_login(root)
    html = client.get(_user_url(root)).content.decode()
    assert 'name="role"' not in html and 'name="is_superuser"' not in html
    _post_user(client, root, role=Role.HELPER)
    root.refresh_from_db()
    assert root.role == Role.COUNTY_BUREAU and root.is_superuser


def test_a_superuser_changes_a_scope_through_the_account_service(client, root, world):
    client.force_login(root)
    response = _post_user(client, world.alice, village=world.a2.pk)
    assert response.status_code == 302
    alice = User.objects.get(pk=world.alice.pk)
    assert alice.village == world.a2
    latest = alice.history.first()
    assert latest.history_user == root and latest.history_change_reason == "修改账号"


def test_the_admin_applies_the_account_pages_rules(client, root, world):
    client.force_login(root)
    response = _post_user(client, world.alice, phone="12345")
    assert User.objects.get(pk=world.alice.pk).phone == world.alice.phone
    shown = client.get(response.url).content.decode()
    assert services.MSG_PHONE in shown


def test_a_superuser_grants_admin_rights_and_deactivates_through_the_services(client, root, world):
    client.force_login(root)
    data = _form_data(client, _user_url(world.alice))
    data.pop("is_active")
    data["is_staff"] = "on"
    client.post(_user_url(world.alice), data)
    alice = User.objects.get(pk=world.alice.pk)
    assert alice.is_staff and not alice.is_active
    reasons = {h.history_change_reason for h in alice.history.all()}
    assert {"停用账号", "修改管理后台权限"} <= reasons


def test_a_password_set_in_the_admin_is_a_one_time_password(client, root, world):
    AuthToken.objects.create(user=world.alice)
    client.force_login(root)
    # Django's user admin names this URL so for any user model.
    url = reverse("admin:auth_user_password_change", args=[world.alice.pk])
    response = client.post(url, {"password1": "Huaibei#2024x", "password2": "Huaibei#2024x"})
    assert response.status_code == 302
    alice = User.objects.get(pk=world.alice.pk)
    assert alice.check_password("Huaibei#2024x") and alice.must_change_password
    assert not AuthToken.objects.filter(user=alice).exists()


def test_ones_own_password_is_changed_on_the_password_page(client, root, world):
    client.force_login(root)
    url = reverse("admin:auth_user_password_change", args=[root.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse("password_change")


def test_staff_who_are_not_superusers_set_no_password_in_the_admin(client, world):
    carol = _staff(world.carol, "view_user", "change_user")
    client.force_login(carol)
    url = reverse("admin:auth_user_password_change", args=[world.alice.pk])
    assert client.get(url).status_code == 403


# --- foreign-key choices ---------------------------------------------------------------


def test_a_household_form_offers_only_the_editors_villages(client, world):
    carol = _staff(world.carol, "view_household", "add_household")
    client.force_login(carol)
    form = client.get(reverse("admin:households_household_add")).context["adminform"].form
    assert set(form.fields["village"].queryset) == {world.a1, world.a2}
    groups = set(form.fields["group"].queryset)
    assert groups == {world.groups[world.a1.pk], world.groups[world.a2.pk]}


def test_a_member_cannot_be_added_to_another_scopes_household(client, world):
    other = HouseholdFactory(village=world.b1)
    carol = _staff(world.carol, "view_member", "add_member")
    client.force_login(carol)
    response = client.post(
        reverse("admin:households_member_add"),
        {
            "household": other.pk,
            "name": "外镇人",
            "id_number": new_id_number(),
            "relation": "head",
        },
    )
    assert response.status_code == 200
    assert "household" in response.context["adminform"].form.errors
    assert not Member.objects.filter(name="外镇人").exists()


def test_an_unregistered_relation_offers_nothing_to_staff(rf, world):
    from organization.admin import scoped_choices

    request = rf.get("/")
    request.user = world.carol
    field = HelpAssignment._meta.get_field("help_unit")
    saved = scoped_choices.__globals__["ADMIN_CHOICES"].pop(field.related_model)
    try:
        assert not scoped_choices(request, field, {})["queryset"].exists()
    finally:
        scoped_choices.__globals__["ADMIN_CHOICES"][field.related_model] = saved


# --- pairings and history --------------------------------------------------------------


def test_a_town_cannot_pair_a_household_in_the_admin(client, world):
    other = HouseholdFactory(village=world.b1)
    carol = _staff(world.carol, "view_helpassignment", "add_helpassignment")
    client.force_login(carol)
    url = reverse("admin:assistance_helpassignment_add")
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"household": other.pk, "helper": world.grace.pk, "started_on": "2026-01-05"}
    )
    assert response.status_code == 403
    assert not HelpAssignment.objects.filter(household=other).exists()


def test_another_towns_clue_history_is_not_shown(client, world):
    clue = Clue.objects.create(
        source=Clue.Source.OTHER,
        period="2026-05",
        name="孙八",
        id_number=new_id_number(),
        phone="13800000000",
        description="反映困难",
        town=world.town_b,
    )
    clue.name = "孙八八"
    clue.save()
    version = clue.history.first().history_id
    carol = _staff(world.carol, "view_clue")
    client.force_login(carol)
    for url in (
        reverse("admin:early_warnings_clue_history", args=[clue.pk]),
        reverse("admin:early_warnings_clue_simple_history", args=[clue.pk, version]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert clue.id_number not in response.content.decode()


def test_warnings_clues_and_sweeps_are_not_written_in_the_admin(client, world):
    erin = _staff(world.erin, "add_clue", "change_clue", "add_departmentsweep")
    client.force_login(erin)
    assert client.get(reverse("admin:early_warnings_clue_add")).status_code == 403
    assert client.get(reverse("admin:early_warnings_departmentsweep_add")).status_code == 403


def test_the_households_admin_is_still_scoped(client, world):
    HouseholdFactory(village=world.b1, head_name="乙户")
    MemberFactory(household=HouseholdFactory(village=world.a1, head_name="甲户"))
    carol = _staff(world.carol, "view_household")
    client.force_login(carol)
    html = client.get(reverse("admin:households_household_changelist")).content.decode()
    assert "甲户" in html and "乙户" not in html
    assert Household.objects.count() == 2


def test_an_account_added_in_the_admin_must_change_its_password(client, root, world):
    client.force_login(root)
    response = client.post(
        reverse("admin:organization_user_add"),
        {
            "username": "newhelper",
            "password1": "Huaibei#2024x",
            "password2": "Huaibei#2024x",
            "usable_password": "true",
            "role": Role.HELPER,
            "town": world.town_a.pk,
            "phone": "13800000001",
            "last_name": "韩",
            "first_name": "梅",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newhelper")
    assert user.must_change_password and user.check_password("Huaibei#2024x")
    assert user.history.first().history_user == root


def test_a_weak_password_typed_in_the_admin_add_form_is_refused(client, root, world):
    client.force_login(root)
    client.post(
        reverse("admin:organization_user_add"),
        {
            "username": "weak",
            "password1": "12345678",
            "password2": "12345678",
            "usable_password": "true",
            "role": Role.COUNTY_BUREAU,
            "last_name": "韩",
            "first_name": "梅",
        },
    )
    assert not User.objects.filter(username="weak").exists()
