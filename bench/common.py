"""Shared by the benchmark scripts: Django set-up with the bench settings, the cases, statistics."""

from __future__ import annotations

import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


@dataclass
class Case:
    name: str
    username: str
    path: str


def cases() -> list[Case]:
    """Village page 1 as its monitor, town page 1 as its official, an ID-number search as the county."""
    from households.models import Member
    from organization.models import User

    monitor = User.objects.get(username="village_monitor")
    # A member of the newest demo household: the search must find one row among a million.
    member = (
        Member.objects.filter(household__code__startswith="DEMO-")
        .order_by("-household_id")
        .only("id_number")
        .first()
    )
    return [
        Case("village", "village_monitor", "/households/"),
        Case("village-county", "county_admin", f"/households/?village={monitor.village_id}"),
        Case("town", "town_official", "/households/"),
        Case("search", "county_admin", f"/households/?q={member.id_number}"),
        Case("bare", "village_monitor", f"/bench/bare/?village={monitor.village_id}"),
    ]


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return cuts[49], cuts[94]
