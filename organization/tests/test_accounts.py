"""Accounts (二; 三(三), 三(八)1 for helpers): whose accounts each role manages, what an editor
may assign, nobody's own role or scope, never a delete, and the one-time password.

Pages and API have their own files (test_account_pages.py, test_account_api.py); this one
holds the rules, through the selector and the services."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import PermissionDenied, ValidationError
from knox.models import AuthToken

from organization import services
from organization.models import Role, User
from organization.selectors import (
    UserFilters,
    account_actions,
    account_choices,
    managed_user_list,
    user_history,
)
from organization.tests.factories import HelpUnitFactory, UserFactory, department
from suixi_monitor.exceptions import ApplicationError, ConflictError
from suixi_monitor.history import Change

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]


@pytest.fixture
def accounts(world):
    """Besides the world: helpers at town A and in village B1, and a monitor of B1."""
    unit = HelpUnitFactory(name="濉溪县财政局")
    return SimpleNamespace(
        unit=unit,
        hana=UserFactory(
            username="hana",
            role=Role.HELPER,
            town=world.town_a,
            help_unit=unit,
            phone="13900000001",
        ),
        ivan=UserFactory(
            username="ivan",
            role=Role.HELPER,
            village=world.b1,
            town=world.town_b,
            help_unit=unit,
            phone="13900000002",
        ),
        bea=UserFactory(
            username="bea", role=Role.VILLAGE_MONITOR, village=world.b1, town=world.town_b
        ),
    )


def _names(qs) -> set[str]:
    return set(qs.values_list("username", flat=True))


EVERYONE = {*ROLES, "hana", "ivan", "bea"}
MANAGED = {
    "carol": {"alice", "bob", "hana", "carol"},
    "dave": {"bea", "ivan", "dave"},
    "erin": EVERYONE,
}


@pytest.mark.parametrize("who", ROLES)
def test_managed_user_list_is_the_county_for_the_bureau_the_town_for_a_town_none_else(
    world, accounts, who
):
    assert _names(managed_user_list(user=getattr(world, who))) == MANAGED.get(who, set())


def test_a_deactivated_account_stays_in_the_list_and_a_deactivated_editor_manages_none(
    world, accounts
):
    services.user_deactivate(actor=world.carol, user=world.bob)
    assert "bob" in _names(managed_user_list(user=world.carol))
    world.carol.is_active = False
    assert not managed_user_list(user=world.carol).exists()


def test_the_list_filters_by_name_username_phone_role_town_and_state(world, accounts):
    erin = world.erin
    assert _names(managed_user_list(user=erin, filters=UserFilters(q="王测"))) >= {"alice"}
    assert _names(managed_user_list(user=erin, filters=UserFilters(q="HAN"))) == {"hana"}
    assert _names(managed_user_list(user=erin, filters=UserFilters(q="0000002"))) == {"ivan"}
    by_town = managed_user_list(user=erin, filters=UserFilters(town=world.town_b.pk))
    assert _names(by_town) == {"dave", "bea", "ivan"}
    helpers = managed_user_list(user=erin, filters=UserFilters(role=Role.HELPER))
    assert _names(helpers) == {"grace", "hana", "ivan"}
    services.user_deactivate(actor=erin, user=world.bob)
    inactive = managed_user_list(user=erin, filters=UserFilters(active=False))
    assert _names(inactive) == {"bob"}


def test_a_town_assigns_only_monitor_and_helper_roles_and_its_own_places(world):
    town = account_choices(user=world.carol)
    assert set(town.roles) == {Role.VILLAGE_MONITOR, Role.HELPER}
    assert set(town.villages) == {world.a1, world.a2}
    assert list(town.towns) == [world.town_a]
    assert not town.departments.exists()
    county = account_choices(user=world.erin)
    assert set(county.roles) == set(Role.values)
    assert set(county.villages) == {world.a1, world.a2, world.b1}
    for who in ("alice", "frank", "grace"):
        assert account_choices(user=getattr(world, who)).roles == ()


# --- create ----------------------------------------------------------------------------------


def _new(**fields):
    return {
        "username": "zhaomin",
        "last_name": "赵",
        "first_name": "敏",
        "phone": "13800000000",
        **fields,
    }


def test_a_town_creates_a_monitor_of_its_village_with_a_one_time_password(world):
    user, password = services.user_create(
        actor=world.carol, **_new(role=Role.VILLAGE_MONITOR, village=world.a2)
    )
    user.refresh_from_db()
    assert (user.role, user.village, user.town) == (Role.VILLAGE_MONITOR, world.a2, world.town_a)
    assert user.must_change_password and user.is_active and not user.is_staff
    # 10 readable characters, stored only as a hash, good for signing in.
    assert len(password) == 10 and not set(password) & set("0Oo1lIi")
    assert user.password != password and identify_hasher(user.password)
    assert password not in user.password
    assert user.check_password(password)
    record = user.history.get()
    assert (record.history_user, record.history_change_reason) == (world.carol, "新建账号")
    assert not hasattr(record, "password")


def test_one_time_passwords_differ_and_mix_letters_and_digits():
    seen = {services.one_time_password() for _ in range(200)}
    assert len(seen) == 200
    for password in seen:
        assert any(c.isdigit() for c in password) and any(c.isupper() for c in password)


def test_a_helper_made_by_a_town_belongs_to_that_town(world):
    unit = HelpUnitFactory()
    helper, _ = services.user_create(
        actor=world.carol, **_new(role=Role.HELPER, help_unit=unit, town=world.town_b)
    )
    assert helper.town == world.town_a  # forced to the editor's town
    other, _ = services.user_create(
        actor=world.carol,
        **_new(username="qian", role=Role.HELPER, help_unit=unit, village=world.a2),
    )
    assert (other.town, other.village) == (world.town_a, world.a2)
    assert {"zhaomin", "qian"} <= _names(managed_user_list(user=world.carol))


def test_a_helper_carries_a_phone_and_a_help_unit_or_a_cadres_town(world):
    with pytest.raises(ValidationError) as caught:
        services.user_create(actor=world.erin, **_new(role=Role.HELPER, phone=""))
    assert caught.value.message_dict == {
        "phone": [services.MSG_HELPER_PHONE],
        "help_unit": [services.MSG_HELPER_UNIT],
    }
    # Town and village cadres who are 帮扶联系人 (三(八)1) belong to their town, not a unit.
    town_cadre, _ = services.user_create(
        actor=world.erin, **_new(role=Role.HELPER, town=world.town_b)
    )
    village_cadre, _ = services.user_create(
        actor=world.erin, **_new(username="qian", role=Role.HELPER, village=world.a1)
    )
    assert (town_cadre.town, town_cadre.help_unit) == (world.town_b, None)
    assert (village_cadre.town, village_cadre.village) == (world.town_a, world.a1)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"role": Role.TOWN_OFFICIAL}, "role", services.MSG_ROLE_OUT_OF_SCOPE),
        ({"role": Role.COUNTY_BUREAU}, "role", services.MSG_ROLE_OUT_OF_SCOPE),
        ({"role": Role.DEPARTMENT_STAFF}, "role", services.MSG_ROLE_OUT_OF_SCOPE),
        ({"role": Role.VILLAGE_MONITOR, "village": "b1"}, "village", "只能选择本镇（园区）的村"),
        ({"role": Role.HELPER, "village": "b1"}, "village", "只能选择本镇（园区）的村"),
    ],
    ids=["town-official", "county", "department", "monitor-in-b1", "helper-in-b1"],
)
def test_a_town_cannot_give_another_role_or_another_towns_village(world, fields, field, message):
    if fields.get("village") == "b1":
        fields = {**fields, "village": world.b1}
    if fields["role"] == Role.HELPER:
        fields["help_unit"] = HelpUnitFactory()
    with pytest.raises(ValidationError) as caught:
        services.user_create(actor=world.carol, **_new(**fields))
    assert message in caught.value.message_dict[field]
    assert not User.objects.filter(username="zhaomin").exists()


def test_the_county_gives_any_role_and_scope(world):
    staff, _ = services.user_create(
        actor=world.erin, **_new(role=Role.DEPARTMENT_STAFF, department=department("weijian"))
    )
    official, _ = services.user_create(
        actor=world.erin, **_new(username="qian", role=Role.TOWN_OFFICIAL, town=world.town_b)
    )
    assert staff.department.code == "weijian" and official.town == world.town_b


def test_a_helpers_village_must_lie_in_their_town(world):
    with pytest.raises(ValidationError) as caught:
        services.user_create(
            actor=world.erin,
            **_new(
                role=Role.HELPER, help_unit=HelpUnitFactory(), town=world.town_a, village=world.b1
            ),
        )
    assert caught.value.message_dict == {"village": [services.MSG_VILLAGE_NOT_IN_TOWN]}


@pytest.mark.parametrize("who", ["alice", "bob", "frank", "grace"])
def test_roles_that_manage_nobody_create_nothing(world, who):
    with pytest.raises(PermissionDenied):
        services.user_create(actor=getattr(world, who), **_new(role=Role.HELPER))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"username": "ALICE"}, "username", "用户名“ALICE”已被使用，请换一个"),
        ({"username": "  "}, "username", services.MSG_USERNAME_REQUIRED),
        ({"last_name": ""}, "last_name", services.MSG_LAST_NAME),
        ({"first_name": "敏2"}, "first_name", services.MSG_NAME_CHARS),
        ({"phone": "12345"}, "phone", services.MSG_PHONE),
        ({"phone": "0561-123"}, "phone", services.MSG_PHONE),
    ],
    ids=["taken", "blank-username", "no-family-name", "digit-in-name", "short", "landline"],
)
def test_names_usernames_and_phones_are_checked_in_chinese(world, fields, field, message):
    with pytest.raises(ValidationError) as caught:
        services.user_create(actor=world.erin, **_new(role=Role.COUNTY_BUREAU, **fields))
    assert caught.value.message_dict[field] == [message]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("138 0000 0000", "13800000000"),
        ("138-0000-0000", "13800000000"),
        ("１３８００００００００", "13800000000"),
        ("0561-1234567", "0561-1234567"),
        ("05613012345", "05613012345"),
        ("0561-3012345-8001", "0561-3012345-8001"),
    ],
)
def test_phones_are_tidied(world, typed, kept):
    user, _ = services.user_create(actor=world.erin, **_new(role=Role.COUNTY_BUREAU, phone=typed))
    assert user.phone == kept


def test_names_are_tidied_family_name_first(world):
    user, _ = services.user_create(
        actor=world.erin,
        **_new(role=Role.COUNTY_BUREAU, last_name=" 欧阳 ", first_name="买买提•艾力"),
    )
    assert (user.last_name, user.first_name) == ("欧阳", "买买提·艾力")
    assert user.get_full_name() == "欧阳买买提·艾力"


# --- update --------------------------------------------------------------------------------


def test_a_role_change_clears_the_scope_the_new_role_does_not_carry(world):
    unit = HelpUnitFactory()
    user = services.user_update(
        actor=world.erin, user=world.alice, role=Role.HELPER, help_unit=unit, phone="13900000009"
    )
    assert (user.role, user.village, user.town, user.help_unit) == (
        Role.HELPER,
        world.a1,
        world.town_a,
        unit,
    )
    user = services.user_update(actor=world.erin, user=user, role=Role.COUNTY_BUREAU)
    assert (user.village, user.town, user.help_unit) == (None, None, None)
    versions = user.history.order_by("-history_id")
    assert versions[0].history_user == world.erin and versions[0].role == Role.COUNTY_BUREAU


def test_a_town_moves_its_monitor_only_within_its_town(world):
    moved = services.user_update(actor=world.carol, user=world.alice, village=world.a2)
    assert moved.village == world.a2
    with pytest.raises(ValidationError):
        services.user_update(actor=world.carol, user=world.alice, village=world.b1)
    with pytest.raises(ValidationError):
        services.user_update(actor=world.carol, user=world.alice, role=Role.TOWN_OFFICIAL)
    world.alice.refresh_from_db()
    assert (world.alice.role, world.alice.village) == (Role.VILLAGE_MONITOR, world.a2)


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("carol", "dave"),
        ("carol", "erin"),
        ("carol", "frank"),
        ("carol", "grace"),
        ("carol", "bea"),
        ("carol", "ivan"),
        ("dave", "alice"),
        ("alice", "bob"),
        ("frank", "alice"),
        ("grace", "alice"),
    ],
)
def test_nobody_writes_an_account_outside_their_scope(world, accounts, actor, target):
    actor = getattr(world, actor)
    target = getattr(world, target, None) or getattr(accounts, target)
    calls = [
        lambda: services.user_update(actor=actor, user=target, phone="13800000000"),
        lambda: services.user_deactivate(actor=actor, user=target),
        lambda: services.user_reactivate(actor=actor, user=target),
        lambda: services.user_reset_password(actor=actor, user=target),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    target.refresh_from_db()
    assert target.is_active and not target.must_change_password


@pytest.mark.parametrize("who", ["carol", "erin"])
def test_nobody_changes_their_own_role_scope_or_active_flag(world, who):
    me = getattr(world, who)
    for fields in (
        {"role": Role.COUNTY_BUREAU if who == "carol" else Role.TOWN_OFFICIAL},
        {"town": world.town_b},
        {"village": world.a1},
        {"department": department()},
        {"help_unit": HelpUnitFactory()},
    ):
        with pytest.raises(ApplicationError) as caught:
            services.user_update(actor=me, user=me, **fields)
        assert caught.value.message == services.MSG_OWN_SCOPE
    with pytest.raises(ApplicationError):
        services.user_deactivate(actor=me, user=me)
    with pytest.raises(ApplicationError):
        services.user_reset_password(actor=me, user=me)
    # Names and phone are theirs to keep up; the unchanged role and scope may be sent along.
    saved = services.user_update(
        actor=me, user=me, first_name="新名", phone="13700000000", role=me.role, town=me.town
    )
    assert (saved.first_name, saved.role, saved.town_id) == ("新名", me.role, me.town_id)
    me.refresh_from_db()
    assert me.is_active


def test_an_administrator_account_is_changed_only_by_an_administrator_as_strong(world):
    root = UserFactory(username="root", role=Role.COUNTY_BUREAU, is_staff=True, is_superuser=True)
    assert root in managed_user_list(user=world.erin)
    assert account_actions(user=world.erin, target=root) == dict.fromkeys(
        ["edit", "edit_scope", "deactivate", "reactivate", "reset_password"], False
    )
    for call in (
        lambda: services.user_reset_password(actor=world.erin, user=root),
        lambda: services.user_deactivate(actor=world.erin, user=root),
        lambda: services.user_update(actor=world.erin, user=root, phone="13800000000"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    boss = UserFactory(username="boss", role=Role.COUNTY_BUREAU, is_staff=True, is_superuser=True)
    assert services.user_reset_password(actor=boss, user=root)


# --- deactivate, reactivate, reset ---------------------------------------------------------


def test_deactivating_keeps_the_account_and_its_reason_and_it_can_come_back(world, client):
    services.user_deactivate(actor=world.carol, user=world.alice, reason="调离岗位")
    world.alice.refresh_from_db()
    assert not world.alice.is_active
    assert world.alice.history.first().history_change_reason == "停用账号：调离岗位"
    assert not client.login(username="alice", password=world.password)
    with pytest.raises(ConflictError):
        services.user_deactivate(actor=world.carol, user=world.alice)
    services.user_reactivate(actor=world.carol, user=world.alice)
    assert client.login(username="alice", password=world.password)
    with pytest.raises(ConflictError):
        services.user_reactivate(actor=world.carol, user=world.alice)


def test_a_deactivation_reason_is_short(world):
    with pytest.raises(ValidationError):
        services.user_deactivate(actor=world.erin, user=world.alice, reason="很" * 81)


def test_no_service_deletes_an_account():
    assert not [name for name in dir(services) if name.startswith("user_") and "delete" in name]


def test_a_reset_password_replaces_the_old_one_and_ends_the_api_token(world, client):
    token, _ = AuthToken.objects.create(user=world.alice)
    password = services.user_reset_password(actor=world.carol, user=world.alice)
    world.alice.refresh_from_db()
    assert world.alice.must_change_password
    assert not world.alice.check_password(world.password)
    assert world.alice.check_password(password) and password not in world.alice.password
    assert not AuthToken.objects.filter(pk=token.pk).exists()
    assert world.alice.history.first().history_change_reason == "重置密码"
    assert client.login(username="alice", password=password)


def test_ones_own_password_clears_the_flag_and_must_differ(world):
    password = services.user_reset_password(actor=world.erin, user=world.carol)
    world.carol.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.user_change_own_password(actor=world.carol, password=password)
    assert caught.value.message_dict == {"password": [services.MSG_SAME_PASSWORD]}
    with pytest.raises(ValidationError):
        services.user_change_own_password(actor=world.carol, password="12345678")
    services.user_change_own_password(actor=world.carol, password="Huaibei#Suixi2025")
    world.carol.refresh_from_db()
    assert not world.carol.must_change_password
    assert world.carol.check_password("Huaibei#Suixi2025")
    assert world.carol.history.first().history_user == world.carol


def test_the_history_names_each_change_of_role_and_scope(world, django_assert_max_num_queries):
    services.user_update(actor=world.carol, user=world.alice, village=world.a2)
    services.user_deactivate(actor=world.erin, user=world.alice, reason="调离岗位")
    with django_assert_max_num_queries(5):
        rows = user_history(user=world.alice)
    deactivated, moved = rows[0], rows[1]
    assert deactivated["who"] == world.erin and deactivated["reason"] == "停用账号：调离岗位"
    assert deactivated["changes"] == [Change("状态", "在用", "已停用")]
    assert moved["who"] == world.carol
    assert Change("所在村", "甲镇甲一村", "甲镇甲二村") in moved["changes"]


def test_the_demo_accounts_sign_in_with_the_printed_password_and_are_not_sent_to_change_it(
    db, client
):
    from organization.management.demo import DEMO_PASSWORD, seed_organization

    users = seed_organization().users
    assert set(users) == {
        "county_admin",
        "town_official",
        "village_monitor",
        "dept_yibao",
        "helper",
    }
    for username, user in users.items():
        assert not user.must_change_password, username
        assert client.login(username=username, password=DEMO_PASSWORD)
        assert not client.get("/").get("Location", "").startswith("/account/password/"), username
