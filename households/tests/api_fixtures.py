"""A small registry on top of the shared ``world``: one household per village, each with a head,
a 2021 income record, a visit and a monitoring subject; grace helps the A1 household.

Which of them each actor may see is the scoping rule (docs/architecture.md), written out by hand
in ``VISIBLE`` so that the tests do not reuse the code under test to compute their answers.
"""

import datetime
from types import SimpleNamespace

from assistance.models import HelpAssignment
from households.models import MonitoringSubject, RiskType
from households.tests.factories import (
    HouseholdFactory,
    IncomeRecordFactory,
    MemberFactory,
    VisitFactory,
)

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]

# Which villages' households each actor sees.
VISIBLE = {
    "alice": {"a1"},
    "bob": {"a2"},
    "carol": {"a1", "a2"},
    "dave": {"b1"},
    "erin": {"a1", "a2", "b1"},
    "frank": set(),
    "grace": {"a1"},  # only the assigned household, which is in A1
}

# The village each registry keeper works in; helpers and department staff keep no registry.
HOME = {"alice": "a1", "bob": "a2", "carol": "a2", "dave": "b1", "erin": "b1"}
KEEPERS = set(HOME)
VISITORS = KEEPERS | {"grace"}


def build_registry(world) -> SimpleNamespace:
    households, members, incomes, visits, subjects = {}, {}, {}, {}, {}
    illness = RiskType.objects.get(code="illness")
    for key in ("a1", "a2", "b1"):
        village = getattr(world, key)
        household = HouseholdFactory(village=village, head_name=f"{village.name}户主")
        households[key] = household
        members[key] = MemberFactory(household=household, name=household.head_name)
        incomes[key] = IncomeRecordFactory(household=household, year=2021)
        visits[key] = VisitFactory(household=household, visitor=world.erin)
        subject = MonitoringSubject(
            household=household,
            category=MonitoringSubject.Category.MARGINAL,
            started_on=datetime.date(2021, 7, 1),
        )
        subject.save()
        subject.risk_types.set([illness])
        subjects[key] = subject
    HelpAssignment.objects.create(
        household=households["a1"], helper=world.grace, started_on=datetime.date(2021, 5, 1)
    )
    return SimpleNamespace(
        households=households, members=members, incomes=incomes, visits=visits, subjects=subjects
    )
