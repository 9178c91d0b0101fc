"""Registry forms in the browser: Chinese field errors, all-or-nothing saves, history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from households import services
from households.forms import MemberFormSet
from households.models import Household, IncomeRecord, Member, MonitoringSubject
from households.tests.factories import HouseholdFactory, MemberFactory, new_id_number
from households.views.households import _apply_member_errors

from .pages_support import household_post, login, registry, two_members


def test_a_monitor_enters_a_household_with_two_members_on_one_page(world, client):
    login(client, world.alice)
    members = two_members()
    response = client.post(reverse("households:create"), household_post(world.a1, members))
    household = Household.objects.get(head_name="周建国")
    assert response.status_code == 302
    assert response["Location"] == reverse("households:detail", args=[household.pk])
    assert household.village == world.a1
    assert sorted(household.members.values_list("name", flat=True)) == ["吴秀英", "周建国"]
    assert household.history.first().history_user == world.alice


def test_a_bad_phone_is_shown_on_its_field_and_the_form_keeps_what_was_typed(world, client):
    login(client, world.alice)
    members = two_members()
    post = household_post(world.a1, members, phone="没有电话", head_name="周建国")
    response = client.post(reverse("households:create"), post)
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [services.MSG_PHONE]
    page = response.content.decode()
    assert 'value="没有电话"' in page and members[0]["id_number"] in page
    assert not Household.objects.filter(head_name="周建国").exists()


def test_an_invalid_second_member_saves_nothing_and_marks_that_row(world, client):
    login(client, world.alice)
    valid = new_id_number(male=False)
    # Never a trailing 0: "…000" with a bad checksum reads as a number Excel rounded.
    wrong_check_digit = valid[:17] + ("1" if valid[17] != "1" else "2")
    members = two_members(second_id=wrong_check_digit)
    response = client.post(reverse("households:create"), household_post(world.a1, members))
    assert response.status_code == 200
    assert not Household.objects.exists()
    assert not Member.objects.exists()
    formset = response.context["formset"]
    assert not formset.forms[0].errors
    assert "校验位不正确" in formset.forms[1].errors["id_number"][0]
    page = response.content.decode()
    second_row = page.split("<legend>成员 2")[1].split("</fieldset>")[0]
    assert "校验位不正确" in second_row


def test_a_second_member_already_registered_elsewhere_saves_nothing(world, client):
    taken = MemberFactory(household=HouseholdFactory(village=world.a2))
    login(client, world.alice)
    members = two_members(second_id=taken.id_number)
    response = client.post(reverse("households:create"), household_post(world.a1, members))
    assert response.status_code == 200
    assert Household.objects.count() == 1
    assert response.context["formset"].forms[1].errors["id_number"] == [
        "该身份证号已登记在其他家庭成员名下"
    ]


def test_two_heads_or_the_same_id_twice_are_refused_on_the_second_row(world, client):
    login(client, world.alice)
    number = new_id_number()
    members = [
        {"name": "甲", "id_number": number, "relation": "head"},
        {"name": "乙", "id_number": number, "relation": "head"},
    ]
    response = client.post(reverse("households:create"), household_post(world.a1, members))
    errors = response.context["formset"].forms[1].errors
    assert errors["relation"] == ["每户只能有一位户主"]
    assert errors["id_number"] == ["与第1位成员的身份证号重复"]
    assert not Household.objects.exists()


def test_a_household_needs_a_head(world, client):
    login(client, world.alice)
    members = [{"name": "甲", "id_number": new_id_number(), "relation": "son"}]
    response = client.post(reverse("households:create"), household_post(world.a1, members))
    assert "请在家庭成员中指定一位户主" in response.content.decode()
    assert not Household.objects.exists()


def test_a_monitor_cannot_enter_a_household_in_another_village(world, client):
    login(client, world.bob)
    response = client.post(reverse("households:create"), household_post(world.a1, two_members()))
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not Household.objects.exists()


def test_a_group_must_belong_to_the_chosen_village(world, client):
    login(client, world.carol)
    data = household_post(world.a1, two_members(), group=world.groups[world.a2.pk].pk)
    response = client.post(reverse("households:create"), data)
    assert response.context["form"].errors["group"] == ["村民小组不属于所选的村"]


def test_service_errors_land_on_the_row_they_came_from(world):
    # Row 1 was left empty, so the service's members[1] is the formset's third row.
    formset = MemberFormSet(prefix="members")
    formset.forms.append(formset._construct_form(1))
    formset.forms.append(formset._construct_form(2))

    class Stub:
        fields = {"village": None}

        def __init__(self):
            self.errors = {}

        def add_error(self, field, errors):
            self.errors[field] = errors

    for form in formset.forms:
        form.cleaned_data = {}
        form._errors = {}
    error = ValidationError({"members[1].id_number": ["重复"], "village": ["不对"]})
    household_form = Stub()
    _apply_member_errors(household_form, formset, [0, 2], error)
    assert formset.forms[2].errors["id_number"] == ["重复"]
    assert not formset.forms[1].errors
    assert household_form.errors == {"village": ["不对"]}


@pytest.fixture
def data(world):
    return registry(world)


def test_an_edit_shows_in_the_history_with_who_and_what(world, data, client):
    login(client, world.alice)
    url = reverse("households:update", args=[data.a1.pk])
    response = client.post(
        url,
        {
            "village": world.a1.pk,
            "group": world.groups[world.a1.pk].pk,
            "head_name": "李大山",
            "address": "甲一村东头12号",
            "phone": "",
            "status_2020": "dibao",
            "registered_in_county": "on",
            "long_term_resident": "on",
        },
    )
    assert response.status_code == 302
    detail = login(client, world.carol).get(reverse("households:detail", args=[data.a1.pk]))
    newest = detail.context["history"][0]
    assert newest.who == world.alice
    assert newest.action == "修改"
    assert [(c.label, c.old, c.new) for c in newest.changes] == [
        ("住址", "甲一村李大山家", "甲一村东头12号")
    ]
    page = detail.content.decode()
    assert "甲一村东头12号" in page and str(world.alice) in page


def test_member_add_edit_and_delete_are_kept_in_history(world, data, client):
    login(client, world.alice)
    add = reverse("households:member_create", args=[data.a1.pk])
    number = new_id_number(datetime.date(2010, 3, 3))
    response = client.post(
        add,
        {
            "name": "李小明",
            "id_number": f" {number[:6]} {number[6:]} ",
            "relation": "son",
            "labour_capacity": "none",
            "health": "healthy",
            "schooling": "primary",
        },
    )
    assert response.status_code == 302
    child = data.a1.members.get(name="李小明")
    # Sex and birth date come from the ID number (its digits 7-14 are the birth date).
    born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert child.id_number == number and child.birth_date == born
    edit = reverse("households:member_update", args=[data.a1.pk, child.pk])
    client.post(
        edit,
        {
            "name": "李晓明",
            "id_number": number,
            "relation": "son",
            "labour_capacity": "none",
            "health": "healthy",
            "schooling": "junior",
        },
    )
    client.post(reverse("households:member_delete", args=[data.a1.pk, child.pk]))
    assert not data.a1.members.filter(pk=child.pk).exists()
    history = login(client, world.carol).get(reverse("households:detail", args=[data.a1.pk]))
    actions = [(e.kind, e.subject, e.action) for e in history.context["history"][:3]]
    assert actions == [
        ("家庭成员", "李晓明", "删除"),
        ("家庭成员", "李晓明", "修改"),
        ("家庭成员", "李小明", "新增"),
    ]
    renamed = history.context["history"][1]
    assert ("姓名", "李小明", "李晓明") in [(c.label, c.old, c.new) for c in renamed.changes]


def test_the_head_cannot_be_deleted_while_others_remain(world, data, client):
    MemberFactory(household=data.a1, relation="spouse", name="配偶")
    login(client, world.alice)
    response = client.post(
        reverse("households:member_delete", args=[data.a1.pk, data.head.pk]), follow=True
    )
    assert "请先变更户主" in response.content.decode()
    assert Member.objects.filter(pk=data.head.pk).exists()


def test_a_bad_id_number_on_the_member_form_gets_a_chinese_message(world, data, client):
    login(client, world.alice)
    response = client.post(
        reverse("households:member_create", args=[data.a1.pk]),
        {"name": "某", "id_number": "3.40621199001011E+17", "relation": "son"},
    )
    assert "后几位已丢失" in response.context["form"].errors["id_number"][0]


def test_income_is_entered_with_the_per_person_figure_and_the_line(world, data, client):
    login(client, world.alice)
    url = reverse("households:income_create", args=[data.a1.pk])
    response = client.post(
        url,
        {
            "year": "2022",
            "household_size": "2",
            "wage_income": "10000",
            "business_income": "0",
            "property_income": "0",
            "transfer_income": "2000",
            "medical_expense": "3000",
            "education_expense": "0",
            "other_expense": "0",
        },
    )
    assert response.status_code == 302
    record = IncomeRecord.objects.get(household=data.a1, year=2022)
    assert record.per_capita_net_income == Decimal("4500.00")
    detail = client.get(reverse("households:detail", args=[data.a1.pk]))
    row = next(r for r in detail.context["income_rows"] if r["record"].year == 2022)
    assert row["below"] is True and row["line"] == Decimal("6000")
    assert detail.context["household"].below_income_line


def test_a_year_already_entered_is_refused_on_the_year_field(world, data, client):
    """The service refuses the second record (one a year); the page shows its message."""
    login(client, world.alice)
    expenses = dict.fromkeys(["medical_expense", "education_expense", "other_expense"], "0")
    other_income = dict.fromkeys(["business_income", "property_income", "transfer_income"], "0")
    response = client.post(
        reverse("households:income_create", args=[data.a1.pk]),
        {"year": "2021", "household_size": "2", "wage_income": "1", **other_income, **expenses},
    )
    assert response.context["form"].errors["year"] == [
        "该户2021年度的收入已登记，请在收入记录中修改"
    ]
    assert IncomeRecord.objects.filter(household=data.a1).get() == data.income


def test_an_income_record_is_edited(world, data, client):
    login(client, world.carol)
    url = reverse("households:income_update", args=[data.a1.pk, data.income.pk])
    response = client.post(
        url,
        {
            "year": "2021",
            "household_size": "3",
            "wage_income": "9000",
            "business_income": "0",
            "property_income": "0",
            "transfer_income": "0",
            "medical_expense": "0",
            "education_expense": "0",
            "other_expense": "0",
        },
    )
    assert response.status_code == 302
    data.income.refresh_from_db()
    assert data.income.per_capita_net_income == Decimal("3000.00")


def test_a_visit_in_the_future_is_refused(world, data, client):
    login(client, world.alice)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = client.post(
        reverse("households:visit_create", args=[data.a1.pk]),
        {"visited_on": tomorrow.isoformat(), "reason": "routine", "findings": "x"},
    )
    assert response.context["form"].errors["visited_on"] == ["日期不能晚于今天"]


def test_the_bureau_files_a_monitoring_subject_once(world, client):
    household = HouseholdFactory(village=world.a1, status_2020="dibao")
    login(client, world.erin)
    url = reverse("households:subject_create", args=[household.pk])
    post = {"category": "marginal", "risk_types": ["1", "2"], "started_on": "2021-06-01"}
    response = client.post(url, post)
    subject = MonitoringSubject.objects.get(household=household)
    assert response["Location"] == reverse("households:subject_detail", args=[subject.pk])
    again = client.post(url, post)
    assert "该户已是监测对象" in again.content.decode()


def test_a_subject_needs_a_risk_type(world, client):
    household = HouseholdFactory(village=world.a1)
    login(client, world.erin)
    response = client.post(
        reverse("households:subject_create", args=[household.pk]),
        {"category": "marginal", "started_on": "2021-06-01"},
    )
    assert response.context["form"].errors["risk_types"] == ["请至少选择一种风险类型"]


def test_a_second_head_is_refused_on_the_relation_field(world, data, client):
    login(client, world.alice)
    response = client.post(
        reverse("households:member_create", args=[data.a1.pk]),
        {
            "name": "李二",
            "id_number": new_id_number(),
            "relation": "head",
            "labour_capacity": "ordinary",
            "health": "healthy",
        },
    )
    assert response.context["form"].errors["relation"] == [
        "该户已有户主；请先把原户主的“与户主关系”改为其他"
    ]
    # The head may still be edited while keeping the relation.
    edit = reverse("households:member_update", args=[data.a1.pk, data.head.pk])
    response = client.post(
        edit,
        {
            "name": "李大山",
            "id_number": data.head.id_number,
            "relation": "head",
            "labour_capacity": "skilled",
            "health": "healthy",
        },
    )
    assert response.status_code == 302


def test_history_masks_id_numbers_for_roles_that_may_not_see_them(world, data, client):
    from households import services

    services.member_update(actor=world.alice, member=data.head, labour_capacity="weak")
    url = reverse("households:detail", args=[data.a1.pk])
    grace_page = login(client, world.grace).get(url)
    grace_values = [c.new for e in grace_page.context["history"] for c in e.changes]
    assert data.head.masked_id_number in grace_values
    assert data.head.id_number not in grace_page.content.decode()
    carol_page = login(client, world.carol).get(url)
    assert data.head.id_number in [c.new for e in carol_page.context["history"] for c in e.changes]


def test_history_never_gives_the_birth_date_to_roles_that_see_masked_numbers(world, data, client):
    from households import services
    from households.id_numbers import make_id_number

    number = make_id_number(region="340621", born=datetime.date(1971, 3, 9), sequence=517)
    services.member_update(actor=world.alice, member=data.head, id_number=number)
    url = reverse("households:detail", args=[data.a1.pk])
    grace_page = login(client, world.grace).get(url).content.decode()
    assert "1971-03-09" not in grace_page and "1971年3月9日" not in grace_page
    assert "1971年" in grace_page
    assert "1971-03-09" in login(client, world.carol).get(url).content.decode()


def test_history_shows_risk_type_changes_of_the_monitoring_subject(world, data, client):
    from households import services
    from households.models import RiskType

    services.monitoring_subject_update_risks(
        actor=world.carol,
        subject=data.subject,
        risk_types=RiskType.objects.filter(code__in=["illness", "water"]),
    )
    history = login(client, world.erin).get(reverse("households:detail", args=[data.a1.pk]))
    newest = history.context["history"][0]
    assert (newest.kind, newest.who) == ("监测对象", world.carol)
    assert [(c.label, c.old, c.new) for c in newest.changes] == [
        ("风险类型", "因病", "因病、饮水安全")
    ]


def test_a_monitor_changes_a_subjects_risk_types_and_the_history_says_who(world, data, client):
    from households.models import RiskType

    login(client, world.alice)
    detail = reverse("households:subject_detail", args=[data.subject.pk])
    url = reverse("households:subject_risks_update", args=[data.subject.pk])
    assert url in client.get(detail).content.decode()
    wanted = RiskType.objects.filter(code__in=["disability", "water"])
    response = client.post(url, {"risk_types": [r.pk for r in wanted]})
    assert response.status_code == 302 and response["Location"] == detail
    assert set(data.subject.risk_types.all()) == set(wanted)
    assert data.subject.history.order_by("-history_id").first().history_user == world.alice
    # One change, one line in the household's history: old and new risk types together.
    page = client.get(reverse("households:detail", args=[data.a1.pk]))
    newest = page.context["history"][0]
    assert [(c.label, c.old, c.new) for c in newest.changes] == [
        ("风险类型", "因病", "因残、饮水安全")
    ]
    risk_changes = [c for e in page.context["history"] for c in e.changes if c.label == "风险类型"]
    assert all(c.new != "—" for c in risk_changes)  # no half-way version with none at all


def test_a_subject_keeps_at_least_one_risk_type(world, data, client):
    before = set(data.subject.risk_types.all())
    login(client, world.alice)
    url = reverse("households:subject_risks_update", args=[data.subject.pk])
    response = client.post(url, {"risk_types": []})
    assert response.context["form"].errors["risk_types"] == ["请至少选择一种风险类型"]
    assert set(data.subject.risk_types.all()) == before


def test_risk_types_are_changed_only_by_those_who_keep_the_registry(world, data, client):
    url = reverse("households:subject_risks_update", args=[data.subject.pk])
    detail = reverse("households:subject_detail", args=[data.subject.pk])
    login(client, world.grace)
    assert url not in client.get(detail).content.decode()
    assert client.get(url).status_code == 403
    login(client, world.bob)  # another village's monitor: the subject does not exist for him
    assert client.get(url).status_code == 404


def test_renaming_the_household_apart_from_its_head_is_refused_on_the_field(world, data, client):
    login(client, world.alice)
    post = {
        "village": world.a1.pk,
        "group": "",
        "head_name": "李小山",
        "address": "甲一村李大山家",
        "phone": "",
        "status_2020": "ordinary",
        "registered_in_county": "on",
        "long_term_resident": "on",
    }
    response = client.post(reverse("households:update", args=[data.a1.pk]), post)
    assert response.context["form"].errors["head_name"] == [services.MSG_HEAD_NAME]
    assert 'value="李小山"' in response.content.decode()
    data.a1.refresh_from_db()
    assert data.a1.head_name == "李大山"


def test_a_saved_member_is_named_as_it_now_is_and_the_page_returns_to_the_household(
    world, data, client
):
    login(client, world.alice)
    url = reverse("households:member_update", args=[data.a1.pk, data.head.pk])
    post = {
        "name": "李大川",
        "id_number": data.head.id_number,
        "relation": "head",
        "labour_capacity": "ordinary",
        "health": "healthy",
    }
    response = client.post(url, post, follow=True)
    assert response.redirect_chain == [(reverse("households:detail", args=[data.a1.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == ["家庭成员李大川的信息已保存"]


def test_a_saved_visit_returns_to_the_visits_of_the_household(world, data, client):
    login(client, world.alice)
    response = client.post(
        reverse("households:visit_create", args=[data.a1.pk]),
        {"visited_on": "2021-05-01", "reason": "routine", "findings": "生活正常"},
        follow=True,
    )
    detail = reverse("households:detail", args=[data.a1.pk])
    assert response.redirect_chain == [(f"{detail}#visits", 302)]
    assert [str(m) for m in response.context["messages"]] == ["走访记录已保存"]
