"""A monitoring subject keeps its household's village (the dashboards count subjects per
village from that copy): set when the subject is first saved, by the filing service and by the
demo's bulk rows alike, and moved with the household."""

import datetime

import pytest
from django.core.management import call_command

from households.models import Household, MonitoringSubject, RiskType
from households.services import household_update, monitoring_subject_create
from households.tests.factories import HouseholdFactory, MemberFactory


@pytest.fixture
def subject(world):
    household = HouseholdFactory(village=world.a1, status_2020="poverty_alleviated")
    MemberFactory(household=household)
    return monitoring_subject_create(
        actor=world.erin,
        household=household,
        category="unstable",
        risk_types=RiskType.objects.all()[:1],
        started_on=datetime.date(2025, 3, 1),
    )


def test_the_filing_copies_the_village(world, subject):
    assert MonitoringSubject.objects.get(pk=subject.pk).village_id == world.a1.pk


def test_a_household_moving_takes_its_subjects_along(world, subject):
    household = Household.objects.get(pk=subject.household_id)
    household_update(actor=world.erin, household=household, village=world.b1, group=None)
    assert MonitoringSubject.objects.get(pk=subject.pk).village_id == world.b1.pk
    # Only a move writes the subjects: an edit that keeps the village leaves them alone.
    MonitoringSubject.objects.filter(pk=subject.pk).update(village=world.a2)
    household = Household.objects.get(pk=subject.household_id)
    household_update(actor=world.erin, household=household, address="新地址")
    assert MonitoringSubject.objects.get(pk=subject.pk).village_id == world.a2.pk


@pytest.mark.django_db
def test_demo_subjects_carry_their_households_village():
    call_command("seed_demo", households=60, verbosity=0)
    subjects = MonitoringSubject.objects.select_related("household")
    assert subjects.exists()
    assert all(s.village_id == s.household.village_id for s in subjects)
