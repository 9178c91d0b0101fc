"""The registry API beyond scoping: nested creates, Chinese validation errors, filters,
ID-number masking, pagination and a query count that does not grow with the page."""

import datetime
from decimal import Decimal

import pytest

from households.id_numbers import make_id_number
from households.models import Household, Member, MonitoringSubject, RiskType
from households.tests.factories import (
    HouseholdFactory,
    IncomeRecordFactory,
    MemberFactory,
    VisitFactory,
    new_id_number,
)


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _names(response):
    return sorted(row["head_name"] for row in _results(response))


# --- creating a household with its members ------------------------------------------


def _household_with_members(world, *id_numbers):
    relations = ["head", "spouse", "son", "daughter"]
    return {
        "village": world.a1.pk,
        "group": world.groups[world.a1.pk].pk,
        "head_name": "孙立新",
        "address": "甲一村东头12号",
        "status_2020": "dibao",
        "members": [
            {"name": f"成员{i}", "id_number": number, "relation": relations[i]}
            for i, number in enumerate(id_numbers)
        ],
    }


def test_a_monitor_creates_a_household_with_its_members_in_one_request(api, world):
    # Explicit numbers, so the expected sexes and birth dates are plain to read.
    head = make_id_number(region="340621", born=datetime.date(1970, 2, 3), sequence=11)
    wife = make_id_number(region="340621", born=datetime.date(1972, 8, 9), sequence=12)
    api.force_authenticate(world.alice)
    response = api.post(
        "/api/households/", _household_with_members(world, head, wife), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["size"] == 2
    assert [(m["id_number"], m["sex"], m["birth_date"]) for m in body["members"]] == [
        (head, "M", "1970-02-03"),
        (wife, "F", "1972-08-09"),
    ]
    household = Household.objects.get(pk=body["id"])
    assert household.members.count() == 2
    assert household.history.get().history_user == world.alice


def test_nothing_is_saved_when_the_second_member_is_invalid(api, world):
    good = new_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # the same body, a wrong check digit
    api.force_authenticate(world.alice)
    response = api.post(
        "/api/households/",
        _household_with_members(world, new_id_number(), bad),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"members[1].id_number": ["身份证号校验位不正确，请核对每一位数字"]}
    assert not Household.objects.filter(head_name="孙立新").exists()
    assert not Member.objects.filter(name__startswith="成员").exists()


def test_a_member_missing_a_field_is_named_by_its_row(api, world):
    payload = _household_with_members(world, new_id_number())
    payload["members"].append({"name": "无号码", "relation": "son"})
    api.force_authenticate(world.alice)
    response = api.post("/api/households/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["members[1].id_number"]
    assert not Household.objects.exists()


def test_two_heads_in_one_household_are_refused_in_chinese(api, world):
    payload = _household_with_members(world, new_id_number(), new_id_number())
    payload["members"][1]["relation"] = "head"
    api.force_authenticate(world.alice)
    response = api.post("/api/households/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"members[1].relation": ["该户已有户主；请先把原户主改为其他关系"]}
    assert not Household.objects.exists()


def test_a_member_already_registered_in_another_household_is_refused(api, world):
    elsewhere = MemberFactory(household=HouseholdFactory(village=world.b1))
    api.force_authenticate(world.alice)
    response = api.post(
        "/api/households/",
        _household_with_members(world, elsewhere.id_number.lower()),
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["members[0].id_number"][0]
    assert "身份证号" in message and "已存在" in message
    assert not Household.objects.filter(head_name="孙立新").exists()


def test_missing_household_fields_are_400_with_chinese_messages(api, world):
    api.force_authenticate(world.alice)
    response = api.post("/api/households/", {"village": world.a1.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["head_name"] == ["该字段是必填项。"]
    assert response.json()["address"] == ["该字段是必填项。"]


def test_a_group_of_another_village_is_refused(api, world):
    api.force_authenticate(world.carol)
    payload = {
        "village": world.a1.pk,
        "group": world.groups[world.a2.pk].pk,
        "head_name": "周",
        "address": "x",
    }
    response = api.post("/api/households/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"group": ["村民小组不属于所选的村"]}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("340621199001011234", "身份证号校验位不正确，请核对每一位数字"),
        ("340621900101123", "这是15位旧身份证号，请填写18位身份证号"),
        ("3.40621199001011E+17", "身份证号被当作数字保存"),
        (3.40621199001011e17, "身份证号被当作数字保存"),
    ],
)
def test_member_id_number_errors_reach_the_client_in_chinese(api, world, typed, message):
    household = HouseholdFactory(village=world.a1)
    api.force_authenticate(world.alice)
    payload = {"household": household.pk, "name": "吴", "id_number": typed, "relation": "head"}
    response = api.post("/api/members/", payload, format="json")
    assert response.status_code == 400
    assert len(response.json()["id_number"]) == 1
    assert response.json()["id_number"][0].startswith(message)


def test_a_spaced_full_width_lower_case_number_is_stored_normalised(api, world):
    household = HouseholdFactory(village=world.a1)
    number = new_id_number()
    while not number.endswith("X"):
        number = new_id_number()
    typed = " ".join([number[:6], number[6:14], number[14:]]).lower()
    typed = typed.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    api.force_authenticate(world.alice)
    payload = {"household": household.pk, "name": "郑", "id_number": typed, "relation": "head"}
    response = api.post("/api/members/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Member.objects.get(pk=response.json()["id"]).id_number == number


def test_sex_and_birth_date_cannot_be_typed(api, world):
    member = MemberFactory(household=HouseholdFactory(village=world.a1))
    before = (member.sex, member.birth_date)
    api.force_authenticate(world.alice)
    response = api.patch(
        f"/api/members/{member.pk}/", {"sex": "F", "birth_date": "2000-01-01"}, format="json"
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.sex, member.birth_date) == before == ("M", before[1])
    assert before[1] != datetime.date(2000, 1, 1)


# --- ID numbers whole or masked ----------------------------------------------------


@pytest.mark.parametrize(
    ("role", "whole"), [("alice", True), ("carol", True), ("erin", True), ("grace", False)]
)
def test_id_numbers_are_whole_only_for_roles_that_need_them(api, world, role, whole):
    household = HouseholdFactory(village=world.a1)
    member = MemberFactory(household=household)
    if role == "grace":
        from assistance.models import HelpAssignment

        HelpAssignment.objects.create(
            household=household, helper=world.grace, started_on=datetime.date(2021, 1, 1)
        )
    api.force_authenticate(getattr(world, role))
    masked = member.id_number[:6] + "********" + member.id_number[-4:]
    expected = member.id_number if whole else masked
    assert api.get(f"/api/members/{member.pk}/").json()["id_number"] == expected
    detail = api.get(f"/api/households/{household.pk}/").json()
    assert detail["members"][0]["id_number"] == expected
    born = member.birth_date
    listed = api.get(f"/api/members/{member.pk}/").json()
    assert listed["birth_year"] == born.year
    # Region and last four plus the whole birth date would give the masked number back.
    assert listed["birth_date"] == (born.isoformat() if whole else None)
    assert detail["members"][0]["birth_date"] == (born.isoformat() if whole else None)


# --- filters -----------------------------------------------------------------------


@pytest.fixture
def three(world):
    zhao = HouseholdFactory(village=world.a1, head_name="赵大", status_2020="dibao")
    Household.objects.filter(pk=zhao.pk).update(
        below_income_line=True, latest_income_year=2021, latest_per_capita_income=Decimal("3000")
    )
    subject = MonitoringSubject(household=zhao, category="marginal", started_on="2021-03-01")
    subject.save()
    subject.risk_types.set([RiskType.objects.get(code="illness")])
    qian = HouseholdFactory(village=world.a2, head_name="钱二", status_2020="ordinary")
    qian_member = MemberFactory(household=qian, name="钱小二", relation="son")
    li = HouseholdFactory(village=world.b1, head_name="李三", status_2020="poverty_alleviated")
    return {"zhao": zhao, "qian": qian, "li": li, "qian_member": qian_member}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["李三", "赵大", "钱二"]),
        ("status_2020=dibao", ["赵大"]),
        ("below_line=true", ["赵大"]),
        ("below_line=false", ["李三", "钱二"]),
        ("monitored=true", ["赵大"]),
        ("monitored=false", ["李三", "钱二"]),
        ("q=钱小二", ["钱二"]),
        ("q=赵", ["赵大"]),
    ],
)
def test_household_filters(api, world, three, query, expected):
    api.force_authenticate(world.erin)
    assert _names(api.get(f"/api/households/?{query}")) == expected


def test_households_filter_by_town_and_village(api, world, three):
    api.force_authenticate(world.erin)
    assert _names(api.get(f"/api/households/?town={world.town_a.pk}")) == ["赵大", "钱二"]
    assert _names(api.get(f"/api/households/?village={world.a2.pk}")) == ["钱二"]


def test_a_filter_never_widens_the_scope(api, world, three):
    api.force_authenticate(world.carol)
    assert _names(api.get(f"/api/households/?town={world.town_b.pk}")) == []
    assert _names(api.get("/api/households/?q=李三")) == []


def test_households_are_found_by_a_whole_or_partial_id_number(api, world, three):
    number = three["qian_member"].id_number
    api.force_authenticate(world.erin)
    assert _names(api.get(f"/api/households/?q={number.lower()}")) == ["钱二"]
    assert _names(api.get(f"/api/households/?q={number[:12]}")) == ["钱二"]


def test_a_bad_filter_value_is_400(api, world):
    api.force_authenticate(world.erin)
    response = api.get("/api/households/?status_2020=rich")
    assert response.status_code == 400
    assert "status_2020" in response.json()


@pytest.mark.parametrize("resource", ["households", "members", "monitoring-subjects", "visits"])
def test_a_village_id_too_long_for_the_database_is_400_not_a_crash(api, world, resource):
    api.force_authenticate(world.erin)
    response = api.get(f"/api/{resource}/?village={10**20}")
    assert response.status_code == 400
    assert "village" in response.json()


def test_a_searched_id_number_excel_turned_into_a_float_is_400_saying_why(api, world):
    api.force_authenticate(world.erin)
    response = api.get("/api/households/", {"q": "3.40621199001011E+17"})
    assert response.status_code == 400
    assert "后几位已丢失" in response.json()["q"][0]
    assert api.get("/api/households/", {"q": "340621"}).status_code == 200


def test_members_filter_by_household_and_village(api, world, three):
    MemberFactory(household=three["zhao"])
    api.force_authenticate(world.erin)
    by_household = _results(api.get(f"/api/members/?household={three['qian'].pk}"))
    assert [m["name"] for m in by_household] == ["钱小二"]
    by_village = _results(api.get(f"/api/members/?village={world.a1.pk}"))
    assert [m["household"] for m in by_village] == [three["zhao"].pk]


def test_income_records_filter_by_year_and_the_years_line(api, world, three):
    from organization.tests.factories import policy

    policy(year=2022, income_line=Decimal("7000"))
    IncomeRecordFactory(household=three["zhao"], year=2021, wage_income=Decimal("12000"))  # 6000
    IncomeRecordFactory(household=three["zhao"], year=2022, wage_income=Decimal("13000"))  # 6500
    IncomeRecordFactory(household=three["qian"], year=2022, wage_income=Decimal("16000"))  # 8000
    api.force_authenticate(world.erin)

    def years(query):
        return sorted(
            (r["year"], r["per_capita_net_income"])
            for r in _results(api.get(f"/api/income-records/?{query}"))
        )

    assert years("year=2022") == [(2022, "6500.00"), (2022, "8000.00")]
    # 6000 is not below 2021's line of 6000; 6500 is below 2022's line of 7000.
    assert years("below_line=true") == [(2022, "6500.00")]
    assert years("below_line=false") == [(2021, "6000.00"), (2022, "8000.00")]
    assert years(f"household={three['qian'].pk}") == [(2022, "8000.00")]
    row = _results(api.get("/api/income-records/?year=2022&below_line=true"))[0]
    assert (row["income_line"], row["below_line"]) == ("7000.00", True)


def test_monitoring_subjects_filter(api, world, three):
    other = MonitoringSubject(household=three["li"], category="sudden", started_on="2021-04-01")
    other.save()
    other.risk_types.set([RiskType.objects.get(code="disaster")])
    api.force_authenticate(world.erin)

    def heads(query):
        return sorted(
            r["household_head_name"]
            for r in _results(api.get(f"/api/monitoring-subjects/?{query}"))
        )

    assert heads(f"town={world.town_b.pk}") == ["李三"]
    assert heads(f"village={world.a1.pk}") == ["赵大"]
    assert heads("category=sudden") == ["李三"]
    assert heads("risk_type=illness") == ["赵大"]
    assert heads("status=monitoring") == ["李三", "赵大"]
    assert heads("status=eliminated") == []


def test_visits_filter_by_household_reason_and_dates(api, world, three):
    VisitFactory(household=three["zhao"], visitor=world.alice, visited_on="2021-03-01")
    VisitFactory(
        household=three["zhao"],
        visitor=world.alice,
        visited_on="2021-06-15",
        reason="sudden_illness",
    )
    VisitFactory(household=three["qian"], visitor=world.bob, visited_on="2021-06-20")
    api.force_authenticate(world.erin)

    def dates(query):
        return sorted(r["visited_on"] for r in _results(api.get(f"/api/visits/?{query}")))

    assert dates(f"household={three['zhao'].pk}") == ["2021-03-01", "2021-06-15"]
    assert dates("reason=sudden_illness") == ["2021-06-15"]
    assert dates("visited_on_after=2021-06-01&visited_on_before=2021-06-16") == ["2021-06-15"]


# --- pagination and query counts ----------------------------------------------------------


def _fill_village(world, n):
    illness = RiskType.objects.get(code="illness")
    for i in range(n):
        household = HouseholdFactory(village=world.a1, group=world.groups[world.a1.pk])
        MemberFactory(household=household)
        MemberFactory(household=household, relation="spouse")
        if i % 3 == 0:
            Household.objects.filter(pk=household.pk).update(
                latest_income_year=2021,
                latest_per_capita_income=Decimal("5000"),
                below_income_line=True,
                status_2020="ordinary",
            )
        if i % 4 == 0:
            subject = MonitoringSubject(
                household=household, category="marginal", started_on="2021-01-01"
            )
            subject.save()
            subject.risk_types.set([illness])


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_household_list_costs_the_same_queries_whatever_the_page_size(
    api, world, django_assert_num_queries, page_size
):
    _fill_village(world, 60)
    api.force_authenticate(world.alice)
    # One COUNT for the paginator, one SELECT for the page (village, town, group joined;
    # size and monitored as subqueries), one read of the policy table and one of the open
    # low-income statuses, both for 三(五)3.
    with django_assert_num_queries(4):
        response = api.get(f"/api/households/?page_size={page_size}")
    rows = _results(response)
    assert len(rows) == page_size
    assert response.json()["count"] == 60
    assert {row["size"] for row in rows} == {2}


def test_the_page_size_is_capped_at_200(api, world):
    for _ in range(3):
        HouseholdFactory(village=world.a1)
    api.force_authenticate(world.alice)
    response = api.get("/api/households/?page_size=1&page=2")
    assert response.json()["count"] == 3 and len(response.json()["results"]) == 1
    from suixi_monitor.api import Pagination

    assert Pagination.max_page_size == 200


def test_the_member_and_subject_lists_do_not_grow_with_the_page(
    api, world, django_assert_max_num_queries
):
    _fill_village(world, 30)
    api.force_authenticate(world.alice)
    with django_assert_max_num_queries(2):
        assert len(_results(api.get("/api/members/?page_size=60"))) == 60
    with django_assert_max_num_queries(3):
        assert len(_results(api.get("/api/monitoring-subjects/?page_size=60"))) == 8


# --- history through the API -------------------------------------------------------------


def test_changes_through_the_api_are_kept_with_their_author(api, world):
    household = HouseholdFactory(village=world.a1)
    member = MemberFactory(household=household)
    api.force_authenticate(world.carol)
    assert (
        api.patch(f"/api/households/{household.pk}/", {"phone": "13900000001"}).status_code == 200
    )
    assert api.patch(f"/api/members/{member.pk}/", {"health": "serious"}).status_code == 200
    created = api.post(
        "/api/income-records/",
        {"household": household.pk, "year": 2021, "wage_income": "3000"},
        format="json",
    )
    assert created.status_code == 201
    assert household.history.first().history_user == world.carol
    assert member.history.first().history_user == world.carol
    record = household.income_records.get()
    assert record.history.get().history_user == world.carol
    assert record.household_size == 1  # the one member


def test_the_head_cannot_be_deleted_before_the_others_through_the_api(api, world):
    household = HouseholdFactory(village=world.a1)
    head = MemberFactory(household=household)
    MemberFactory(household=household, relation="spouse")
    api.force_authenticate(world.alice)
    response = api.delete(f"/api/members/{head.pk}/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["请先变更户主，再删除原户主"]}
    assert household.members.count() == 2


def test_households_can_be_ordered(api, world, three):
    api.force_authenticate(world.erin)
    ids = [row["id"] for row in _results(api.get("/api/households/?ordering=id"))]
    assert ids == sorted(ids)
    ids = [row["id"] for row in _results(api.get("/api/households/"))]
    assert ids == sorted(ids, reverse=True)  # newest first by default


def test_the_detail_page_costs_the_same_queries_whatever_the_members(
    api, world, django_assert_num_queries
):
    household = HouseholdFactory(village=world.a1)
    for relation in ["head", "spouse", "son", "daughter", "other"]:
        MemberFactory(household=household, relation=relation)
    api.force_authenticate(world.alice)
    # The household with its joins and subqueries, then its open low-income statuses
    # (三(五)3) and its members.
    with django_assert_num_queries(3):
        assert len(api.get(f"/api/households/{household.pk}/").json()["members"]) == 5


def test_derived_household_and_income_fields_cannot_be_typed(api, world):
    household = HouseholdFactory(village=world.a1)
    api.force_authenticate(world.alice)
    response = api.patch(
        f"/api/households/{household.pk}/",
        {"below_income_line": True, "latest_per_capita_income": "1", "latest_income_year": 2021},
        format="json",
    )
    assert response.status_code == 200
    household.refresh_from_db()
    assert (household.below_income_line, household.latest_per_capita_income) == (False, None)
    response = api.post(
        "/api/income-records/",
        {
            "household": household.pk,
            "year": 2021,
            "household_size": 2,
            "wage_income": "15000",
            "per_capita_net_income": "1",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["per_capita_net_income"] == "7500.00"
    household.refresh_from_db()
    assert household.latest_per_capita_income == Decimal("7500.00")


def test_a_phone_that_is_not_a_number_is_400_on_its_field(api, world):
    household = HouseholdFactory(village=world.a1, phone="")
    api.force_authenticate(world.alice)
    response = api.patch(f"/api/households/{household.pk}/", {"phone": "见村委会"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "phone": ["联系电话只能填写数字和“-”，如 13800000000 或 0561-6012345"]
    }
    household.refresh_from_db()
    assert household.phone == ""
