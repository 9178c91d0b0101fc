"""Shared test actors, in one base module so that tests read like a specification.

Two towns; town A has villages A1 and A2, town B has village B1.
- alice: monitor of A1          - bob: monitor of A2
- carol: official of town A     - dave: official of town B
- erin: county bureau           - frank: 医保 department staff
- grace: helper assigned to one household in A1
"""

import shutil
from types import SimpleNamespace

import pytest
from django.db import connections
from rest_framework.test import APIClient

from organization.models import Role
from organization.tests.factories import (
    PASSWORD,
    TownFactory,
    UserFactory,
    VillageFactory,
    VillagerGroupFactory,
    department,
)


@pytest.fixture
def world(db):
    town_a = TownFactory(name="甲镇")
    town_b = TownFactory(name="乙镇")
    a1 = VillageFactory(town=town_a, name="甲一村")
    a2 = VillageFactory(town=town_a, name="甲二村")
    b1 = VillageFactory(town=town_b, name="乙一村")
    groups = {v.pk: VillagerGroupFactory(village=v, name="第一村民小组") for v in (a1, a2, b1)}
    users = SimpleNamespace(
        alice=UserFactory(username="alice", role=Role.VILLAGE_MONITOR, village=a1, town=town_a),
        bob=UserFactory(username="bob", role=Role.VILLAGE_MONITOR, village=a2, town=town_a),
        carol=UserFactory(username="carol", role=Role.TOWN_OFFICIAL, town=town_a),
        dave=UserFactory(username="dave", role=Role.TOWN_OFFICIAL, town=town_b),
        erin=UserFactory(username="erin", role=Role.COUNTY_BUREAU),
        frank=UserFactory(
            username="frank", role=Role.DEPARTMENT_STAFF, department=department("yibao")
        ),
        grace=UserFactory(username="grace", role=Role.HELPER),
    )
    return SimpleNamespace(
        town_a=town_a,
        town_b=town_b,
        a1=a1,
        a2=a2,
        b1=b1,
        groups=groups,
        password=PASSWORD,
        **vars(users),
    )


@pytest.fixture
def api():
    """An API client; ``api.force_authenticate(user)`` to act as someone."""
    return APIClient()


CHROMIUM = "/usr/bin/chromium"  # Debian's package; a browser is never downloaded
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def open_page(monkeypatch):
    """Opens Playwright pages in Debian's chromium: ``open_page(width=390, height=844)``.

    Browser tests also mark themselves ``browser`` and use a transactional
    database, since the live server only sees committed data.
    """
    if not shutil.which(CHROMIUM):
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}")
    # Playwright's sync API runs its own event loop in this thread; Django refuses ORM
    # calls from a thread with a running loop unless told that this is deliberate.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_(*, width: int, height: int):
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="zh-CN"
            )
            page = context.new_page()
            page.set_default_timeout(15000)
            return page

        yield open_
        # While Playwright's event loop runs in this thread, asgiref keeps Django's
        # connections per async context: ORM calls in the test body open a second
        # connection, which the end-of-test cleanup (run after the loop stops) never sees.
        # Left open, it makes PostgreSQL refuse to drop the test database at the end of
        # the run ("being accessed by other users"); close it while it is still visible.
        connections.close_all()
        browser.close()
