"""Account pages under /users/ and one's own password page: every role against one account,
the town's limits, nobody's own role or scope, the one-time password shown once, and the
password page every other page leads to until it is spent."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organization import services
from organization.models import Role, User
from organization.tests.factories import HelpUnitFactory, UserFactory

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
MANAGERS = {"carol", "dave", "erin"}
# alice is the monitor of A1: town A's official and the county keep her account.
KEEPS_ALICE = {"carol", "erin"}
NEW_PASSWORD = "Huaibei#Suixi2025"


def _form(**fields):
    return {
        "last_name": "赵",
        "first_name": "敏",
        "username": "zhaomin",
        "phone": "13800000000",
        "email": "",
        "role": Role.VILLAGE_MONITOR,
        **fields,
    }


def _password_on(response) -> str:
    return re.search(r"data-one-time-password>([^<]+)<", response.content.decode()).group(1)


# --- every role against alice's account ----------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_the_list_is_for_the_county_and_the_towns(world, client, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("user_list"))
    assert response.status_code == (200 if who in MANAGERS else 403)
    nav = client.get(reverse("policy")).content.decode()
    assert ("用户管理" in nav) == (who in MANAGERS)
    assert "修改密码" in nav


@pytest.mark.parametrize("who", ROLES)
def test_alices_page_is_found_only_by_those_who_keep_her_account(world, client, who):
    client.force_login(getattr(world, who))
    for name in ("user_detail", "user_edit", "user_deactivate", "user_reset_password"):
        response = client.get(reverse(name, args=[world.alice.pk]))
        assert response.status_code == (200 if who in KEEPS_ALICE else 404), name


@pytest.mark.parametrize("who", ROLES)
def test_only_her_keepers_edit_deactivate_and_reset_alices_account(world, client, who):
    client.force_login(getattr(world, who))
    edit = client.post(
        reverse("user_edit", args=[world.alice.pk]),
        _form(
            username="alice",
            last_name="王",
            first_name="小丽",
            phone="13811112222",
            village=world.a1.pk,
            town=world.town_a.pk,
        ),
    )
    reset = client.post(reverse("user_reset_password", args=[world.alice.pk]))
    deactivate = client.post(
        reverse("user_deactivate", args=[world.alice.pk]), {"reason": "调离岗位"}
    )
    alice = User.objects.get(pk=world.alice.pk)
    if who in KEEPS_ALICE:
        assert edit.status_code == 302 and alice.phone == "13811112222"
        assert reset.status_code == 200 and alice.check_password(_password_on(reset))
        assert deactivate.status_code == 302 and not alice.is_active
    else:
        assert {edit.status_code, reset.status_code, deactivate.status_code} == {404}
        assert alice.is_active and alice.phone == "" and alice.check_password(world.password)


@pytest.mark.parametrize("who", ROLES)
def test_only_the_county_and_the_towns_create_accounts(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("user_create")).status_code == (200 if who in MANAGERS else 403)
    village = world.b1 if who == "dave" else world.a2
    response = client.post(reverse("user_create"), _form(village=village.pk))
    if who in MANAGERS:
        assert response.status_code == 200
        created = User.objects.get(username="zhaomin")
        assert created.village == village and created.must_change_password
        assert created.check_password(_password_on(response))
        assert created.history.get().history_user == getattr(world, who)
    else:
        assert response.status_code == 403
        assert not User.objects.filter(username="zhaomin").exists()


# --- a town's limits -----------------------------------------------------------------------


def test_a_town_lists_its_monitors_helpers_and_itself_only(world, client):
    unit = HelpUnitFactory()
    UserFactory(username="hana", role=Role.HELPER, town=world.town_a, help_unit=unit)
    UserFactory(username="ivan", role=Role.HELPER, village=world.b1, town=world.town_b)
    client.force_login(world.carol)
    page = client.get(reverse("user_list"))
    listed = {u.username for u in page.context["page"]}
    assert listed == {"alice", "bob", "carol", "hana"}
    assert "town" not in page.context["form"].fields  # all of them are town A's
    for other in ("dave", "erin", "frank", "grace", "ivan"):
        pk = User.objects.get(username=other).pk
        assert client.get(reverse("user_detail", args=[pk])).status_code == 404, other
        assert client.post(reverse("user_reset_password", args=[pk])).status_code == 404


def test_a_town_cannot_give_another_role_or_another_towns_village(world, client):
    client.force_login(world.carol)
    for fields, field in (
        ({"role": Role.TOWN_OFFICIAL, "town": world.town_a.pk}, "role"),
        ({"role": Role.COUNTY_BUREAU}, "role"),
        ({"village": world.b1.pk}, "village"),
    ):
        response = client.post(reverse("user_create"), _form(**fields))
        assert response.status_code == 200
        assert response.context["form"].errors[field], fields
    assert not User.objects.filter(username="zhaomin").exists()
    response = client.post(
        reverse("user_edit", args=[world.alice.pk]),
        _form(username="alice", role=Role.TOWN_OFFICIAL, village=world.a1.pk),
    )
    assert response.context["form"].errors["role"]
    world.alice.refresh_from_db()
    assert world.alice.role == Role.VILLAGE_MONITOR


def test_a_town_creates_a_helper_of_its_town_with_a_help_unit(world, client):
    unit = HelpUnitFactory(name="濉溪县财政局")
    client.force_login(world.carol)
    form = client.get(reverse("user_create")).context["form"]
    assert set(form.fields["role"].choices) == {
        ("", "请选择角色"),
        (Role.VILLAGE_MONITOR, "村防贫监测员"),
        (Role.HELPER, "帮扶责任人"),
    }
    assert "department" not in form.fields
    response = client.post(
        reverse("user_create"),
        _form(role=Role.HELPER, help_unit=unit.pk, village=world.a2.pk, phone="0561-1234567"),
    )
    assert response.status_code == 200
    helper = User.objects.get(username="zhaomin")
    assert (helper.town, helper.village, helper.help_unit) == (world.town_a, world.a2, unit)
    missing = client.post(
        reverse("user_create"), _form(username="qian", role=Role.HELPER, phone="")
    )
    assert missing.context["form"].errors == {"phone": [services.MSG_HELPER_PHONE]}
    # A town cadre as 帮扶联系人: no help unit, the town is the editor's.
    cadre = client.post(reverse("user_create"), _form(username="qian", role=Role.HELPER))
    assert cadre.status_code == 200
    cadre = User.objects.get(username="qian")
    assert (cadre.town, cadre.village, cadre.help_unit) == (world.town_a, None, None)


def test_form_errors_are_in_chinese(world, client):
    client.force_login(world.erin)
    response = client.post(
        reverse("user_create"),
        _form(username="Alice", last_name="", phone="123", village=world.a1.pk),
    )
    errors = response.context["form"].errors
    assert errors["last_name"] == ["请填写姓"]
    response = client.post(
        reverse("user_create"), _form(username="Alice", phone="123", village=world.a1.pk)
    )
    errors = response.context["form"].errors
    assert errors["username"] == ["用户名“Alice”已被使用，请换一个"]
    assert errors["phone"] == [services.MSG_PHONE]


# --- one's own account ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["carol", "erin"])
def test_an_editor_sees_their_own_account_but_cannot_change_its_role_scope_or_state(
    world, client, who
):
    me = getattr(world, who)
    client.force_login(me)
    page = client.get(reverse("user_detail", args=[me.pk]))
    assert page.status_code == 200
    assert page.context["actions"] == {
        "edit": True,
        "edit_scope": False,
        "deactivate": False,
        "reactivate": False,
        "reset_password": False,
    }
    form = client.get(reverse("user_edit", args=[me.pk])).context["form"]
    assert all(form.fields[name].disabled for name in ("role", "town", "village", "help_unit"))
    # A tampered form changes the name only: disabled fields keep the stored values.
    response = client.post(
        reverse("user_edit", args=[me.pk]),
        _form(
            username=me.username, first_name="新名", role=Role.COUNTY_BUREAU, town=world.town_b.pk
        ),
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert (me.first_name, me.role) == (
        "新名",
        Role.TOWN_OFFICIAL if who == "carol" else Role.COUNTY_BUREAU,
    )
    assert me.town == (world.town_a if who == "carol" else None)
    # Typed addresses of the buttons the page does not show.
    for name in ("user_deactivate", "user_reset_password"):
        response = client.get(reverse(name, args=[me.pk]))
        assert response.status_code == 302
    client.post(reverse("user_deactivate", args=[me.pk]))
    client.post(reverse("user_reset_password", args=[me.pk]))
    me.refresh_from_db()
    assert me.is_active and me.check_password(world.password) and not me.must_change_password


def test_an_administrator_account_is_read_only_for_the_bureau(world, client):
    root = UserFactory(username="root", role=Role.COUNTY_BUREAU, is_staff=True, is_superuser=True)
    client.force_login(world.erin)
    page = client.get(reverse("user_detail", args=[root.pk]))
    assert page.status_code == 200 and not any(page.context["actions"].values())
    assert client.get(reverse("user_edit", args=[root.pk])).status_code == 403
    assert client.post(reverse("user_reset_password", args=[root.pk])).status_code == 403
    root.refresh_from_db()
    assert root.check_password(world.password)


# --- deactivate, reactivate, history ---------------------------------------------------------


def test_deactivate_asks_first_then_keeps_the_account_which_can_be_reactivated(world, client):
    client.force_login(world.carol)
    url = reverse("user_deactivate", args=[world.bob.pk])
    page = client.get(url)
    assert "确认停用" in page.content.decode()
    world.bob.refresh_from_db()
    assert world.bob.is_active  # a GET changes nothing
    response = client.post(url, {"reason": "调离岗位"}, follow=True)
    assert "已停用" in response.content.decode()
    assert User.objects.filter(pk=world.bob.pk, is_active=False).exists()
    assert client.get(url).status_code == 302  # already deactivated: back to the page
    assert (
        "确认启用" in client.get(reverse("user_reactivate", args=[world.bob.pk])).content.decode()
    )
    client.post(reverse("user_reactivate", args=[world.bob.pk]))
    assert User.objects.get(pk=world.bob.pk).is_active
    detail = client.get(reverse("user_detail", args=[world.bob.pk])).content.decode()
    assert "停用账号：调离岗位" in detail and "启用账号" in detail


def test_the_detail_page_shows_who_changed_the_role_and_scope(world, client):
    services.user_update(actor=world.carol, user=world.alice, village=world.a2)
    client.force_login(world.erin)
    page = client.get(reverse("user_detail", args=[world.alice.pk])).content.decode()
    assert "甲镇甲一村" in page and "甲镇甲二村" in page
    assert str(world.carol) in page


def test_no_page_deletes_an_account(world, client):
    client.force_login(world.erin)
    assert "删除" not in client.get(reverse("user_detail", args=[world.alice.pk])).content.decode()
    assert client.post(f"/users/{world.alice.pk}/delete/").status_code == 404


# --- the one-time password ---------------------------------------------------------------------


def test_the_one_time_password_is_shown_once_and_kept_nowhere(world, client):
    client.force_login(world.carol)
    response = client.post(reverse("user_reset_password", args=[world.alice.pk]))
    password = _password_on(response)
    assert "当面" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # Not in a URL, a message, the session, a cookie, the history or the stored hash.
    assert password not in response.get("Location", "")
    assert password not in str(dict(client.session.items()))
    assert all(password not in morsel.value for morsel in client.cookies.values())
    detail = client.get(reverse("user_detail", args=[world.alice.pk])).content.decode()
    assert password not in detail
    world.alice.refresh_from_db()
    assert password not in world.alice.password
    assert all(password not in (r.history_change_reason or "") for r in world.alice.history.all())


def test_a_new_account_signs_in_with_its_one_time_password_and_must_change_it(world, client):
    client.force_login(world.erin)
    created = client.post(reverse("user_create"), _form(village=world.a1.pk))
    password = _password_on(created)
    client.post(reverse("logout"))

    response = client.post(reverse("login"), {"username": "zhaomin", "password": password})
    assert response.status_code == 302
    landing = client.get(response["Location"])
    assert landing.status_code == 302
    assert landing["Location"].startswith(reverse("password_change"))
    # Every page leads there, but signing out, static files and the API do not.
    assert client.get(reverse("households:list"))["Location"].startswith(reverse("password_change"))
    assert client.get(reverse("households:list"))["Location"].endswith("?next=%2Fhouseholds%2F")
    assert client.get("/api/villages/").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200
    page = client.get(reverse("password_change") + "?next=/households/")
    assert page.status_code == 200 and "一次性密码" in page.content.decode()

    same = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": password, "new_password2": password},
    )
    assert same.context["form"].errors["new_password2"] == [services.MSG_SAME_PASSWORD]
    done = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "next": "/households/",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/households/"
    user = User.objects.get(username="zhaomin")
    assert not user.must_change_password
    assert client.get(reverse("households:list")).status_code == 200  # still signed in
    client.post(reverse("logout"))
    assert not client.login(username="zhaomin", password=password)
    assert client.login(username="zhaomin", password=NEW_PASSWORD)


def test_the_password_page_ignores_a_next_address_on_another_site(world, client):
    client.force_login(world.alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": world.password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "next": "https://example.com/",
        },
    )
    assert response["Location"] == reverse("home")


def test_the_password_page_needs_the_old_password_in_chinese(world, client):
    client.force_login(world.alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": "错误", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "旧密码不正确" in response.content.decode() or "原密码" in response.content.decode()
    assert response.context["form"].errors["old_password"]


def test_signing_out_works_while_the_password_is_pending(world, client):
    services.user_reset_password(actor=world.carol, user=world.alice)
    client.force_login(User.objects.get(pk=world.alice.pk))
    assert client.get(reverse("logout")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("households:list"))["Location"].startswith(reverse("login"))


# --- queries -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_takes_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    unit = HelpUnitFactory()
    client.force_login(world.erin)
    url = reverse("user_list")
    few = _queries(client, url)
    for _ in range(40):
        UserFactory(role=Role.HELPER, help_unit=unit, village=world.a1, town=world.town_a)
        UserFactory(role=Role.VILLAGE_MONITOR, village=world.b1, town=world.town_b)
    with django_assert_max_num_queries(8):
        client.get(url)
    assert _queries(client, url) == few
    assert _queries(client, url + "?q=王&active=1&role=helper") <= few + 1
