"""The organisation API: token sign-in, scoped reference data, the yearly thresholds, and the
OpenAPI schema with its documentation served from local files."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders

from assistance.models import HelpAssignment
from households import services
from households.models import Household
from households.tests.factories import HouseholdFactory, MemberFactory
from organization.models import PolicySettings
from organization.tests.factories import VillagerGroupFactory

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]

# The villages each actor's scope covers (grace helps one household in A1).
VILLAGES = {
    "alice": {"a1"},
    "bob": {"a2"},
    "carol": {"a1", "a2"},
    "dave": {"b1"},
    "erin": {"a1", "a2", "b1"},
    "frank": {"a1", "a2", "b1"},
    "grace": {"a1"},
}
TOWN_OF = {"a1": "town_a", "a2": "town_a", "b1": "town_b"}


@pytest.fixture
def helped(world):
    household = HouseholdFactory(village=world.a1)
    HelpAssignment.objects.create(
        household=household, helper=world.grace, started_on=datetime.date(2021, 1, 1)
    )
    return household


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- signing in ----------------------------------------------------------------------


def test_a_token_is_obtained_with_username_and_password_and_then_used(api, world):
    response = api.post(
        "/api/auth/token/", {"username": "alice", "password": world.password}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    villages = api.get("/api/villages/")
    assert _ids(villages) == {world.a1.pk}


def test_a_wrong_password_gets_no_token(api, world):
    response = api.post(
        "/api/auth/token/", {"username": "alice", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_an_unknown_token_is_refused(api, world):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = api.get("/api/households/")
    assert response.status_code in {401, 403}
    assert "令牌" in response.json()["detail"]


def test_anonymous_requests_are_refused_in_chinese(api, world):
    response = api.get("/api/households/")
    assert response.status_code in {401, 403}
    assert response.json()["detail"] == "身份认证信息未提供。"


def test_a_session_works_as_well_as_a_token(client, world):
    client.login(username="carol", password=world.password)
    assert client.get("/api/villages/").json()["count"] == 2


# --- towns, villages, departments ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_villages_and_towns_of_its_scope(api, world, helped, role):
    api.force_authenticate(getattr(world, role))
    villages = {getattr(world, key).pk for key in VILLAGES[role]}
    towns = {getattr(world, TOWN_OF[key]).pk for key in VILLAGES[role]}
    assert _ids(api.get("/api/villages/")) == villages
    assert _ids(api.get("/api/towns/")) == towns


@pytest.mark.parametrize("role", ROLES)
def test_another_scopes_village_and_town_answer_404(api, world, helped, role):
    api.force_authenticate(getattr(world, role))
    for key in ("a1", "a2", "b1"):
        village = getattr(world, key)
        expected = 200 if key in VILLAGES[role] else 404
        assert api.get(f"/api/villages/{village.pk}/").status_code == expected
    town_b_seen = "b1" in VILLAGES[role]
    assert api.get(f"/api/towns/{world.town_b.pk}/").status_code == (200 if town_b_seen else 404)


def test_villages_filter_by_town(api, world):
    api.force_authenticate(world.erin)
    assert _ids(api.get(f"/api/villages/?town={world.town_a.pk}")) == {world.a1.pk, world.a2.pk}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_villager_groups_of_its_scope(api, world, helped, role):
    api.force_authenticate(getattr(world, role))
    groups = {world.groups[getattr(world, key).pk].pk for key in VILLAGES[role]}
    assert _ids(api.get("/api/villager-groups/")) == groups


@pytest.mark.parametrize("role", ROLES)
def test_a_villages_groups_are_listed_only_inside_the_scope(api, world, helped, role):
    """The household form asks ``?village=`` for the groups of the village chosen."""
    api.force_authenticate(getattr(world, role))
    for key in ("a1", "a2", "b1"):
        village = getattr(world, key)
        group = world.groups[village.pk]
        listed = _ids(api.get(f"/api/villager-groups/?village={village.pk}"))
        assert listed == ({group.pk} if key in VILLAGES[role] else set()), key
        expected = 200 if key in VILLAGES[role] else 404
        assert api.get(f"/api/villager-groups/{group.pk}/").status_code == expected, key


def test_a_villages_groups_come_with_their_names(api, world):
    VillagerGroupFactory(village=world.a2, name="第二村民小组")
    api.force_authenticate(world.carol)
    rows = api.get(f"/api/villager-groups/?village={world.a2.pk}").json()["results"]
    assert [(row["name"], row["village"]) for row in rows] == [
        ("第一村民小组", world.a2.pk),
        ("第二村民小组", world.a2.pk),
    ]


@pytest.mark.parametrize("value", ["甲一村", "1.5", "0", str(10**20)])
def test_an_id_filter_that_is_no_id_is_a_400_on_its_field(api, world, value):
    api.force_authenticate(world.erin)
    for url in (f"/api/villager-groups/?village={value}", f"/api/villages/?town={value}"):
        response = api.get(url)
        assert response.status_code == 400, url
        assert set(response.json()) == {url.split("?")[1].split("=")[0]}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_sixteen_departments(api, world, role):
    api.force_authenticate(getattr(world, role))
    response = api.get("/api/departments/")
    assert response.json()["count"] == 16
    names = {row["short_name"] for row in response.json()["results"]}
    assert {"医保", "卫健", "教育", "住建", "民政", "扶贫"} <= names


@pytest.mark.parametrize("resource", ["towns", "villages", "villager-groups", "departments"])
def test_reference_data_is_read_only_through_the_api(api, world, resource):
    api.force_authenticate(world.erin)
    assert api.post(f"/api/{resource}/", {"name": "新"}, format="json").status_code == 405
    first = api.get(f"/api/{resource}/").json()["results"][0]["id"]
    assert api.patch(f"/api/{resource}/{first}/", {"name": "改"}).status_code == 405


# --- policy thresholds ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_thresholds_by_year(api, world, role):
    PolicySettings.objects.create(year=2021)
    api.force_authenticate(getattr(world, role))
    response = api.get("/api/policy/2021/")
    assert response.status_code == 200
    assert response.json()["income_line"] == "6000.00"
    assert response.json()["minimum_living_standard"] == "641.00"
    assert api.get("/api/policy/2020/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_the_county_bureau_sets_a_years_thresholds(api, world, role):
    api.force_authenticate(getattr(world, role))
    response = api.post("/api/policy/", {"year": 2022, "income_line": "6500"}, format="json")
    if role == "erin":
        assert response.status_code == 201, response.content
        policy = PolicySettings.objects.get(year=2022)
        assert policy.income_line == Decimal("6500")
        assert policy.history.get().history_user == world.erin
    else:
        assert response.status_code == 403
        assert response.json()["detail"] == "只有县扶贫局可以修改政策参数"
        assert not PolicySettings.objects.filter(year=2022).exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_county_bureau_changes_a_years_thresholds(api, world, role):
    PolicySettings.objects.create(year=2021)
    api.force_authenticate(getattr(world, role))
    response = api.patch("/api/policy/2021/", {"town_publicity_days": 10}, format="json")
    assert response.status_code == (200 if role == "erin" else 403)
    expected = 10 if role == "erin" else 7
    assert PolicySettings.objects.get(year=2021).town_publicity_days == expected


def test_a_threshold_change_is_kept_in_history_with_its_author(api, world):
    PolicySettings.objects.create(year=2021)
    api.force_authenticate(world.erin)
    api.patch("/api/policy/2021/", {"income_line": "6200"}, format="json")
    latest = PolicySettings.objects.get(year=2021).history.first()
    assert (latest.history_user, latest.income_line) == (world.erin, Decimal("6200"))
    assert PolicySettings.objects.get(year=2021).history.count() == 2


def test_the_year_of_a_row_cannot_be_changed(api, world):
    PolicySettings.objects.create(year=2021)
    api.force_authenticate(world.erin)
    response = api.patch("/api/policy/2021/", {"year": 2030}, format="json")
    assert response.status_code == 200
    assert list(PolicySettings.objects.values_list("year", flat=True)) == [2021]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"warning_due_day": 15, "warning_push_day": 12}, "warning_push_day", "反馈镇村截止日"),
        ({"quorum_numerator": 4, "quorum_denominator": 3}, "quorum_numerator", "到会比例不能超过1"),
        ({"pass_numerator": 1, "pass_denominator": 1}, "pass_numerator", "通过比例必须小于1"),
        ({"income_line": "-1"}, "income_line", "监测收入线必须大于0元"),
        ({"income_line": "0"}, "income_line", "监测收入线必须大于0元"),
        ({"minimum_living_standard": "-641"}, "minimum_living_standard", "农村低保标准必须大于0"),
    ],
)
def test_inconsistent_thresholds_are_400_with_the_field_in_chinese(
    api, world, values, field, message
):
    api.force_authenticate(world.erin)
    response = api.post("/api/policy/", {"year": 2023, **values}, format="json")
    assert response.status_code == 400
    assert response.json()[field][0].startswith(message)
    assert not PolicySettings.objects.filter(year=2023).exists()


def test_a_second_row_for_a_year_is_refused(api, world):
    PolicySettings.objects.create(year=2021)
    api.force_authenticate(world.erin)
    response = api.post("/api/policy/", {"year": 2021}, format="json")
    assert response.status_code == 400
    assert "year" in response.json()


def test_changing_the_years_line_rejudges_the_households(api, world):
    """三(六): "另有规定的，将按有关标准执行" — a new line re-judges every household of that year."""
    household = HouseholdFactory(village=world.a1)
    MemberFactory(household=household)
    services.income_record_save(
        actor=world.alice, household=household, year=2022, wage_income=Decimal("6500")
    )
    household.refresh_from_db()
    assert household.latest_per_capita_income == Decimal("6500")
    assert household.below_income_line is False

    api.force_authenticate(world.erin)
    response = api.post("/api/policy/", {"year": 2022, "income_line": "7000"}, format="json")
    assert response.status_code == 201
    assert Household.objects.get(pk=household.pk).below_income_line is True

    api.patch("/api/policy/2022/", {"income_line": "6000"}, format="json")
    assert Household.objects.get(pk=household.pk).below_income_line is False


# --- OpenAPI schema and documentation -----------------------------------------------------------

LOCAL_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def test_the_schema_describes_every_resource(api, world):
    api.force_authenticate(world.alice)
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for resource in [
        "towns",
        "villages",
        "villager-groups",
        "departments",
        "households",
        "members",
        "income-records",
        "monitoring-subjects",
        "visits",
        "policy",
        "users",
    ]:
        assert f"/api/{resource}/" in paths, resource
    assert "/api/policy/{year}/" in paths


def test_the_foundation_endpoints_generate_a_schema_without_warnings(db):
    """Other apps' endpoints have their own test; this one covers the routers of issue 2."""
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    from households.api import router as households_router
    from organization.api import router as organization_router

    patterns = [
        path("api/", include(organization_router.urls)),
        path("api/", include(households_router.urls)),
    ]
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    problems = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert problems == {}
    assert "/api/households/{id}/" in schema["paths"]
    member = schema["components"]["schemas"]["Member"]["properties"]
    assert member["sex"]["readOnly"] and member["birth_date"]["readOnly"]


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_only_local_files(client, world, page):
    client.force_login(world.alice)
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://", html), "the docs page must work on an intranet"
    assets = LOCAL_ASSET.findall(html)
    assert assets, "the page should reference its scripts"
    for url in assets:
        if url.startswith(f"{page}?script"):
            continue  # Swagger UI's start-up script, served by the page's own view (no inline code)
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not vendored"


def test_the_schema_requires_sign_in(api, world):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code in {401, 403}
    assert response.json()["detail"] == "身份认证信息未提供。"
    assert "paths" not in response.json()


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_send_anonymous_visitors_to_sign_in(client, world, page):
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
