"""``manage.py seed_demo``: the demo county is valid, realistic in shape, and idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from assistance.models import HelpAssignment
from households.id_numbers import normalize_id_number
from households.management.demo import CODE_PREFIX
from households.models import Household, IncomeRecord, Member, MonitoringSubject, Visit
from households.selectors import household_list
from organization.management.demo import DEMO_PASSWORD, TOWNS
from organization.models import PolicySettings, Role, Town, User, Village, VillagerGroup

HOUSEHOLDS = 80


def seed(households: int = HOUSEHOLDS) -> None:
    call_command("seed_demo", households=households, stdout=StringIO())


def counts() -> dict[str, int]:
    models = [Town, Village, VillagerGroup, User, PolicySettings, Household, Member]
    models += [IncomeRecord, MonitoringSubject, Visit, HelpAssignment]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def seeded(db):
    seed()


def test_running_it_twice_creates_nothing_more(seeded):
    before = counts()
    seed()
    assert counts() == before
    assert before["Household"] == HOUSEHOLDS


def test_a_larger_count_extends_with_the_same_households(seeded):
    first = dict(Member.objects.values_list("id_number", "household__code"))
    seed(HOUSEHOLDS + 20)
    assert Household.objects.filter(code__startswith=CODE_PREFIX).count() == HOUSEHOLDS + 20
    after = dict(Member.objects.values_list("id_number", "household__code"))
    assert first.items() <= after.items()


def test_every_id_number_is_valid_and_agrees_with_sex_and_birth_date(seeded):
    members = list(Member.objects.all())
    assert len(members) > 2 * HOUSEHOLDS
    for member in members:
        assert normalize_id_number(member.id_number) == member.id_number
        assert member.sex == ("M" if int(member.id_number[16]) % 2 else "F")
        assert member.birth_date.strftime("%Y%m%d") == member.id_number[6:14]
        assert member.id_number.startswith("340621")


def test_relations_fit_sex_and_age(seeded):
    male = {Member.Relation.SON, Member.Relation.GRANDSON, Member.Relation.FATHER}
    female = {Member.Relation.DAUGHTER, Member.Relation.GRANDDAUGHTER, Member.Relation.MOTHER}
    for household in Household.objects.prefetch_related("members"):
        members = list(household.members.all())
        head = next(m for m in members if m.relation == Member.Relation.HEAD)
        assert household.head_name == head.name
        for member in members:
            if member.relation in male:
                assert member.sex == "M", member
            if member.relation in female:
                assert member.sex == "F", member
            if member.relation in {Member.Relation.SON, Member.Relation.DAUGHTER}:
                assert member.birth_date.year - head.birth_date.year >= 20
            if member.relation in {Member.Relation.FATHER, Member.Relation.MOTHER}:
                assert head.birth_date.year - member.birth_date.year >= 20
            if member.relation == Member.Relation.SPOUSE:
                assert member.sex != head.sex


def test_per_capita_income_and_household_flags_follow_the_records(seeded):
    for record in IncomeRecord.objects.select_related("household"):
        assert record.per_capita_net_income == record.compute_per_capita()
        assert record.household_size == record.household.members.count()
    for household in Household.objects.all():
        latest = household.income_records.order_by("-year").first()
        assert household.latest_income_year == latest.year
        assert household.latest_per_capita_income == latest.per_capita_net_income
        line = PolicySettings.for_year(latest.year).income_line
        assert household.below_income_line == (latest.per_capita_net_income < line)


def test_the_organisation_is_suixis(seeded):
    # 二: "有扶贫开发任务的205个村"
    assert Village.objects.filter(has_poverty_task=True).count() == 205
    assert 240 <= Village.objects.count() <= 260
    names = set(Town.objects.values_list("name", flat=True))
    assert {name for name, _, _ in TOWNS} == names
    assert Town.objects.filter(kind=Town.Kind.PARK).count() >= 1
    assert all(
        code.startswith("340621") and len(code) == 12
        for code in Village.objects.values_list("code", flat=True)
    )
    for village in Village.objects.all():
        assert 4 <= village.groups.count() <= 8
    assert PolicySettings.current().pk is not None
    assert PolicySettings.current().income_line == 6000


def test_each_demo_account_logs_in_with_its_role(seeded):
    expected = {
        "county_admin": Role.COUNTY_BUREAU,
        "town_official": Role.TOWN_OFFICIAL,
        "village_monitor": Role.VILLAGE_MONITOR,
        "dept_yibao": Role.DEPARTMENT_STAFF,
        "helper": Role.HELPER,
    }
    for username, role in expected.items():
        assert Client().login(username=username, password=DEMO_PASSWORD), username
        assert User.objects.get(username=username).role == role


def test_demo_accounts_have_the_scopes_the_readme_promises(seeded):
    users = {u.username: u for u in User.objects.all()}
    monitor, town, helper = users["village_monitor"], users["town_official"], users["helper"]
    assert users["county_admin"].is_superuser and users["county_admin"].is_staff
    assert monitor.village.has_poverty_task
    assert monitor.village.town == town.town
    assert users["dept_yibao"].department.code == "yibao"
    assert household_list(user=users["county_admin"]).count() == HOUSEHOLDS
    mine = household_list(user=monitor)
    assert mine.count() >= 20
    assert set(mine.values_list("village", flat=True)) == {monitor.village_id}
    assert household_list(user=town).count() >= mine.count()
    # The helper's households are paired by ``seed_help_demo`` (assistance/tests).
    assert household_list(user=helper).count() == 0


def test_the_monitors_village_has_a_mix_of_households(seeded):
    village = User.objects.get(username="village_monitor").village
    households = Household.objects.filter(village=village)
    assert households.filter(below_income_line=True).exists()
    assert households.filter(below_income_line=False).exists()
    assert MonitoringSubject.objects.filter(
        household__village=village, status=MonitoringSubject.Status.MONITORING
    ).exists()
    assert Visit.objects.filter(household__village=village).exists()
    assert all(s.risk_types.exists() for s in MonitoringSubject.objects.all())
