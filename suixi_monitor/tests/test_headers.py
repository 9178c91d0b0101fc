"""The browser's own protections: a Content-Security-Policy with no inline code allowed, HTTPS
settings from the environment, and a secret key file that only its owner can read."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from households.tests.factories import HouseholdFactory

BASE_DIR = Path(__file__).resolve().parents[2]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_pages_carry_a_content_security_policy_without_unsafe_inline(world, client):
    client.force_login(world.alice)
    response = client.get("/households/")
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_the_api_docs_run_no_inline_script(world, client):
    client.force_login(world.erin)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style>" not in html
    assert "<script>" not in html  # the start-up script is a file (?script)
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")


def _settings_in_a_child(env: dict[str, str], *names: str) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{name}))" for name in names
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "suixi_monitor.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split("\n")[: len(names)]


def test_https_settings_come_from_the_environment(tmp_path):
    names = (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
    )
    env = {
        "VAR_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 50,
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    }
    assert _settings_in_a_child(env, *names) == [
        "True",
        "31536000",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
    ]
    # Nothing set: plain http on 127.0.0.1 keeps working (make run).
    plain = {"VAR_DIR": str(tmp_path), "SECRET_KEY": "x" * 50}
    assert _settings_in_a_child(plain, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS") == [
        "False",
        "0",
    ]


def test_the_secret_key_file_is_created_owner_only_from_the_start(tmp_path):
    # A umask that would leave a new file world-readable: the mode must not depend on it.
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="suixi_monitor.settings")
    code = (
        "import os, builtins; os.umask(0o022); opened = []; real = os.open\n"
        "def spy(path, flags, mode=0o777, *a, **k):\n"
        "    opened.append((str(path), mode)); return real(path, flags, mode, *a, **k)\n"
        "os.open = spy\n"
        "import django; django.setup(); from django.conf import settings\n"
        "print(len(settings.SECRET_KEY)); print([m for p, m in opened if p.endswith('secret_key')])"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    length, modes = run.stdout.split("\n")[:2]
    assert int(length) >= 50
    assert modes == str([0o600])  # created with its final mode, not chmod-ed afterwards
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # A second start reads the same key.
    again = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert again.stdout.split("\n")[0] == length


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_charts_and_api_docs_work_under_the_policy(live_server, world, open_page):
    """Chromium enforces the policy: the county's dashboard draws its ECharts charts (SVG) and
    their tooltips, and both API documentation pages render, with no violation reported."""
    HouseholdFactory.create_batch(3, village=world.a1)
    page = open_page(width=1280, height=900)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or message.text.startswith("Error")
            else None
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", world.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/households/overview/")
    chart = page.locator(".chart svg").first
    chart.wait_for()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)

    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    page.goto(f"{live_server.url}/api/redoc/")
    page.locator("redoc h1, #redoc-container h1, .api-info h1").first.wait_for()
    # ReDoc's footer asks for its vendor's logo from a CDN: refused, as anything not from here.
    assert [text for text in violations if "https://cdn.redoc.ly/" not in text] == []
