"""The admin: every model registered and reachable, scoped by the selectors for staff who are
not superusers, and saving through the services (normalised ID numbers, computed income,
history authors)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.formats import date_format

from assistance.models import HelpAssignment
from households.id_numbers import make_id_number
from households.models import Household, IncomeRecord, Member, MonitoringSubject, RiskType
from households.tests.factories import HouseholdFactory, MemberFactory
from organization.models import Role
from organization.tests.factories import UserFactory

APPS = {"organization", "households", "assistance"}


@pytest.fixture
def root(world):
    return UserFactory(username="root", role=Role.COUNTY_BUREAU, is_superuser=True, is_staff=True)


def _staff(user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_the_foundation_is_registered():
    from django.apps import apps

    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"organization", "households"}
        and not m.__name__.startswith("Historical")
    ]
    assert len(models) >= 12
    missing = [m.__name__ for m in [*models, HelpAssignment] if m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label in APPS],
    ids=lambda m: m.__name__,
)
def test_each_admin_list_and_add_page_opens(client, world, root, model):
    MemberFactory(household=HouseholdFactory(village=world.a1))
    client.force_login(root)
    assert client.get(_url(model, "changelist")).status_code == 200
    # Records written only by steps with rules (pairing, plans, measures) have no add page.
    writable = admin.site._registry[model].has_add_permission(_request(root))
    assert client.get(_url(model, "add")).status_code == (200 if writable else 403)


def test_pairings_are_not_written_in_the_admin(client, world, root):
    """三(八)1: a pairing is made on the town's page, whose service checks scope and the
    不脱钩 rule; the admin, which cannot, only shows it."""
    client.force_login(root)
    assert client.get(_url(HelpAssignment, "add")).status_code == 403


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_models_with_history_use_the_history_admin():
    from simple_history.admin import SimpleHistoryAdmin

    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in APPS and hasattr(model, "history"):
            assert isinstance(model_admin, SimpleHistoryAdmin), model.__name__


# --- scoping -------------------------------------------------------------------------------


def test_a_town_official_on_staff_sees_only_the_towns_households(client, world):
    mine = HouseholdFactory(village=world.a2, head_name="甲镇户")
    other = HouseholdFactory(village=world.b1, head_name="乙镇户")
    client.force_login(_staff(world.carol, "view_household"))
    listing = client.get(_url(Household, "changelist"))
    assert listing.status_code == 200
    assert "甲镇户" in listing.content.decode() and "乙镇户" not in listing.content.decode()
    assert client.get(_url(Household, "change", mine.pk)).status_code == 200
    # The admin answers an object it cannot find by sending the user back to the index.
    assert client.get(_url(Household, "change", other.pk)).status_code == 302
    assert client.get(_url(Household, "history", mine.pk)).status_code == 200
    assert client.get(_url(Household, "history", other.pk)).status_code == 404


def test_another_scopes_old_versions_stay_hidden(client, world):
    other = HouseholdFactory(village=world.b1)
    version = other.history.get().history_id
    client.force_login(_staff(world.carol, "view_household", "change_household"))
    response = client.get(_url(Household, "simple_history", other.pk, version))
    assert response.status_code == 404


def test_id_numbers_are_masked_for_staff_whose_role_does_not_need_them(client, world):
    household = HouseholdFactory(village=world.a1)
    member = MemberFactory(household=household)
    HelpAssignment.objects.create(
        household=household, helper=world.grace, started_on=datetime.date(2021, 1, 1)
    )
    client.force_login(_staff(world.grace, "view_member"))
    html = client.get(_url(Member, "changelist")).content.decode()
    assert member.masked_id_number in html and member.id_number not in html
    html = client.get(_url(Member, "change", member.pk)).content.decode()
    assert member.masked_id_number in html and member.id_number not in html
    # Nor the whole birth date, which with the masked number's digits gives the number back.
    born = member.birth_date
    for page in (_url(Member, "changelist"), _url(Member, "change", member.pk)):
        html = client.get(page).content.decode()
        assert f"{born.year}年" in html
        assert born.isoformat() not in html and date_format(born) not in html


def test_a_monitor_on_staff_sees_whole_id_numbers_of_the_village(client, world):
    member = MemberFactory(household=HouseholdFactory(village=world.a1))
    hidden = MemberFactory(household=HouseholdFactory(village=world.a2))
    client.force_login(_staff(world.alice, "view_member"))
    html = client.get(_url(Member, "changelist")).content.decode()
    assert member.id_number in html and hidden.id_number not in html


# --- saving through the services ----------------------------------------------------------------


def test_a_household_saved_in_the_admin_keeps_its_author(client, root, world):
    client.force_login(root)
    response = client.post(
        _url(Household, "add"),
        {
            "village": world.a1.pk,
            "head_name": "后台户",
            "address": "甲一村9号",
            "status_2020": "ordinary",
            "registered_in_county": "on",
            "long_term_resident": "on",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
            "income_records-TOTAL_FORMS": "0",
            "income_records-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    household = Household.objects.get(head_name="后台户")
    assert household.history.get().history_user == root


def test_a_member_added_in_the_admin_is_normalised_and_derived(client, root, world):
    household = HouseholdFactory(village=world.a1)
    number = make_id_number(region="340621", born=datetime.date(1988, 8, 8), sequence=502)
    client.force_login(root)
    response = client.post(
        _url(Member, "add"),
        {
            "household": household.pk,
            "name": "后台成员",
            "id_number": number.lower(),
            "relation": "head",
            "labour_capacity": "ordinary",
            "health": "healthy",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    member = Member.objects.get(name="后台成员")
    assert (member.id_number, member.sex, member.birth_date) == (
        number,
        "F",
        datetime.date(1988, 8, 8),
    )
    assert member.history.get().history_user == root


def test_an_income_record_saved_in_the_admin_is_computed_and_flags_the_household(
    client, root, world
):
    household = HouseholdFactory(village=world.a1)
    client.force_login(root)
    fields = {
        "household": household.pk,
        "year": 2021,
        "household_size": 4,
        "wage_income": "20000",
        "business_income": "0",
        "property_income": "0",
        "transfer_income": "2000",
        "medical_expense": "6000",
        "education_expense": "0",
        "other_expense": "0",
    }
    response = client.post(_url(IncomeRecord, "add"), fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = IncomeRecord.objects.get(household=household)
    assert record.per_capita_net_income == Decimal("4000.00")
    household.refresh_from_db()
    assert household.below_income_line is True


def test_a_subject_filed_in_the_admin_goes_through_the_service(client, root, world):
    household = HouseholdFactory(village=world.a1, status_2020="ordinary")
    client.force_login(root)
    response = client.post(
        _url(MonitoringSubject, "add"),
        {
            "household": household.pk,
            "category": "sudden",
            "risk_types": [RiskType.objects.get(code="disaster").pk],
            "started_on": "2021-07-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    subject = MonitoringSubject.objects.get(household=household)
    assert subject.status == "monitoring"
    assert list(subject.risk_types.values_list("code", flat=True)) == ["disaster"]
    assert subject.history.first().history_user == root


def test_a_rule_refused_by_a_service_is_shown_and_nothing_saved(client, root, world):
    household = HouseholdFactory(village=world.a1)
    existing = MonitoringSubject(household=household, category="sudden", started_on="2021-01-01")
    existing.save()
    client.force_login(root)
    response = client.post(
        _url(MonitoringSubject, "add"),
        {
            "household": household.pk,
            "category": "marginal",
            "risk_types": [RiskType.objects.get(code="illness").pk],
            "started_on": "2021-07-01",
        },
        follow=True,
    )
    assert "该户已是监测对象，不能重复纳入" in response.content.decode()
    assert MonitoringSubject.objects.filter(household=household).count() == 1


def test_the_admin_offers_no_action_that_marks_a_subject_risk_eliminated(client, root, world):
    """三(九): a subject leaves monitoring only through the exit case's filing."""
    household = HouseholdFactory(village=world.a1)
    subject = MonitoringSubject(household=household, category="sudden", started_on="2021-01-01")
    subject.save()
    client.force_login(root)
    response = client.post(
        _url(MonitoringSubject, "changelist"),
        {"action": "eliminate_today", "_selected_action": [subject.pk]},
    )
    assert "eliminate_today" not in response.content.decode()
    subject.refresh_from_db()
    assert subject.status == "monitoring"


def test_the_household_page_lists_members_whole_or_masked_by_role(client, root, world):
    household = HouseholdFactory(village=world.a1)
    member = MemberFactory(household=household)
    client.force_login(root)
    assert member.id_number in client.get(_url(Household, "change", household.pk)).content.decode()
    HelpAssignment.objects.create(
        household=household, helper=world.grace, started_on=datetime.date(2021, 1, 1)
    )
    client.force_login(_staff(world.grace, "view_household", "view_member"))
    html = client.get(_url(Household, "change", household.pk)).content.decode()
    assert member.masked_id_number in html and member.id_number not in html


def test_an_id_number_typed_loosely_is_found_in_the_admin(client, root, world):
    household = HouseholdFactory(village=world.a1, head_name="搜索户")
    member = MemberFactory(household=household)
    client.force_login(root)
    typed = f"{member.id_number[:6]} {member.id_number[6:]}".lower()
    html = client.get(_url(Household, "changelist"), {"q": typed}).content.decode()
    assert "搜索户" in html
    html = client.get(_url(Member, "changelist"), {"q": typed}).content.decode()
    assert member.id_number in html
