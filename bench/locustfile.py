"""The simulated users of ``bench/concurrent_users.py`` (run by locust, not imported by Django).

One user class per role, equally weighted. Every simulated user signs in once (a password
check costs about 0.35 s of CPU, so signing in per request would measure the hasher, not
the pages): alternately as a browser (the login form, then pages with the session cookie)
and as an API client (``POST /api/auth/token/``, then the API with the token). Each then
reads the paths ``concurrent_users.py`` picked for its role from the database, within its
scope, in random order.

Phases, switched by the controller below and written with every sample: ``sign-in`` until
every user is in, ``steady`` (a think time of ``LOAD_THINK_MIN``..``LOAD_THINK_MAX`` seconds
between requests, as people read a page before the next click) for ``LOAD_STEADY`` seconds,
then ``saturate`` (no think time) for ``LOAD_SATURATE`` seconds, then the run ends and the
samples go to ``LOAD_SAMPLES`` for the driver to judge.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["LOAD_PATHS"]).read_text())
USERS = int(os.environ.get("LOAD_USERS", "50"))
STEADY = float(os.environ.get("LOAD_STEADY", "60"))
SATURATE = float(os.environ.get("LOAD_SATURATE", "30"))
THINK = (float(os.environ.get("LOAD_THINK_MIN", "1")), float(os.environ.get("LOAD_THINK_MAX", "3")))
SIGN_IN_LIMIT = 180  # seconds for all users to be in; past it the run is a failure

STATE = {"phase": "sign-in", "signed_in": 0, "refused": 0, "times": {}}
# When each phase began (wall clock, as locust's ``start_time``): a request belongs to the
# phase it was sent in, so one sent during the sign-ins and answered after them is not
# counted in the steady phase.
PHASE_STARTS: list[tuple[float, str]] = [(0.0, "sign-in")]
SAMPLES: list[list] = []
ID = re.compile(r"/\d+/")


def kind_of(path: str) -> str:
    """The request's kind for the report: its path with ids and query left out."""
    return ID.sub("/<id>/", path.split("?", 1)[0])


@events.request.add_listener
def _record(request_type, name, response_time, response, context, start_time=None, **_):
    status = getattr(response, "status_code", 0) or 0
    sent = start_time if start_time is not None else time.time()
    phase = next(name for begun, name in reversed(PHASE_STARTS) if begun <= sent)
    SAMPLES.append([phase, context.get("role", ""), name, round(response_time, 2), status])


def _enter(phase: str) -> None:
    STATE["phase"] = phase
    PHASE_STARTS.append((time.time(), phase))


def _controller(environment) -> None:
    started = time.monotonic()
    while STATE["signed_in"] + STATE["refused"] < USERS:
        if time.monotonic() - started > SIGN_IN_LIMIT:
            STATE["times"]["sign_in_timeout"] = True
            break
        gevent.sleep(0.05)
    STATE["times"]["sign_in_s"] = time.monotonic() - started
    _enter("steady")
    gevent.sleep(STEADY)
    _enter("saturate")
    gevent.sleep(SATURATE)
    _enter("done")
    environment.runner.quit()


@events.test_start.add_listener
def _start(environment, **_) -> None:
    gevent.spawn(_controller, environment)


@events.quitting.add_listener
def _write(environment, **_) -> None:
    out = {"times": STATE["times"], "refused": STATE["refused"], "samples": SAMPLES}
    Path(os.environ["LOAD_SAMPLES"]).write_text(json.dumps(out))


class RoleUser(HttpUser):
    abstract = True
    role = ""

    def wait_time(self) -> float:
        return 0 if STATE["phase"] == "saturate" else random.uniform(*THINK)

    def on_start(self) -> None:
        self.as_api = next(self._turn) % 2 == 1
        password = PLAN["password"]
        ctx = {"role": self.role}
        if self.as_api:
            response = self.client.post(
                "/api/auth/token/",
                data={"username": self.role, "password": password},
                name="sign-in: POST /api/auth/token/",
                context=ctx,
            )
            if response.status_code != 200:
                self._refused()
            self.client.headers["Authorization"] = f"Token {response.json()['token']}"
        else:
            page = self.client.get("/login/", name="sign-in: GET /login/", context=ctx)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            response = self.client.post(
                "/login/",
                data={
                    "username": self.role,
                    "password": password,
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                    "next": "/",
                },
                headers={"Referer": f"{self.host}/login/"},
                allow_redirects=False,
                name="sign-in: POST /login/",
                context=ctx,
            )
            # Signed in answers a redirect away from the form; anything else is a refusal.
            if response.status_code != 302 or "/login/" in response.headers.get("Location", ""):
                self._refused()
        STATE["signed_in"] += 1
        self.paths = PLAN["roles"][self.role]["api" if self.as_api else "pages"]

    def _refused(self) -> None:
        STATE["refused"] += 1
        raise StopUser()

    @task
    def read(self) -> None:
        if STATE["phase"] == "done":
            raise StopUser()
        path = random.choice(self.paths)
        kind = "api" if self.as_api else "page"
        self.client.get(
            path, name=f"{kind} {self.role} {kind_of(path)}", context={"role": self.role}
        )


def _user_class(role: str) -> type[RoleUser]:
    return type(f"User_{role}", (RoleUser,), {"role": role, "_turn": itertools.count()})


for _role in PLAN["roles"]:
    globals()[f"User_{_role}"] = _user_class(_role)
