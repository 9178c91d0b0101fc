"""The exit demo (三(九)(十)) on the demo county, as ``make run`` loads it: the first half
filed in every town and spot-checked with one town in re-review, the second half open with a
proposal at each step; a second run adds nothing."""

import pytest
from django.core.management import call_command

from identification.models import (
    ExitCase,
    ExitRound,
    ExitState,
    SpotCheck,
    TownRound,
    TownRoundState,
)

pytestmark = pytest.mark.django_db


def test_the_exit_demo_runs_on_the_demo_county_once():
    call_command("seed_demo", households=600, verbosity=0)
    call_command("seed_help_demo", verbosity=0)
    call_command("seed_exit_demo", verbosity=0)
    first = ExitRound.objects.get(year=2026, half=1)
    parts = TownRound.objects.filter(round=first)
    assert ExitCase.objects.filter(town_round__round=first, state=ExitState.FILED).exists()
    assert sorted(set(parts.values_list("state", flat=True))) == sorted(
        {TownRoundState.CLOSED, TownRoundState.RE_REVIEW}
    )
    assert parts.filter(state=TownRoundState.RE_REVIEW).count() == 1
    assert SpotCheck.objects.filter(town_round__round=first).count() == parts.count()
    second = ExitRound.objects.get(year=2026, half=2)
    open_states = set(
        ExitCase.objects.filter(town_round__round=second).values_list("state", flat=True)
    )
    assert {ExitState.PROPOSED, ExitState.COUNTY_FILING} <= open_states
    counts = (ExitCase.objects.count(), SpotCheck.objects.count())
    call_command("seed_exit_demo", verbosity=0)
    assert (ExitCase.objects.count(), SpotCheck.objects.count()) == counts
