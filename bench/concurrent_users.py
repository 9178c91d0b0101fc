"""Fifty signed-in users at once, every role, pages and API, through gunicorn (issue 13, "Load").

    python bench/concurrent_users.py [--users 50] [--steady 60] [--saturate 30] [--port 8300]

Uses whatever database DATABASE_URL / VAR_DIR point at, which must hold the demo accounts
(``make demo``'s three commands, or a seeded bench database). Installs the pinned load
generator of ``bench/requirements.txt`` if it is missing, picks each role's paths from the
database within the role's scope, starts gunicorn as ``served.py`` does (2 workers,
persistent connections), and runs ``bench/locustfile.py`` headless on 127.0.0.1: every user
signs in once, then ``--steady`` seconds with a think time, then ``--saturate`` seconds with
none, which gives the saturation throughput.

Reports p50, p95 and p99 per kind of request in the steady phase, the sign-in times and the
requests per second of both phases. Exits 1 on any 5xx, any refused sign-in, any lockout
(a 429, or a new failed-sign-in record of django-axes), any request that did not answer 200,
or a steady-state p95 of ``--target`` ms or more.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from common import RESULTS, ROOT, setup_django
from load import HOST
from served import start_gunicorn

PASSWORD = "Suixi@2021"
REQUIREMENTS = ROOT / "bench" / "requirements.txt"


# locust lives in a virtualenv of its own: installed beside the project, its pytest plugin
# would patch the standard library with gevent in every test run.
LOCUST_VENV = ROOT / "bench" / "results" / "locust-venv"


def ensure_locust() -> Path:
    """The pinned locust's command, installed into ``LOCUST_VENV`` on first use."""
    locust = LOCUST_VENV / "bin" / "locust"
    pinned = re.search(r"^locust==(\S+)", REQUIREMENTS.read_text(), re.M).group(1)
    python = LOCUST_VENV / "bin" / "python"
    if locust.exists():
        found = subprocess.run(
            [str(python), "-c", "import importlib.metadata as m; print(m.version('locust'))"],
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        if found == pinned:
            return locust
    subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True
    )
    return locust


def role_paths() -> dict[str, dict[str, list[str]]]:
    """What each demo account reads: its pages and the API, with ids from its own scope."""
    from assistance.selectors import help_visit_list, plan_list
    from early_warnings.models import Warning
    from households.selectors import household_list, monitoring_subject_list
    from identification.selectors import case_list
    from organization.models import User

    def ids(qs, n: int = 5) -> list[int]:
        return list(qs.order_by("-pk").values_list("pk", flat=True)[:n])

    user = {u.username: u for u in User.objects.filter(username__in=ROLES)}
    county, town, village, helper = (
        user["county_admin"],
        user["town_official"],
        user["village_monitor"],
        user["helper"],
    )

    def detail(pattern: str, found: list[int]) -> list[str]:
        return [pattern.format(pk) for pk in found]

    village_households = ids(household_list(user=village))
    village_warnings = ids(Warning.objects.filter(village_id=village.village_id))
    return {
        "county_admin": {
            "pages": [
                "/",
                "/households/overview/",
                f"/households/?village={village.village_id}",
                "/households/monitoring/",
                "/identification/",
                "/warnings/county/",
                "/assistance/",
                "/assistance/plans/stats/",
                *detail("/households/{}/", ids(household_list(user=county), 3)),
                *detail("/identification/{}/", ids(case_list(user=county), 3)),
            ],
            "api": [
                "/api/households/?page_size=20",
                "/api/monitoring-subjects/",
                "/api/identification-cases/",
                "/api/warnings/",
                "/api/help-assignments/",
                *detail("/api/households/{}/", ids(household_list(user=county), 3)),
            ],
        },
        "town_official": {
            "pages": [
                "/",
                "/households/",
                "/warnings/town/",
                "/identification/",
                "/assistance/",
                "/assistance/unpaired/",
                "/assistance/visits/due/",
                *detail("/identification/{}/", ids(case_list(user=town), 3)),
            ],
            "api": [
                "/api/households/?page_size=20",
                "/api/identification-cases/",
                "/api/warnings/",
                "/api/visits/due/",
                *detail("/api/monitoring-subjects/{}/", ids(monitoring_subject_list(user=town), 3)),
            ],
        },
        "village_monitor": {
            "pages": [
                "/",
                "/households/",
                "/households/monitoring/",
                "/warnings/village/",
                "/identification/",
                "/assistance/visits/must-visit/",
                *detail("/households/{}/", village_households),
                *detail("/warnings/w/{}/", village_warnings[:2]),
            ],
            "api": [
                "/api/households/?page_size=20",
                "/api/members/",
                "/api/visits/",
                "/api/warnings/",
                *detail("/api/households/{}/", village_households[:3]),
            ],
        },
        "dept_yibao": {
            "pages": [
                "/",
                "/warnings/uploads/",
                "/warnings/outcomes/",
                "/warnings/indicators/",
                "/departments/",
            ],
            "api": ["/api/uploads/", "/api/indicators/", "/api/warnings/", "/api/notifications/"],
        },
        "helper": {
            "pages": [
                "/",
                "/assistance/visits/due/",
                *detail("/assistance/plans/{}/", ids(plan_list(user=helper), 3)),
                *detail("/assistance/help-visits/{}/", ids(help_visit_list(user=helper), 2)),
            ],
            "api": [
                "/api/assistance-plans/",
                "/api/help-visits/",
                "/api/visits/due/",
                "/api/measures/",
            ],
        },
    }


ROLES = ("county_admin", "town_official", "village_monitor", "dept_yibao", "helper")


def failed_sign_ins() -> int:
    from axes.models import AccessAttempt, AccessFailureLog

    return AccessAttempt.objects.count() + AccessFailureLog.objects.count()


def pct(samples: list[float]) -> tuple[float, float, float]:
    if len(samples) < 2:
        value = samples[0] if samples else 0.0
        return value, value, value
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def report(data: dict, seconds: dict[str, float]) -> dict:
    rows: dict[str, list[float]] = defaultdict(list)
    by_phase: dict[str, list] = defaultdict(list)
    for phase, _role, name, ms, status in data["samples"]:
        by_phase[phase].append((name, ms, status))
        if phase == "steady" or name.startswith("sign-in"):
            rows[name].append(ms)
    steady = by_phase["steady"]
    kinds = {}
    for name in sorted(rows):
        p50, p95, p99 = pct(rows[name])
        kinds[name] = {"n": len(rows[name]), "p50": p50, "p95": p95, "p99": p99}
    groups: dict[str, list[float]] = defaultdict(list)
    for name, ms, _status in steady:
        kind, role = name.split(" ")[:2]
        groups[f"{kind} {role}"].append(ms)
        groups[kind].append(ms)
    summary = {}
    for name in sorted(groups):
        p50, p95, p99 = pct(groups[name])
        summary[name] = {"n": len(groups[name]), "p50": p50, "p95": p95, "p99": p99}
    everything = [ms for _name, ms, _status in steady]
    p50, p95, p99 = pct(everything)
    statuses = [status for phase in by_phase.values() for _n, _ms, status in phase]
    return {
        "kinds": kinds,
        "groups": summary,
        "steady": {"n": len(steady), "p50": p50, "p95": p95, "p99": p99},
        "steady_rps": len(steady) / seconds["steady"],
        "saturate_rps": len(by_phase["saturate"]) / seconds["saturate"],
        "saturate": dict(
            zip(
                ("p50", "p95", "p99"), pct([ms for _n, ms, _s in by_phase["saturate"]]), strict=True
            )
        ),
        "sign_in_s": data["times"].get("sign_in_s"),
        "server_errors": sum(1 for s in statuses if s >= 500),
        "locked_out": sum(1 for s in statuses if s == 429),
        "not_ok": sum(1 for _p, _r, name, _ms, s in data["samples"] if s not in (200, 302)),
        "refused": data["refused"],
    }


def print_report(result: dict) -> None:
    print(
        f"{'kind of request (steady phase; sign-in: all)':70} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7}"
    )
    for title, rows in (("", result["groups"]), ("", result["kinds"])):
        for name, row in rows.items():
            print(f"{name:70} {row['n']:6} {row['p50']:7.1f} {row['p95']:7.1f} {row['p99']:7.1f}")
        print(title)
    s = result["steady"]
    print(
        f"steady: {s['n']} requests, {result['steady_rps']:.1f} req/s, "
        f"p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms, p99 {s['p99']:.1f} ms"
    )
    print(
        f"saturation (no think time): {result['saturate_rps']:.1f} req/s, "
        f"p50 {result['saturate']['p50']:.1f} ms, p95 {result['saturate']['p95']:.1f} ms"
    )
    print(
        f"all signed in after {result['sign_in_s']:.1f} s; refused sign-ins {result['refused']}, "
        f"429 {result['locked_out']}, new axes failure records {result['new_failures']}, "
        f"5xx {result['server_errors']}, other non-200 {result['not_ok']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--steady", type=float, default=60)
    parser.add_argument("--saturate", type=float, default=30)
    parser.add_argument("--think", default="1,3", help="seconds between a user's requests")
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--target", type=float, default=100, help="steady p95 limit, ms")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    locust = ensure_locust()
    setup_django()
    from django.db import connection

    RESULTS.mkdir(parents=True, exist_ok=True)
    label = args.label or connection.vendor
    paths_file = RESULTS / f"locust-paths-{label}.json"
    samples_file = RESULTS / f"locust-samples-{label}.json"
    paths_file.write_text(json.dumps({"password": PASSWORD, "roles": role_paths()}, indent=1))
    failures_before = failed_sign_ins()
    connection.close()
    server = start_gunicorn(args.port)
    think_min, think_max = args.think.split(",")
    env = {
        **os.environ,
        "LOAD_PATHS": str(paths_file),
        "LOAD_SAMPLES": str(samples_file),
        "LOAD_USERS": str(args.users),
        "LOAD_STEADY": str(args.steady),
        "LOAD_SATURATE": str(args.saturate),
        "LOAD_THINK_MIN": think_min,
        "LOAD_THINK_MAX": think_max,
    }
    try:
        subprocess.run(
            [str(locust), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "--users", str(args.users), "--spawn-rate", str(args.users),
             "--host", f"http://{HOST}:{args.port}", "--only-summary", "--loglevel", "WARNING",
             "--run-time", f"{int(args.steady + args.saturate + 240)}s", "--stop-timeout", "10",
             "--exit-code-on-error", "0"],
            env=env, check=True, cwd=ROOT,
        )  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    result = report(
        json.loads(samples_file.read_text()), {"steady": args.steady, "saturate": args.saturate}
    )
    result["new_failures"] = failed_sign_ins() - failures_before
    result.update(database=connection.vendor, users=args.users, think=args.think)
    result["load_average"] = os.getloadavg()
    print_report(result)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    (RESULTS / f"locust-{label}.json").write_text(json.dumps(result, indent=1))
    problems = [
        name
        for name in ("server_errors", "locked_out", "new_failures", "refused", "not_ok")
        if result[name]
    ]
    if result["steady"]["p95"] >= args.target:
        problems.append(f"steady p95 {result['steady']['p95']:.1f} ms >= {args.target:g} ms")
    if problems:
        raise SystemExit(f"FAILED: {', '.join(problems)}")
    print(f"OK: no 5xx, no lockout, steady p95 under {args.target:g} ms")


if __name__ == "__main__":
    main()
