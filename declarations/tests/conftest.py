"""Declarations' test helpers: a fresh throttle count per test, and declarations made through
the public service as a person would."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from households.models import RiskType
from households.tests.factories import new_id_number

from .. import services

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def fresh_throttles():
    # The throttles count in the cache; each test starts from nothing.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def declare(world):
    """``declare(village=…, id_number=…, phone=…)``: a declaration through the public service."""

    def make(*, village=None, id_number=None, phone=PHONE, name="赵大山", words="老伴住院，花费大"):
        declaration, _ = services.declaration_submit(
            name=name,
            id_number=id_number or new_id_number(),
            phone=phone,
            village=village or world.a1,
            risk_types=[RiskType.objects.get(code="illness")],
            words=words,
            consent=True,
        )
        return declaration

    return make
