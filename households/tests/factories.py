import datetime
import itertools
from decimal import Decimal

import factory

from households.id_numbers import make_id_number
from households.models import Household, IncomeRecord, Member, Visit
from organization.tests.factories import VillageFactory

_orders: dict[tuple[datetime.date, bool], itertools.count] = {}
_default_days = itertools.count()


def new_id_number(born: datetime.date | None = None, *, male: bool = True) -> str:
    """A fresh valid ID number, born exactly on ``born`` when given (else on some adult's birthday).

    Each birth date has 499 order codes per sex (GB 11643: odd for men), so a
    given date never drifts however many numbers a test run asks for.
    """
    if born is None:
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=next(_default_days) % 15000)
    # Order codes start at 002/003: a number ending in 000 reads as one Excel rounded.
    k = next(_orders.setdefault((born, male), itertools.count(1)))
    if k >= 500:
        raise ValueError(f"no more ID numbers for {born} ({'M' if male else 'F'})")
    return make_id_number(region="340621", born=born, sequence=k * 2 + (1 if male else 0))


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
