"""The registry's writes: who is recorded in history, nothing half-saved, and per-person income
judged against the year's line (三(六)一) even when the county changes the line later."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from households import services
from households.models import Household, IncomeRecord, Member
from households.tests.factories import HouseholdFactory, MemberFactory, new_id_number
from organization.models import PolicySettings
from organization.services import policy_settings_save


def _member(number=None, relation="head", name="成员"):
    number = new_id_number() if number is None else number
    return {"name": name, "id_number": number, "relation": relation}


# --- history -----------------------------------------------------------------------------


def test_a_household_change_is_kept_with_its_author(world):
    household = services.household_create(
        actor=world.alice, village=world.a1, head_name="陈", address="甲一村1号"
    )
    services.household_update(actor=world.carol, household=household, phone="13800000000")
    created, changed = household.history.order_by("history_id")
    assert (created.history_type, created.history_user) == ("+", world.alice)
    assert (changed.history_type, changed.history_user, changed.phone) == (
        "~",
        world.carol,
        "13800000000",
    )


def test_a_member_change_and_removal_are_kept_with_their_author(world):
    household = HouseholdFactory(village=world.a1)
    member = services.member_create(actor=world.alice, household=household, **_member())
    member_id = member.pk
    services.member_update(actor=world.carol, member=member, health="chronic")
    services.member_delete(actor=world.erin, member=member)
    rows = Member.history.filter(id=member_id).order_by("history_id")
    assert [(r.history_type, r.history_user) for r in rows] == [
        ("+", world.alice),
        ("~", world.carol),
        ("-", world.erin),
    ]


def test_an_income_record_change_is_kept_with_its_author(world):
    household = HouseholdFactory(village=world.a1)
    record = services.income_record_save(
        actor=world.alice, household=household, year=2021, household_size=2, wage_income=8000
    )
    services.income_record_save(
        actor=world.carol, household=household, year=2021, record=record, wage_income=9000
    )
    rows = IncomeRecord.history.filter(id=record.pk).order_by("history_id")
    assert [(r.history_user, r.per_capita_net_income) for r in rows] == [
        (world.alice, Decimal("4000.00")),
        (world.carol, Decimal("4500.00")),
    ]


def test_a_second_record_for_the_same_year_is_refused_and_the_first_kept(world):
    household = HouseholdFactory(village=world.a1)
    first = services.income_record_save(
        actor=world.alice, household=household, year=2021, household_size=2, wage_income=8000
    )
    with pytest.raises(ValidationError) as refused:
        services.income_record_save(
            actor=world.alice, household=household, year=2021, household_size=2, wage_income=1
        )
    assert refused.value.message_dict == {"year": ["该户2021年度的收入已登记，请在收入记录中修改"]}
    assert list(IncomeRecord.objects.filter(household=household)) == [first]
    first.refresh_from_db()
    assert first.wage_income == 8000


def test_a_threshold_change_is_kept_with_its_author(world):
    policy_settings_save(actor=world.erin, year=2021, values={"income_line": Decimal("6100")})
    policy_settings_save(actor=world.erin, year=2021, values={"village_publicity_days": 8})
    rows = PolicySettings.objects.get(year=2021).history.order_by("history_id")
    assert [(r.history_user, r.income_line, r.village_publicity_days) for r in rows] == [
        (world.erin, Decimal("6100"), 7),
        (world.erin, Decimal("6100"), 8),
    ]


def test_only_the_county_bureau_changes_thresholds(world):
    with pytest.raises(PermissionDenied):
        policy_settings_save(actor=world.carol, year=2021, values={"income_line": 1})
    assert not PolicySettings.objects.exists()


# --- all or nothing ---------------------------------------------------------------------


def test_a_household_with_an_invalid_second_member_leaves_nothing(world):
    bad = new_id_number()
    bad = bad[:-1] + ("1" if bad[-1] != "1" else "2")
    with pytest.raises(ValidationError) as refused:
        services.household_create(
            actor=world.alice,
            village=world.a1,
            head_name="林",
            address="甲一村2号",
            members=[_member(), _member(bad, relation="spouse")],
        )
    assert refused.value.message_dict == {
        "members[1].id_number": ["身份证号校验位不正确，请核对每一位数字"]
    }
    assert not Household.objects.exists()
    assert not Member.objects.exists()
    assert not Household.history.exists() and not Member.history.exists()


def test_every_invalid_member_is_reported_at_once(world):
    with pytest.raises(ValidationError) as refused:
        services.household_create(
            actor=world.alice,
            village=world.a1,
            head_name="林",
            address="甲一村2号",
            members=[_member("340621900101123"), _member(), _member("", relation="son")],
        )
    assert set(refused.value.message_dict) == {
        "members[0].id_number",
        "members[2].id_number",
    }
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800000000", "13800000000"),
        ("0561-6012345", "0561-6012345"),
        ("138 0000 0000", "13800000000"),
        ("１３８００００００００", "13800000000"),
        ("", ""),
    ],
)
def test_a_phone_number_is_tidied(world, typed, stored):
    household = services.household_create(
        actor=world.alice, village=world.a1, head_name="陈", address="甲一村1号", phone=typed
    )
    assert household.phone == stored


@pytest.mark.parametrize("typed", ["无", "138-abc", "1", "电话13800000000"])
def test_a_phone_that_is_not_a_number_is_refused_on_its_field(world, typed):
    with pytest.raises(ValidationError) as error:
        services.household_create(
            actor=world.alice, village=world.a1, head_name="陈", address="甲一村1号", phone=typed
        )
    assert error.value.message_dict == {"phone": [services.MSG_PHONE]}
    assert not Household.objects.exists()
    household = HouseholdFactory(village=world.a1)
    with pytest.raises(ValidationError):
        services.household_update(actor=world.alice, household=household, phone=typed)


def test_renaming_the_head_member_renames_the_household(world):
    household = HouseholdFactory(village=world.a1, head_name="张三")
    head = MemberFactory(household=household, name="张三", relation="head")
    services.member_update(actor=world.alice, member=head, name="张叁")
    household.refresh_from_db()
    assert household.head_name == "张叁"
    assert household.history.order_by("-history_id").first().history_user == world.alice


def test_a_new_head_gives_the_household_their_name(world):
    household = HouseholdFactory(village=world.a1, head_name="张三")
    old_head = MemberFactory(household=household, name="张三", relation="head")
    services.member_update(actor=world.alice, member=old_head, relation="father")
    services.member_create(actor=world.alice, household=household, **_member(name="张小明"))
    household.refresh_from_db()
    assert household.head_name == "张小明"


def test_a_member_who_is_not_the_head_leaves_the_household_name_alone(world):
    household = HouseholdFactory(village=world.a1, head_name="张三")
    MemberFactory(household=household, name="张三", relation="head")
    services.member_create(
        actor=world.alice, household=household, **_member(name="李四", relation="spouse")
    )
    household.refresh_from_db()
    assert household.head_name == "张三"


def test_the_household_name_is_not_changed_apart_from_its_head_member(world):
    household = HouseholdFactory(village=world.a1, head_name="张三")
    MemberFactory(household=household, name="张三", relation="head")
    with pytest.raises(ValidationError) as error:
        services.household_update(actor=world.alice, household=household, head_name="王五")
    assert error.value.message_dict == {"head_name": [services.MSG_HEAD_NAME]}
    household.refresh_from_db()
    assert household.head_name == "张三"
    services.household_update(actor=world.alice, household=household, head_name="张三")


def test_a_monitor_cannot_create_a_household_in_another_village(world):
    with pytest.raises(PermissionDenied):
        services.household_create(actor=world.alice, village=world.a2, head_name="x", address="y")
    assert not Household.objects.exists()


def test_a_monitor_cannot_add_a_member_to_another_villages_household(world):
    household = HouseholdFactory(village=world.a2)
    with pytest.raises(PermissionDenied):
        services.member_create(actor=world.alice, household=household, **_member())


def test_the_head_cannot_leave_before_the_others(world):
    household = HouseholdFactory(village=world.a1)
    head = MemberFactory(household=household)
    MemberFactory(household=household, relation="spouse")
    with pytest.raises(ValidationError):
        services.member_delete(actor=world.alice, member=head)
    assert household.members.count() == 2


def test_a_visit_cannot_be_dated_in_the_future(world):
    household = HouseholdFactory(village=world.a1)
    with pytest.raises(ValidationError) as refused:
        services.visit_create(
            actor=world.alice,
            household=household,
            visited_on=datetime.date.today() + datetime.timedelta(days=2),
            findings="x",
        )
    assert refused.value.message_dict == {"visited_on": ["日期不能晚于今天"]}


# --- income against the line -------------------------------------------------------------


def test_per_person_net_income_is_income_less_rigid_expenses_over_the_household(world):
    """三(六)一: 家庭年度人均纯收入 — all four incomes, less medical, education and other rigid costs."""
    household = HouseholdFactory(village=world.a1)
    record = services.income_record_save(
        actor=world.alice,
        household=household,
        year=2021,
        household_size=3,
        wage_income=Decimal("10000"),
        business_income=Decimal("3000"),
        property_income=Decimal("500"),
        transfer_income=Decimal("1500"),
        medical_expense=Decimal("2000"),
        education_expense=Decimal("1000"),
    )
    assert record.per_capita_net_income == Decimal("4000.00")  # (15000 - 3000) / 3
    household.refresh_from_db()
    assert household.latest_income_year == 2021
    assert household.latest_per_capita_income == Decimal("4000.00")
    assert household.below_income_line is True


def test_the_per_person_income_is_rounded_to_the_fen(world):
    record = services.income_record_save(
        actor=world.alice,
        household=HouseholdFactory(village=world.a1),
        year=2021,
        household_size=3,
        wage_income=Decimal("20000"),
    )
    assert record.per_capita_net_income == Decimal("6666.67")


def test_the_household_size_defaults_to_its_members(world):
    household = HouseholdFactory(village=world.a1)
    MemberFactory(household=household)
    MemberFactory(household=household, relation="son")
    MemberFactory(household=household, relation="daughter")
    record = services.income_record_save(
        actor=world.alice, household=household, year=2021, wage_income=Decimal("15000")
    )
    assert (record.household_size, record.per_capita_net_income) == (3, Decimal("5000.00"))


def test_exactly_the_line_is_not_below_it(world):
    household = HouseholdFactory(village=world.a1)
    services.income_record_save(
        actor=world.alice, household=household, year=2021, household_size=2, wage_income=12000
    )
    household.refresh_from_db()
    assert household.latest_per_capita_income == Decimal("6000.00")
    assert household.below_income_line is False


def test_the_newest_year_decides_the_flag_and_deleting_it_falls_back(world):
    household = HouseholdFactory(village=world.a1)
    services.income_record_save(
        actor=world.alice, household=household, year=2021, household_size=1, wage_income=5000
    )
    newer = services.income_record_save(
        actor=world.alice, household=household, year=2022, household_size=1, wage_income=9000
    )
    household.refresh_from_db()
    assert (household.latest_income_year, household.below_income_line) == (2022, False)
    services.income_record_delete(actor=world.alice, record=newer)
    household.refresh_from_db()
    assert (household.latest_income_year, household.below_income_line) == (2021, True)


def test_changing_the_years_line_rejudges_its_households(world):
    """三(六): "另有规定的，将按有关标准执行" — the line is data; a new one re-judges the year."""
    household = HouseholdFactory(village=world.a1)
    services.income_record_save(
        actor=world.alice, household=household, year=2022, household_size=1, wage_income=6500
    )
    household.refresh_from_db()
    assert household.below_income_line is False

    policy_settings_save(actor=world.erin, year=2022, values={"income_line": Decimal("7000")})
    household.refresh_from_db()
    assert household.below_income_line is True

    policy_settings_save(actor=world.erin, year=2022, values={"income_line": Decimal("6500")})
    household.refresh_from_db()
    assert household.below_income_line is False  # 6500 is not below 6500


def test_a_years_line_governs_later_years_until_a_later_row_exists(world):
    households = {}
    for year in (2021, 2022, 2023):
        households[year] = HouseholdFactory(village=world.a1)
        services.income_record_save(
            actor=world.alice,
            household=households[year],
            year=year,
            household_size=1,
            wage_income=6500,
        )
    policy_settings_save(actor=world.erin, year=2023, values={"income_line": Decimal("6000")})
    policy_settings_save(actor=world.erin, year=2021, values={"income_line": Decimal("7000")})
    flags = {y: Household.objects.get(pk=h.pk).below_income_line for y, h in households.items()}
    # 2021's new line covers 2021 and 2022 (no row of its own); 2023 keeps its own line.
    assert flags == {2021: True, 2022: True, 2023: False}


def test_a_visit_that_found_a_risk_tells_the_village_and_the_town(
    world, django_capture_on_commit_callbacks
):
    """三(四)1 "及时摸清情况": a helper's visit finding a risk reaches the monitor and the
    town, naming the household; a visit without one tells nobody."""
    from households import services
    from households.tests.factories import HouseholdFactory
    from organization.models import Notification

    household = HouseholdFactory(village=world.a1, head_name="周明")
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_create(
            actor=world.alice,
            household=household,
            visited_on=datetime.date(2026, 1, 5),
            findings="正常",
        )
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_create(
            actor=world.erin,
            household=household,
            visited_on=datetime.date(2026, 1, 6),
            findings="户主突发脑梗住院",
            risk_found=True,
        )
    told = Notification.objects.values_list("recipient__username", "message")
    assert {username for username, _ in told} == {"alice", "carol"}
    assert all("周明户（甲一村）" in message for _, message in told)
