"""Pages carry no inline code: scripts and styles are static files (served on an intranet too)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=", re.IGNORECASE)
# A policy number is rendered from the year's PolicySettings, never written into a page.
FIXED_DAY = re.compile(r"每月\s*\d+\s*日")


def templates() -> list[Path]:
    found = list((ROOT / "templates").rglob("*.html"))
    found += [p for p in ROOT.glob("*/templates/**/*.html") if ".venv" not in p.parts]
    assert found
    return found


def test_no_template_holds_an_inline_script_or_style():
    offenders = [str(p.relative_to(ROOT)) for p in templates() if INLINE.search(p.read_text())]
    assert offenders == []


def test_no_template_fixes_a_monthly_day_of_the_policy():
    offenders = [str(p.relative_to(ROOT)) for p in templates() if FIXED_DAY.search(p.read_text())]
    assert offenders == []
