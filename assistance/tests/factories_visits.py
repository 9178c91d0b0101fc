"""Data for the pairing and visit tests: households with monitoring subjects, assignments, a
plan with measures, on top of the shared ``world`` (conftest.py)."""

from __future__ import annotations

import datetime
import itertools
from types import SimpleNamespace

import factory
from django.utils import timezone

from assistance.models import (
    AssistancePlan,
    HelpAssignment,
    Measure,
    MeasureKind,
    PlanState,
)
from households.models import MonitoringSubject, RiskType
from households.tests.factories import HouseholdFactory, MemberFactory, new_id_number
from organization.models import Role
from organization.tests.factories import HelpUnitFactory, UserFactory

# 三(一): the 2020 status that goes with each category.
STATUS_FOR = {"unstable": "poverty_alleviated", "marginal": "dibao", "sudden": "ordinary"}


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


class HelpAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HelpAssignment

    household = factory.SubFactory(HouseholdFactory)
    helper = factory.SubFactory(UserFactory, role=Role.HELPER)
    kind = HelpAssignment.Kind.RESPONSIBLE
    started_on = datetime.date(2021, 3, 1)


_head_days = itertools.count()


def subject_for(village, *, category="unstable", name=None, started_on=None, risks=("illness",)):
    """A household of ``village`` with a head and a monitored subject of ``category``."""
    kwargs = {"head_name": name} if name else {}
    household = HouseholdFactory(village=village, status_2020=STATUS_FOR[category], **kwargs)
    # A head of working age, born 1975–1984: no must-visit kind of its own (三(四)1 独居老人
    # begins at 60). The birthday moves on with each head, so a long run never runs out of
    # the 499 order codes a day has.
    born = datetime.date(1975, 1, 1) + datetime.timedelta(days=next(_head_days) % 3650)
    MemberFactory(household=household, name=household.head_name, id_number=new_id_number(born))
    subject = MonitoringSubject.objects.create(
        household=household, category=category, started_on=started_on or days_ago(100)
    )
    subject.risk_types.set(RiskType.objects.filter(code__in=risks))
    return subject


def helper(username: str, *, unit=None, town=None, village=None):
    return UserFactory(
        username=username, role=Role.HELPER, help_unit=unit, town=town, village=village
    )


def plan_with_measures(subject, made_by, *, states=("planned", "in_progress")):
    plan = AssistancePlan.objects.create(
        subject=subject, made_on=days_ago(60), made_by=made_by, state=PlanState.ACTIVE
    )
    kinds = list(MeasureKind.objects.filter(is_active=True)[: len(states)])
    measures = [
        Measure.objects.create(
            plan=plan,
            kind=kind,
            state=state,
            started_on=days_ago(50) if state != "planned" else None,
        )
        for kind, state in zip(kinds, states, strict=True)
    ]
    return plan, measures


def help_world(world) -> SimpleNamespace:
    """- ``alleviated``: a 脱贫户 of A1 (脱贫不稳定户), paired with grace (unit 一号单位);
    - ``marginal``: a 低保户 of A1 (边缘易致贫户), not paired;
    - ``b1``: a 脱贫户 of B1, not paired."""
    unit = HelpUnitFactory(name="县一号帮扶单位")
    world.grace.help_unit = unit
    world.grace.save()
    alleviated = subject_for(world.a1, name="张大", started_on=days_ago(100))
    marginal = subject_for(world.a1, category="marginal", name="李二", started_on=days_ago(40))
    b1 = subject_for(world.b1, name="王三", started_on=days_ago(70))
    grace_assignment = HelpAssignmentFactory(
        household=alleviated.household, helper=world.grace, help_unit=unit
    )
    return SimpleNamespace(
        unit=unit,
        alleviated=alleviated,
        marginal=marginal,
        b1=b1,
        grace_assignment=grace_assignment,
    )
