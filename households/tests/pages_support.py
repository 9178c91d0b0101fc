"""Data the page tests share: one household in village A1 (with everything hanging off it)
and one in village B1, and grace's help assignment to the A1 household; what the new-household
form posts."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from assistance.models import HelpAssignment
from households import services
from households.models import RiskType
from households.tests.factories import (
    HouseholdFactory,
    IncomeRecordFactory,
    MemberFactory,
    VisitFactory,
    new_id_number,
)


def registry(world) -> SimpleNamespace:
    # 三(一): a 边缘易致贫户 is a 低保 (or 特困, disabled, ill) household; a 脱贫户 would be 脱贫不稳定户.
    a1 = HouseholdFactory(
        village=world.a1, head_name="李大山", group=world.groups[world.a1.pk], status_2020="dibao"
    )
    head = MemberFactory(household=a1, name="李大山")
    income = IncomeRecordFactory(household=a1, year=2021, wage_income=Decimal("9000"))
    visit = VisitFactory(household=a1, visitor=world.alice)
    subject = services.monitoring_subject_create(
        actor=world.erin,
        household=a1,
        category="marginal",
        risk_types=RiskType.objects.filter(code="illness"),
        started_on=datetime.date(2021, 7, 1),
    )
    b1 = HouseholdFactory(village=world.b1, head_name="王小河", status_2020="ordinary")
    b1_head = MemberFactory(household=b1, name="王小河")
    b1_income = IncomeRecordFactory(household=b1, year=2021)
    b1_subject = services.monitoring_subject_create(
        actor=world.erin,
        household=b1,
        category="sudden",
        risk_types=RiskType.objects.filter(code="disaster"),
        started_on=datetime.date(2021, 8, 1),
    )
    HelpAssignment.objects.create(
        household=a1, helper=world.grace, started_on=datetime.date(2021, 3, 1)
    )
    return SimpleNamespace(
        a1=a1,
        head=head,
        income=income,
        visit=visit,
        subject=subject,
        b1=b1,
        b1_head=b1_head,
        b1_income=b1_income,
        b1_subject=b1_subject,
    )


def login(client, user):
    client.force_login(user)
    return client


def household_post(village, members, **fields):
    data = {
        "village": village.pk,
        "group": "",
        "address": "濉溪县某村",
        "phone": "13800000000",
        "status_2020": "dibao",
        "registered_in_county": "on",
        "long_term_resident": "on",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, member in enumerate(members):
        row = {
            "labour_capacity": "ordinary",
            "health": "healthy",
            "disability_grade": "",
            "schooling": "",
            **member,
        }
        for name, value in row.items():
            data[f"members-{index}-{name}"] = value
    return data


def two_members(second_id=None):
    return [
        {"name": "周建国", "id_number": new_id_number(), "relation": "head"},
        {
            "name": "吴秀英",
            "id_number": second_id or new_id_number(male=False),
            "relation": "spouse",
        },
    ]
