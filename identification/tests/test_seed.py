"""The demo command takes households through the real services, under both procedures, and
runs only once."""

from django.core.management import call_command

from identification.management.commands.seed_identification_demo import TARGETS
from identification.models import CaseState, IdentificationCase
from organization.models import PolicySettings

from .factories import days_ago, household_ready


def test_the_demo_command_fills_every_queue_of_both_procedures_once(world):
    for _ in range(len(TARGETS)):
        household_ready(world.a1, group=world.groups[world.a1.pk])
    args = ["--monitor", "alice", "--town", "carol", "--county", "erin"]
    call_command("seed_identification_demo", *args)
    cases = IdentificationCase.objects.all()
    assert sorted(cases.values_list("procedure", "state")) == sorted(
        (procedure, state) for procedure, state, _ in TARGETS
    )
    this_year = PolicySettings.objects.get(year=days_ago(0).year)
    assert this_year.identification_procedure == "anhui_2024"
    # Anhui's village publicity: one waits for the county's comparison, one has it.
    publicizing = cases.filter(procedure="anhui_2024", state=CaseState.VILLAGE_PUBLICIZING)
    assert sorted(c.comparisons.count() for c in publicizing) == [0, 1]
    assert all(c.consent_given for c in cases.filter(procedure="anhui_2024"))
    call_command("seed_identification_demo", *args)
    assert IdentificationCase.objects.count() == len(TARGETS)


def test_the_demo_command_runs_on_the_demo_county(db):
    call_command("seed_demo", households=300, verbosity=0)
    call_command("seed_identification_demo")
    filed = IdentificationCase.objects.filter(state=CaseState.FILED)
    assert sorted(filed.values_list("procedure", flat=True)) == ["anhui_2024", "suixi_2021"]
