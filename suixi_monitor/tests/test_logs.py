"""ID numbers never reach a log whole: not gunicorn's access log (a search puts them in the
query string) and not Django's own log lines."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from suixi_monitor.logs import MaskIdNumbersFilter, mask_id_numbers

ROOT = Path(__file__).resolve().parents[2]
ID = "340621199001011234"
MASKED = "340621********1234"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            f"GET /households/?q={ID}&page=2 HTTP/1.1",
            f"GET /households/?q={MASKED}&page=2 HTTP/1.1",
        ),
        ("?q=34062119900101123x", "?q=340621********123x"),
        ("q=340621900101123", "q=340621*****1123"),  # the old 15-digit numbers
        (
            "/api/households/?q=3406211990010112&town=3",
            "/api/households/?q=340621******0112&town=3",
        ),
    ],
)
def test_id_numbers_are_masked(text, masked):
    assert mask_id_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    ["?page=2&town=17", "phone=13800000000", "token=ab340621199001011234cd", "/households/42/"],
)
def test_other_numbers_are_left_alone(text):
    assert mask_id_numbers(text) == text


def test_djangos_log_lines_are_masked():
    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Not Found: %s", None, None
    )
    record.args = (f"/households/?q={ID}",)
    assert MaskIdNumbersFilter().filter(record)
    assert record.getMessage() == f"Not Found: /households/?q={MASKED}"
    handlers = logging.getLogger().handlers
    assert any(isinstance(f, MaskIdNumbersFilter) for h in handlers for f in h.filters)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_gunicorn_access_log_masks_id_numbers(tmp_path):
    """gunicorn as scripts/run.sh starts it, from the repository's root (gunicorn.conf.py)."""
    port = _free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": ""}
    env.pop("DJANGO_SETTINGS_MODULE")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "suixi_monitor.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/no-such-page/?q={ID}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=5)
            except urllib.error.HTTPError:
                break  # 404: served, and logged
            except OSError:
                time.sleep(0.2)
        for _ in range(50):
            if log.exists() and "no-such-page" in log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert f"/no-such-page/?q={MASKED}" in text
    assert ID not in text
