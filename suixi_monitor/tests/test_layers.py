"""Dependencies point one way (docs/architecture.md): organization ← households ← {identification,
assistance, early_warnings}. A lower app never imports a higher one; where it needs what a
higher app knows (a helper's households), the higher app registers it from ``ready()``."""

import ast
import datetime
from pathlib import Path

import pytest
from django.conf import settings

from assistance.models import HelpAssignment
from assistance.selectors import assigned_household_ids
from households.selectors import HELPER_HOUSEHOLDS, helper_villages, household_list
from households.tests.factories import HouseholdFactory
from organization.selectors import HELPER_VILLAGES, village_list

ROOT = Path(settings.BASE_DIR)
ABOVE = {
    "organization": {
        "households",
        "identification",
        "assistance",
        "early_warnings",
        "declarations",
    },
    "households": {"identification", "assistance", "early_warnings", "declarations"},
    # Self-declaration opens identification cases; nothing beside or below it imports it.
    "identification": {"declarations"},
    "assistance": {"declarations"},
    "early_warnings": {"declarations"},
}


def imported_apps(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_a_lower_app_never_imports_a_higher_one(app):
    sources = [p for p in (ROOT / app).rglob("*.py") if "tests" not in p.parts]
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & ABOVE[app]) for path in sources
    }
    assert {path: apps for path, apps in offenders.items() if apps} == {}


def test_assistance_supplies_the_helpers_scope_to_the_registry_and_the_organisation():
    assert assigned_household_ids in HELPER_HOUSEHOLDS.rules
    assert helper_villages in HELPER_VILLAGES.rules


def test_a_helper_sees_the_paired_household_and_nothing_without_a_pairing_rule(world, monkeypatch):
    household = HouseholdFactory(village=world.a1)
    HouseholdFactory(village=world.a2)
    HelpAssignment.objects.create(
        household=household, helper=world.grace, started_on=datetime.date(2021, 5, 1)
    )
    assert list(household_list(user=world.grace)) == [household]
    assert list(village_list(user=world.grace)) == [world.a1]
    monkeypatch.setattr(HELPER_HOUSEHOLDS, "rules", [])
    assert not household_list(user=world.grace).exists()
    assert not village_list(user=world.grace).exists()
