"""Households ready to apply, and a walker that takes a case to any step through the services."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from households.models import Member
from households.tests.factories import HouseholdFactory, IncomeRecordFactory, MemberFactory
from identification.management.demo import days_ago, walk_case
from identification.models import ComparisonDataset, ComparisonRecord
from identification.services import TeamMember


def household_ready(village, *, group=None, members: int = 2):
    """A 脱贫户 in scope of 三(五)1 with an income below the line."""
    household = HouseholdFactory(village=village, group=group, status_2020="poverty_alleviated")
    head = MemberFactory(household=household, relation=Member.Relation.HEAD)
    for _ in range(members - 1):
        MemberFactory(household=household, relation=Member.Relation.SPOUSE, name="李某")
    IncomeRecordFactory(
        household=household,
        year=timezone.localdate().year - 1,
        household_size=members,
        wage_income=Decimal("9000"),
        per_capita_net_income=Decimal("9000") / members,
    )
    household.head = head
    return household


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComparisonDataset

    kind = "vehicle"
    as_of = factory.LazyFunction(lambda: days_ago(30))
    file_name = "车辆.xlsx"
    sha256 = factory.Sequence(lambda n: f"{n:064d}")
    uploaded_by = factory.SubFactory("organization.tests.factories.UserFactory")


def dataset_with(member: Member, *, kind: str = "vehicle", detail: str = "皖F12345 小型轿车"):
    dataset = DatasetFactory(kind=kind)
    ComparisonRecord.objects.create(
        dataset=dataset, id_number=member.id_number, name=member.name, detail=detail, row_number=2
    )
    dataset.row_count = 1
    dataset.save()
    return dataset


def team(world) -> list[TeamMember]:
    return [
        TeamMember(role="village_committee", user=world.alice),
        TeamMember(role="work_team", name="驻村队员周某"),
    ]


def walk(world, target: str, *, household=None, village=None, start: int = 80):
    """Apply for a household of A1 (or ``village``) and take it to ``target`` through the services.

    Step dates run from ``start`` days ago, so both publicities have run their days.
    """
    village = village or world.a1
    return walk_case(
        household=household or household_ready(village, group=world.groups[village.pk]),
        target=target,
        monitor=world.alice if village == world.a1 else world.bob,
        town=world.carol,
        county=world.erin,
        start=start,
    )
