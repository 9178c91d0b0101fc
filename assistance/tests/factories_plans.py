"""Factories for plans and measures (三(八)1-2); the kinds are the seeded catalogue's."""

from __future__ import annotations

import datetime

import factory

from assistance.models import AssistancePlan, Measure, MeasureKind
from households.models import MonitoringSubject, RiskType
from households.tests.factories import HouseholdFactory, MemberFactory, new_id_number
from organization.tests.factories import UserFactory


def kind(code: str) -> MeasureKind:
    """A kind of the seeded catalogue (migration 0004), by its code."""
    return MeasureKind.objects.get(code=code)


def risks(*codes: str):
    return RiskType.objects.filter(code__in=codes)


def born_aged(years: int, on: datetime.date, *, days: int = 0) -> datetime.date:
    """The birth date of someone exactly ``years`` old on ``on`` (``days`` later: younger)."""
    try:
        born = on.replace(year=on.year - years)
    except ValueError:  # 29 February
        born = on.replace(year=on.year - years, day=28)
    return born + datetime.timedelta(days=days)


def member_aged(household, years: int, on: datetime.date, *, days: int = 0, **fields):
    born = born_aged(years, on, days=days)
    fields.setdefault("relation", "other")
    return MemberFactory(household=household, id_number=new_id_number(born), **fields)


class SubjectFactory(factory.django.DjangoModelFactory):
    """A household in monitoring (监测对象), created as the county filing would."""

    class Meta:
        model = MonitoringSubject
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    category = MonitoringSubject.Category.MARGINAL
    started_on = datetime.date(2021, 7, 1)

    @factory.post_generation
    def risk_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.risk_types.set(extracted)


class PlanFactory(factory.django.DjangoModelFactory):
    """A draft plan; ``state`` is protected, so an active one goes through the service."""

    class Meta:
        model = AssistancePlan
        skip_postgeneration_save = True

    subject = factory.SubFactory(SubjectFactory)
    made_on = datetime.date(2021, 8, 1)
    made_by = factory.SubFactory(UserFactory)
    wishes = "希望就近务工"


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    plan = factory.SubFactory(PlanFactory)
    kind = factory.LazyFunction(lambda: kind("local_work"))
    description = "联系就近就业"
