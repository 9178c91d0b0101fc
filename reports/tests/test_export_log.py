"""The export log: the county's page and API over the audit log's export entries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from organization.audit import record_entry
from organization.models import AuditEntry

from .support import assert_queries_stay_fixed

pytestmark = pytest.mark.django_db


def listed(client, **query) -> list[str]:
    """The ledgers named in the log's table."""
    page = client.get(reverse("reports:export_log"), query).content.decode()
    return re.findall(r'data-label="查阅内容" class="wrap">([^<]*)</td>', page)


@pytest.fixture
def entries(world):
    export = AuditEntry.Kind.EXPORT
    record_entry(user=world.carol, kind=export, what="农户总台账", detail="镇：甲镇", rows=4)
    record_entry(user=world.erin, kind=export, what="退出台账", detail="全部", rows=1)
    record_entry(user=world.erin, kind=AuditEntry.Kind.ID_SEARCH, what="农户台账", detail="3406")


def test_the_county_sees_every_export_and_no_other_entry(world, entries, client):
    client.force_login(world.erin)
    assert listed(client) == ["退出台账", "农户总台账"]


def test_the_log_filters_by_ledger_user_and_date(world, entries, client, api):
    client.force_login(world.erin)
    assert listed(client, ledger="exits") == ["退出台账"]
    assert listed(client, who="carol") == ["农户总台账"]
    api.force_authenticate(world.erin)
    assert api.get("/api/export-log/", {"ledger": "registry"}).json()["count"] == 1
    assert api.get("/api/export-log/", {"user": world.carol.pk}).json()["count"] == 1
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    assert api.get("/api/export-log/", {"date_from": tomorrow}).json()["count"] == 0
    body = api.get("/api/export-log/").json()
    assert body["count"] == 2
    assert {row["detail"] for row in body["results"]} == {"镇：甲镇", "全部"}


@pytest.mark.parametrize("user", ["alice", "carol", "frank", "grace"])
def test_only_the_county_reads_the_export_log(world, entries, client, api, user):
    client.force_login(getattr(world, user))
    assert client.get(reverse("reports:export_log")).status_code == 403
    api.force_authenticate(getattr(world, user))
    assert api.get("/api/export-log/").status_code == 403


def test_the_log_page_costs_a_fixed_number_of_queries(
    world, entries, client, django_assert_max_num_queries
):
    def grow():
        for n in range(10):
            record_entry(user=world.bob, kind=AuditEntry.Kind.EXPORT, what="农户总台账", rows=n)

    client.force_login(world.erin)
    assert_queries_stay_fixed(
        client, reverse("reports:export_log"), grow=grow,
        assert_max=django_assert_max_num_queries, ceiling=8,
    )  # fmt: skip
