"""Households ready to apply, and a walker that takes a case to any step through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from households.models import Member, RiskType
from households.tests.factories import HouseholdFactory, IncomeRecordFactory, MemberFactory
from identification import services
from identification.models import CaseState, ComparisonDataset, ComparisonRecord
from identification.services import TeamMember


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


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


ORDER = [
    CaseState.APPLIED,
    CaseState.VERIFIED,
    CaseState.DELIBERATED,
    CaseState.COMPARED,
    CaseState.VILLAGE_PUBLICIZING,
    CaseState.TOWN_REVIEWING,
    CaseState.TOWN_PUBLICIZING,
    CaseState.COUNTY_FILING,
    CaseState.FILED,
]


def walk(world, target: str, *, household=None, village=None, start: int = 80):
    """Apply for a household of A1 (or ``village``) and take it to ``target`` through the services.

    Step dates run from ``start`` days ago, so both publicities have run their days.
    """
    village = village or world.a1
    monitor = world.alice if village == world.a1 else world.bob
    town_official = world.carol
    household = household or household_ready(village, group=world.groups[village.pk])
    head = household.members.get(relation=Member.Relation.HEAD)
    case = services.case_apply(
        actor=monitor,
        household=household,
        applicant=head,
        applied_on=days_ago(start),
        hardship="户主突发重病，医疗支出大",
        risk_types=[RiskType.objects.get(code="illness")],
    )
    steps = [
        lambda: services.case_verify(
            actor=monitor,
            case=case,
            checked_on=days_ago(start - 2),
            team=[
                TeamMember(role="village_committee", user=monitor),
                TeamMember(role="helper", name="帮扶人吴某"),
            ],
            findings="入户核实，户主住院",
            passed=True,
            medical_burden=True,
        ),
        lambda: services.case_record_deliberation(
            actor=monitor,
            case=case,
            group=world.groups[village.pk],
            held_on=days_ago(start - 4),
            expected=9,
            present=6,
            approvals=5,
        ),
        lambda: services.case_compare(
            actor=world.erin, case=case, compared_on=days_ago(start - 6), judgements={}
        ),
        lambda: services.case_publicize_village(
            actor=monitor,
            case=case,
            meeting_on=days_ago(start - 8),
            decision="同意纳入，予以公示",
            publicity_started_on=days_ago(start - 8),
        ),
        lambda: services.publicity_conclude(case=case),
        lambda: services.case_approve_town(
            actor=town_official,
            case=case,
            meeting_on=days_ago(start - 20),
            approved=True,
            opinion="同意",
            publicity_started_on=days_ago(start - 20),
        ),
        lambda: services.publicity_conclude(case=case),
        lambda: services.case_file(
            actor=world.erin,
            case=case,
            filed_on=days_ago(start - 30),
            category="sudden",
            risk_types=[RiskType.objects.get(code="illness")],
        ),
    ]
    for step in steps[: ORDER.index(target)]:
        step()
        case.refresh_from_db()
    return case
