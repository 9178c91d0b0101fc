import datetime
import itertools
from decimal import Decimal

import factory

from households.id_numbers import make_id_number
from households.models import Household, IncomeRecord, Member, Visit
from organization.tests.factories import VillageFactory

_sequence = itertools.count(1)


def new_id_number(born: datetime.date = datetime.date(1980, 5, 17), *, male: bool = True) -> str:
    """A fresh valid ID number; the order code's parity sets the sex (GB 11643)."""
    n = next(_sequence)
    order = (n * 2 + (1 if male else 0)) % 1000
    return make_id_number(
        region="340621", born=born + datetime.timedelta(days=n // 500), sequence=order
    )


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    village = factory.SubFactory(VillageFactory)
    head_name = factory.Sequence(lambda n: f"张{n}")
    address = factory.LazyAttribute(lambda o: f"{o.village.name}{o.head_name}家")
    status_2020 = "poverty_alleviated"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory)
    name = factory.LazyAttribute(lambda o: o.household.head_name)
    id_number = factory.LazyFunction(new_id_number)
    relation = Member.Relation.HEAD
    sex = factory.LazyAttribute(lambda o: "M" if int(o.id_number[16]) % 2 else "F")
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(
            int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14])
        )
    )


class IncomeRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomeRecord

    household = factory.SubFactory(HouseholdFactory)
    year = 2021
    household_size = 2
    wage_income = Decimal("8000")
    per_capita_net_income = factory.LazyAttribute(
        lambda o: (o.wage_income / o.household_size).quantize(Decimal("0.01"))
    )


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    household = factory.SubFactory(HouseholdFactory)
    visitor = factory.SubFactory("organization.tests.factories.UserFactory")
    visited_on = datetime.date(2021, 6, 1)
    findings = "生产生活正常"
