"""The county's figures per town: declarations by state, overdue, and working days to answer."""

import datetime

import pytest
from django.utils import timezone

from declarations import services
from declarations.models import Declaration

pytestmark = pytest.mark.django_db


def test_the_county_sees_counts_and_answer_times_per_town(client, world, declare, monkeypatch):
    received = timezone.make_aware(datetime.datetime(2024, 9, 30, 10))
    monkeypatch.setattr(timezone, "now", lambda: received)
    answered_late = declare(village=world.a1)
    on_time = declare(village=world.a2, phone="13900000002")
    declare(village=world.b1, phone="13900000003")
    monkeypatch.setattr(timezone, "now", lambda: received + datetime.timedelta(days=1))
    services.declaration_decline(actor=world.bob, declaration=on_time, reason="other", note="x")
    answered = timezone.make_aware(datetime.datetime(2024, 10, 10, 10))
    monkeypatch.setattr(timezone, "now", lambda: answered)
    services.declaration_decline(
        actor=world.alice, declaration=answered_late, reason="other", note="y"
    )

    client.force_login(world.erin)
    rows = {r["town"].name: r for r in client.get("/declarations/stats/").context["rows"]}
    a, b = rows["甲镇"], rows["乙镇"]
    assert (a["total"], a["declined"], a["late"]) == (2, 2, 1)
    assert a["avg_days"] == pytest.approx(1.5) and a["max_days"] == 3  # 0 and 3 working days
    assert (b["total"], b["received"], b["overdue"]) == (1, 1, 1)
    assert Declaration.objects.count() == 3


def test_a_town_sees_only_its_own_row(client, world, declare):
    declare(village=world.b1)
    client.force_login(world.carol)
    rows = client.get("/declarations/stats/").context["rows"]
    assert [r["town"] for r in rows] == [world.town_a]
    assert rows[0]["total"] == 0
