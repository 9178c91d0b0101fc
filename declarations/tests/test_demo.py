"""The demo command sends declarations through the real services, in every state, once."""

from django.core.management import call_command
from django.utils import timezone

from declarations.models import Declaration, DeclarationRepeat, State
from identification.models import CaseSource
from identification.tests.factories import household_ready


def test_the_demo_command_fills_every_state_once(world):
    household_ready(world.a1)
    call_command("seed_declaration_demo", "--monitor", "alice", verbosity=0)
    states = sorted(Declaration.objects.values_list("state", flat=True))
    assert states == sorted(
        [State.RECEIVED, State.RECEIVED, State.CHECKING, State.DECLINED, State.ACCEPTED]
    )
    assert DeclarationRepeat.objects.count() == 1
    accepted = Declaration.objects.get(state=State.ACCEPTED)
    assert accepted.case.source == CaseSource.DECLARATION
    assert Declaration.objects.filter(
        state=State.RECEIVED, due_on__lt=timezone.localdate()
    ).exists()

    call_command("seed_declaration_demo", "--monitor", "alice", verbosity=0)
    assert Declaration.objects.count() == 5
