"""The low-income population (民政) and the monitoring subjects (三(一)) in one list: who is
in both, who only in one and why; scoped per role, searchable, exported and logged."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from households.low_income import low_income_roster_apply
from households.models import LowIncomeStatus, MonitoringSubject, Status2020
from households.tests.factories import HouseholdFactory, MemberFactory, new_id_number
from organization.models import AuditEntry

from .support import assert_queries_stay_fixed, sheet_rows

pytestmark = pytest.mark.django_db
Kind = LowIncomeStatus.Kind
MARCH = datetime.date(2026, 3, 1)
URL = "/reports/low-income/"
API = "/api/low-income/"


def household(village, name, *, status_2020=Status2020.ORDINARY):
    found = HouseholdFactory(village=village, head_name=name, status_2020=status_2020)
    MemberFactory(household=found, name=name, relation="head", id_number=new_id_number())
    return found


def monitor(found, *, category="sudden", status=MonitoringSubject.Status.MONITORING, **more):
    return MonitoringSubject.objects.create(
        household=found, category=category, started_on=datetime.date(2025, 6, 1),
        status=status, **more,
    )  # fmt: skip


def roster(kind, households, month=MARCH):
    low_income_roster_apply(
        actor=None, kind=kind, month=month, household_ids=[h.pk for h in households],
        source_label="民政名册",
    )  # fmt: skip


@pytest.fixture
def li(world):
    """- ``both``: 张双 of A1, 低保 and monitored (突发严重困难户);
    - ``only_low``: 李低 of A2, 特困, never monitored;
    - ``only_subject``: 王监 of A1, monitored, no status (its 低保边缘 ended);
    - ``eliminated``: 赵消 of A1, 低保边缘, its subject risk-eliminated;
    - ``b1``: 钱乙 of B1, 低保 (another town);
    - ``neither``: 孙无 of A1, neither (never listed)."""
    found = SimpleNamespace(
        both=household(world.a1, "张双"),
        only_low=household(world.a2, "李低"),
        only_subject=household(world.a1, "王监"),
        eliminated=household(world.a1, "赵消"),
        b1=household(world.b1, "钱乙"),
        neither=household(world.a1, "孙无"),
    )
    monitor(found.both)
    monitor(found.only_subject, category="marginal")
    monitor(
        found.eliminated, status=MonitoringSubject.Status.ELIMINATED,
        ended_on=datetime.date(2025, 12, 31),
    )  # fmt: skip
    roster(Kind.DIBAO, [found.both, found.b1])
    roster(Kind.TEKUN, [found.only_low])
    roster(Kind.MARGINAL, [found.only_subject, found.eliminated])
    roster(Kind.MARGINAL, [found.eliminated], month=datetime.date(2026, 4, 1))
    return found


def names(response) -> set[str]:
    return {row["head_name"] for row in response.json()["results"]}


def page_rows(response) -> dict[str, dict]:
    return {row.cells["head_name"]: row.cells for row in response.context["page"].object_list}


def test_the_county_sees_both_records_with_who_is_in_which_and_why(world, li, client):
    client.force_login(world.erin)
    rows = page_rows(client.get(URL))
    assert set(rows) == {"张双", "李低", "王监", "赵消", "钱乙"}
    assert rows["张双"]["group"] == "在两者"
    assert (
        rows["张双"]["why"] == "民政名册现为低保（2026年3月起）；突发严重困难户，2025-06-01纳入监测"
    )
    assert rows["李低"]["group"] == "仅低收入人口" and "未纳入监测" in rows["李低"]["why"]
    assert rows["王监"]["group"] == "仅监测对象"
    assert "低保边缘已于2026-04-01终止" in rows["王监"]["why"]
    assert "曾为突发严重困难户，2025-12-31风险已消除" in rows["赵消"]["why"]
    assert rows["赵消"]["subject_state"] == "风险已消除"


def test_a_town_sees_its_own_villages_only(world, li, client, api):
    client.force_login(world.carol)
    assert "钱乙" not in page_rows(client.get(URL))
    api.force_authenticate(world.carol)
    assert names(api.get(API)) == {"张双", "李低", "王监", "赵消"}
    api.force_authenticate(world.dave)
    assert names(api.get(API)) == {"钱乙"}


def test_a_village_monitor_sees_the_village(world, li, api):
    api.force_authenticate(world.bob)
    assert names(api.get(API)) == {"李低"}


def test_a_filter_on_another_towns_village_is_refused(world, li, api):
    api.force_authenticate(world.carol)
    response = api.get(API, {"village": world.b1.pk})
    assert response.status_code == 400 and "village" in response.json()


@pytest.mark.parametrize("who", ["frank", "grace"])
def test_departments_and_helpers_do_not_see_the_list(world, li, client, api, who):
    user = getattr(world, who)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    api.force_authenticate(user)
    assert api.get(API).status_code == 403
    assert api.post(API + "export/").status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"group": "both"}, {"张双"}),
        ({"group": "low_income_only"}, {"李低", "钱乙", "赵消"}),
        ({"group": "subject_only"}, {"王监"}),
        ({"kind": "dibao"}, {"张双", "钱乙"}),
        ({"kind": "tekun", "group": "both"}, set()),
        ({"q": "李低"}, {"李低"}),
        ({"town": "b"}, {"钱乙"}),
    ],
)
def test_it_filters_by_group_status_name_and_place(world, li, api, query, expected):
    api.force_authenticate(world.erin)
    if query.get("town") == "b":
        query = {"town": world.town_b.pk}
    assert names(api.get(API, query)) == expected


def test_a_search_by_id_number_is_logged(world, li, client):
    head = li.only_low.members.get()
    client.force_login(world.carol)
    assert set(page_rows(client.get(URL, {"q": head.id_number}))) == {"李低"}
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.ID_SEARCH)
    assert (entry.user, entry.what, entry.detail) == (
        world.carol,
        "低收入人口与监测对象名单",
        head.id_number,
    )


def test_the_export_has_the_pages_rows_and_is_logged(world, li, client):
    client.force_login(world.carol)
    response = client.post(reverse("reports:low_income_export"), {"group": "both"})
    assert response.status_code == 200
    rows = sheet_rows(b"".join(response.streaming_content))
    assert rows[1][:5] == ("镇（园区）", "村", "户主", "户主身份证号", "归类")
    assert [row[2] for row in rows[2:]] == ["张双"]
    assert rows[2][3] == li.both.members.get().id_number  # a town official sees it whole
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT)
    assert (entry.user, entry.what, entry.rows) == (world.carol, "低收入人口与监测对象名单", 1)
    assert entry.detail == "归类：在两者" and entry.path == "/reports/low-income/export/"


def test_the_api_export_is_logged_and_scoped(world, li, api):
    api.force_authenticate(world.dave)
    response = api.post(API + "export/", {}, format="json")
    assert response.status_code == 200
    rows = sheet_rows(b"".join(response.streaming_content))
    assert [row[2] for row in rows[2:]] == ["钱乙"]
    assert AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT).rows == 1


def test_the_export_log_filters_this_list(world, li, client):
    client.force_login(world.carol)
    client.post(reverse("reports:low_income_export"))
    client.force_login(world.erin)
    page = client.get(reverse("reports:export_log"), {"ledger": "low_income"})
    assert len(page.context["page"].object_list) == 1


def test_the_page_costs_a_fixed_number_of_queries(world, li, client, django_assert_max_num_queries):
    client.force_login(world.erin)

    def grow():
        more = [household(world.a1, f"新{n}") for n in range(8)]
        for found in more[:4]:
            monitor(found)
        roster(Kind.DIBAO, [li.both, li.b1, *more])

    assert_queries_stay_fixed(
        client, URL, grow=grow, assert_max=django_assert_max_num_queries, ceiling=14
    )


def test_the_nav_links_the_list_for_county_and_town_only(world, client):
    for user, shown in [(world.erin, True), (world.carol, True), (world.alice, False)]:
        client.force_login(user)
        page = client.get(reverse("reports:index")).content.decode()
        assert (f'href="{URL}"' in page.split("</nav>")[0]) is shown
