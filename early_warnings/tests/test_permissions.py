"""Who may take which step on a warning or clue: one rule, read by the pages, checked by the services."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from early_warnings import selectors, services
from early_warnings.models import Clue, State

from .helpers import make_warning

NOTHING = {"route": False, "assign": False, "verify": False, "close": False}


@pytest.mark.parametrize(
    ("state", "who", "allowed"),
    [
        (State.PUSHED, "carol", {"assign"}),
        (State.PUSHED, "alice", set()),
        (State.ASSIGNED, "alice", {"verify"}),
        (State.ASSIGNED, "carol", {"verify"}),
        (State.ASSIGNED, "bob", set()),  # another village of the same town
        (State.ASSIGNED, "erin", set()),
        (State.VERIFIED, "alice", {"close"}),
        (State.VERIFIED, "erin", {"close"}),
        (State.VERIFIED, "dave", set()),  # another town
        (State.VERIFIED, "frank", set()),
        (State.CLOSED, "erin", set()),
        (State.RECEIVED, "erin", set()),  # a warning always knows its town: nothing to route
    ],
)
def test_a_warnings_steps_follow_the_role_its_reach_and_the_state(world, state, who, allowed):
    may = selectors.item_permissions(getattr(world, who), make_warning(world.a1, state=state))
    assert {name for name, value in vars(may).items() if value} == allowed


def test_the_bureau_routes_a_clue_that_named_no_town(world):
    clue = services.clue_create(
        actor=world.erin, source=Clue.Source.HOTLINE_12345, name="某人", description="生活困难"
    )
    assert vars(selectors.item_permissions(world.erin, clue)) == {**NOTHING, "route": True}
    assert vars(selectors.item_permissions(world.carol, clue)) == NOTHING


def test_the_service_refuses_what_the_page_does_not_offer(world):
    warning = make_warning(world.a1, state=State.VERIFIED)
    assert not selectors.item_permissions(world.dave, warning).close
    with pytest.raises(PermissionDenied):
        services.item_close(actor=world.dave, item=warning)
    assert selectors.item_permissions(world.carol, warning).close
    assert services.item_close(actor=world.carol, item=warning).state == State.CLOSED


def test_the_warning_page_offers_the_verification_to_the_village(world, client):
    warning = make_warning(world.a1, state=State.ASSIGNED)
    client.force_login(world.alice)
    response = client.get(reverse("early_warnings:warning_detail", args=[warning.pk]))
    assert vars(response.context["may"]) == {**NOTHING, "verify": True}
