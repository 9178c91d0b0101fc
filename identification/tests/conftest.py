"""Fixtures shared by the exit tests (三(九)(十))."""

import pytest

from .factories_exits import exit_round_now


@pytest.fixture
def exit_round(world):
    """A round of both towns taking proposals today, opened before the usual proposal date."""
    return exit_round_now(world.town_a, world.town_b)
