"""The demo command takes households through the real services and runs only once."""

from django.core.management import call_command

from identification.models import CaseState, IdentificationCase

from .factories import household_ready


def test_the_demo_command_fills_every_queue_once(world):
    for _ in range(6):
        household_ready(world.a1, group=world.groups[world.a1.pk])
    args = ["--monitor", "alice", "--town", "carol", "--county", "erin"]
    call_command("seed_identification_demo", *args)
    states = sorted(IdentificationCase.objects.values_list("state", flat=True))
    assert states == sorted(
        [
            CaseState.APPLIED,
            CaseState.DELIBERATED,
            CaseState.VILLAGE_PUBLICIZING,
            CaseState.TOWN_REVIEWING,
            CaseState.COUNTY_FILING,
            CaseState.FILED,
        ]
    )
    call_command("seed_identification_demo", *args)
    assert IdentificationCase.objects.count() == 6


def test_the_demo_command_runs_on_the_demo_county(db):
    call_command("seed_demo", households=300, verbosity=0)
    call_command("seed_identification_demo")
    assert IdentificationCase.objects.filter(state=CaseState.FILED).count() == 1
