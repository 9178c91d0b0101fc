"""Every operation of the OpenAPI document, fuzzed as each role: never a 5xx, always the schema.

schemathesis generates requests (valid and invalid) for every operation of the schema the
project publishes, sends them in process to the WSGI application and checks that nothing
answers 5xx and that every documented answer matches its documented body. Path ids are
drawn half the time from objects that exist, so the requests reach real rows and not only
404s. The number of examples per operation is bounded (``API_FUZZ_EXAMPLES``, default 5) and
the generation is derandomised, so a run is repeatable and takes a few minutes on two cores.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from assistance.models import HelpAssignment
from households.models import Household, Member, MonitoringSubject
from identification.models import ExitCase, ExitRound, IdentificationCase, SpotCheck, SpotCheckItem
from identification.tests.factories import walk
from identification.tests.factories_exits import (
    closed_in_both_towns,
    closed_with_filed_exits,
    drawn_in_both_towns,
    round_for,
    town_round,
)

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))
ROLES = {
    "county": "erin",
    "town": "carol",
    "village": "alice",
    "department": "frank",
    "helper": "grace",
}


@pytest.fixture(autouse=True)
def keep_the_tests_connection():
    """The WSGI application sends request_started and request_finished, whose handler closes
    a connection found inside a transaction — as the test's is, on PostgreSQL — so every
    later request would fail. Django's own test client disconnects it; so does this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    # Plain JSON types (drf-spectacular hands back lazy strings and OrderedDicts).
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(document, default=str)))
    schema.app = get_wsgi_application()
    return schema


def _signed_in(user) -> tuple[dict, dict]:
    """Cookies and headers of a signed-in browser session with its CSRF token."""
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    return cookies, {"X-CSRFToken": csrf}


def _known_ids() -> list[int]:
    ids: set[int] = set()
    for model in (
        Household,
        Member,
        MonitoringSubject,
        IdentificationCase,
        HelpAssignment,
        ExitRound,
        ExitCase,
        SpotCheck,
        SpotCheckItem,
    ):
        ids.update(model.objects.values_list("pk", flat=True)[:20])
    return sorted(ids) or [1]


def _exit_rounds(world) -> None:
    """三(九)(十): a closed round with both towns' spot checks drawn, and one in re-review."""
    drawn_in_both_towns(world, *closed_in_both_towns(world)[1:])
    earlier = round_for(world.town_a, year=2025, half=2)
    closed_with_filed_exits(world.a1, world.alice, count=3, exit_round=earlier)
    town_round(earlier, world.town_a, state="re_review")


@pytest.mark.parametrize("role", list(ROLES))
def test_no_operation_answers_5xx_or_outside_its_schema(world, role):
    for target in ("applied", "compared", "village_publicizing", "filed"):
        walk(world, target)
    _exit_rounds(world)
    user = getattr(world, ROLES[role])
    cookies, headers = _signed_in(user)
    known_ids = _known_ids()
    checks = [not_a_server_error, response_schema_conformance]
    failures: list[str] = []

    def runner(strategy):
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def run(data):
            case = data.draw(strategy)
            for name in list(case.path_parameters or {}):
                if (name in {"id", "pk"} or name.endswith("_pk")) and data.draw(st.booleans()):
                    case.path_parameters[name] = data.draw(st.sampled_from(known_ids))
            response = case.call(headers=headers, cookies=cookies)
            case.validate_response(response, checks=checks)

        return run

    for result in _schema().get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # One operation's failure must not hide another's: collect them all.
            try:
                runner(operation.as_strategy(generation_mode=mode))()
            except Unsatisfiable:
                pass  # no invalid request exists for an operation that takes no input
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} [{mode.value}]: {exc}"[:1500])

    assert not failures, f"{len(failures)} failing operation(s) as {role}:\n\n" + "\n\n".join(
        failures
    )
