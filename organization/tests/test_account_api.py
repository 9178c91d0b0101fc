"""``/api/users/``: the accounts the editor manages, through the same services as the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organization import services
from organization.models import Role, User
from organization.tests.factories import HelpUnitFactory, UserFactory, department

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
MANAGERS = {"carol", "dave", "erin"}
KEEPS_ALICE = {"carol", "erin"}
LISTED = {
    "carol": {"alice", "bob", "carol"},
    "dave": {"dave"},
    "erin": set(ROLES),
}


def _new(**fields):
    return {
        "username": "zhaomin",
        "last_name": "赵",
        "first_name": "敏",
        "phone": "13800000000",
        "role": Role.VILLAGE_MONITOR,
        **fields,
    }


# --- every role ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_the_list_is_the_editors_scope(api, world, who):
    api.force_authenticate(getattr(world, who))
    response = api.get("/api/users/")
    if who in MANAGERS:
        assert response.status_code == 200
        assert {row["username"] for row in response.json()["results"]} == LISTED[who]
    else:
        assert response.status_code == 403
        assert response.json()["detail"] == "您没有管理账号的权限"


@pytest.mark.parametrize("who", ROLES)
def test_alices_account_answers_only_her_keepers(api, world, who):
    api.force_authenticate(getattr(world, who))
    url = f"/api/users/{world.alice.pk}/"
    detail = api.get(url)
    edit = api.patch(url, {"phone": "13811112222"}, format="json")
    reset = api.post(f"{url}reset-password/")
    deactivate = api.post(f"{url}deactivate/", {"reason": "调离岗位"}, format="json")
    alice = User.objects.get(pk=world.alice.pk)
    if who in KEEPS_ALICE:
        assert detail.status_code == 200 and detail.json()["scope_label"] == "甲镇甲一村"
        assert edit.status_code == 200 and edit.json()["phone"] == "13811112222"
        assert reset.status_code == 200
        assert alice.check_password(reset.json()["one_time_password"])
        assert reset["Cache-Control"] == "no-store"
        assert deactivate.status_code == 200 and deactivate.json()["is_active"] is False
        assert not alice.is_active and alice.must_change_password
    else:
        statuses = {r.status_code for r in (detail, edit, reset, deactivate)}
        assert statuses == {404}
        assert alice.is_active and alice.phone == "" and alice.check_password(world.password)


@pytest.mark.parametrize("who", ROLES)
def test_only_the_county_and_the_towns_create_accounts(api, world, who):
    api.force_authenticate(getattr(world, who))
    village = world.b1 if who == "dave" else world.a1
    response = api.post("/api/users/", _new(village=village.pk), format="json")
    if who in MANAGERS:
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["must_change_password"] is True and body["town"] == village.town_id
        assert response["Cache-Control"] == "no-store"
        created = User.objects.get(username="zhaomin")
        assert created.check_password(body["one_time_password"])
        assert body["one_time_password"] not in created.password
        # Shown once: the account's own address never answers it.
        again = api.get(f"/api/users/{created.pk}/").json()
        assert "one_time_password" not in again
    else:
        assert response.status_code == 403
        assert not User.objects.filter(username="zhaomin").exists()


@pytest.mark.parametrize("who", ROLES)
def test_no_account_is_ever_deleted(api, world, who):
    api.force_authenticate(getattr(world, who))
    response = api.delete(f"/api/users/{world.alice.pk}/")
    # The bureau and town A find her and are refused the method; the others do not find her.
    assert response.status_code in {404, 405}
    if who in KEEPS_ALICE:
        assert response.status_code == 405
    assert User.objects.filter(pk=world.alice.pk).exists()


# --- a town's limits -------------------------------------------------------------------------


def test_a_town_cannot_reach_another_towns_or_the_countys_accounts(api, world):
    bea = UserFactory(
        username="bea", role=Role.VILLAGE_MONITOR, village=world.b1, town=world.town_b
    )
    api.force_authenticate(world.carol)
    for user in (bea, world.dave, world.erin, world.frank, world.grace):
        assert api.get(f"/api/users/{user.pk}/").status_code == 404
        assert api.patch(f"/api/users/{user.pk}/", {"phone": "13800000000"}).status_code == 404
        assert api.post(f"/api/users/{user.pk}/reactivate/").status_code == 404
    assert api.get("/api/users/99999999999999999999/").status_code == 404


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"role": Role.TOWN_OFFICIAL, "town": "a"}, "role", services.MSG_ROLE_OUT_OF_SCOPE),
        ({"role": Role.COUNTY_BUREAU}, "role", services.MSG_ROLE_OUT_OF_SCOPE),
        ({"village": "b1"}, "village", "对象不存在或不在您的管辖范围内"),
        ({"role": Role.HELPER, "town": "b"}, "town", "对象不存在或不在您的管辖范围内"),
        ({"role": Role.DEPARTMENT_STAFF, "department": "yibao"}, "department", None),
    ],
    ids=["town-official", "county", "village-of-b", "town-b", "department"],
)
def test_a_town_is_refused_a_role_or_a_place_outside_its_scope(api, world, fields, field, message):
    places = {"a": world.town_a.pk, "b": world.town_b.pk, "b1": world.b1.pk}
    fields = {k: places.get(v, v) for k, v in fields.items()}
    if "department" in fields:
        fields["department"] = department().pk
    api.force_authenticate(world.carol)
    response = api.post("/api/users/", _new(**fields), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body[field]
    if message:
        assert body[field] == [message]
    assert not User.objects.filter(username="zhaomin").exists()


def test_a_town_edits_its_helper_within_its_town(api, world):
    unit = HelpUnitFactory()
    api.force_authenticate(world.carol)
    created = api.post(
        "/api/users/", _new(role=Role.HELPER, help_unit=unit.pk, village=world.a2.pk), format="json"
    ).json()
    assert (created["town"], created["village"], created["help_unit"]) == (
        world.town_a.pk,
        world.a2.pk,
        unit.pk,
    )
    url = f"/api/users/{created['id']}/"
    moved = api.patch(url, {"village": None}, format="json")
    assert moved.status_code == 200 and moved.json()["town"] == world.town_a.pk
    refused = api.patch(url, {"village": world.b1.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json()["village"] == ["对象不存在或不在您的管辖范围内"]


def test_the_county_creates_a_department_account(api, world):
    api.force_authenticate(world.erin)
    response = api.post(
        "/api/users/",
        _new(role=Role.DEPARTMENT_STAFF, department=department("weijian").pk),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["scope_label"] == department("weijian").name


def test_errors_are_in_chinese(api, world):
    api.force_authenticate(world.erin)
    response = api.post(
        "/api/users/", _new(username="ALICE", phone="123", last_name="", village=world.a1.pk)
    )
    assert response.status_code == 400
    body = response.json()
    assert body["username"] == ["用户名“ALICE”已被使用，请换一个"]
    assert body["phone"] == [services.MSG_PHONE]
    assert body["last_name"] == [services.MSG_LAST_NAME]


def test_is_active_and_must_change_password_are_read_only(api, world):
    api.force_authenticate(world.erin)
    response = api.patch(
        f"/api/users/{world.alice.pk}/",
        {"is_active": False, "must_change_password": True},
        format="json",
    )
    assert response.status_code == 200
    world.alice.refresh_from_db()
    assert world.alice.is_active and not world.alice.must_change_password


# --- one's own account ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["carol", "erin"])
def test_nobody_changes_their_own_role_scope_or_state(api, world, who):
    me = getattr(world, who)
    api.force_authenticate(me)
    url = f"/api/users/{me.pk}/"
    assert api.get(url).status_code == 200
    for fields in (
        {"role": Role.DEPARTMENT_STAFF},
        {"town": world.town_b.pk},
        {"village": world.a1.pk},
    ):
        response = api.patch(url, fields, format="json")
        assert response.status_code == 400, fields
        # A place outside the editor's scope is unknown before it is their own scope.
        assert set(response.json()) - {"detail"} == set(fields)
    own = api.patch(url, {"role": Role.HELPER}, format="json").json()
    assert own["role"] == [services.MSG_OWN_SCOPE]
    assert api.post(f"{url}deactivate/").json()["detail"] == services.MSG_OWN_ACTIVE
    assert api.post(f"{url}reset-password/").json()["detail"] == services.MSG_OWN_RESET
    assert api.patch(url, {"first_name": "新名"}, format="json").status_code == 200
    before = (me.role, me.town_id, me.village_id)
    me.refresh_from_db()
    assert (me.first_name, me.is_active, me.must_change_password) == ("新名", True, False)
    assert (me.role, me.town_id, me.village_id) == before


def test_the_bureau_cannot_reset_an_administrators_password(api, world):
    root = UserFactory(username="root", role=Role.COUNTY_BUREAU, is_staff=True, is_superuser=True)
    api.force_authenticate(world.erin)
    response = api.post(f"/api/users/{root.pk}/reset-password/")
    assert response.status_code == 403
    assert response.json()["detail"] == services.MSG_PRIVILEGED


# --- deactivate and reactivate -----------------------------------------------------------------


def test_deactivate_and_reactivate_answer_the_account_and_a_repeat_is_a_conflict(api, world):
    api.force_authenticate(world.carol)
    url = f"/api/users/{world.bob.pk}/"
    assert api.post(f"{url}deactivate/", {"reason": "退休"}, format="json").status_code == 200
    again = api.post(f"{url}deactivate/")
    assert again.status_code == 409 and again.json()["detail"] == services.MSG_ALREADY_INACTIVE
    back = api.post(f"{url}reactivate/")
    assert back.status_code == 200 and back.json()["is_active"] is True
    assert api.post(f"{url}reactivate/").status_code == 409


def test_a_deactivated_accounts_token_no_longer_works(api, world):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=world.bob)
    services.user_deactivate(actor=world.carol, user=world.bob)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    # Refused in Chinese (403: the first authentication class, the session's, sends no challenge).
    response = api.get("/api/villages/")
    assert response.status_code == 403 and response.json()["detail"] == "用户未激活或者已删除。"


def test_a_pending_one_time_password_does_not_redirect_the_api(api, world):
    services.user_reset_password(actor=world.carol, user=world.alice)
    api.force_authenticate(User.objects.get(pk=world.alice.pk))
    assert api.get("/api/villages/").status_code == 200


# --- filters, queries, schema ------------------------------------------------------------------


def test_the_list_filters_like_the_page(api, world):
    api.force_authenticate(world.erin)

    def names(query):
        return {row["username"] for row in api.get(f"/api/users/?{query}").json()["results"]}

    assert names(f"town={world.town_b.pk}") == {"dave"}
    assert names("role=village_monitor") == {"alice", "bob"}
    assert names("q=car") == {"carol"}
    services.user_deactivate(actor=world.erin, user=world.bob)
    assert names("is_active=false") == {"bob"}
    assert api.get("/api/users/?role=king").status_code == 400


def _queries(api, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200
    return len(captured)


def test_the_list_takes_a_fixed_number_of_queries(api, world, django_assert_max_num_queries):
    unit = HelpUnitFactory()
    api.force_authenticate(world.erin)
    few = _queries(api, "/api/users/")
    for _ in range(30):
        UserFactory(role=Role.HELPER, help_unit=unit, village=world.a1, town=world.town_a)
        UserFactory(role=Role.DEPARTMENT_STAFF, department=department())
    with django_assert_max_num_queries(3):
        api.get("/api/users/")
    assert _queries(api, "/api/users/") == few


def test_the_schema_describes_the_users_resource(api, world):
    api.force_authenticate(world.alice)
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/users/" in paths
    assert "/api/users/{id}/reset-password/" in paths
    assert "delete" not in paths["/api/users/{id}/"]
