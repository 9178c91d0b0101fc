"""Every role against every registry page: allowed, 404 for another scope's object
(its existence is not revealed), 403 for an object the role may only read."""

import pytest
from django.urls import reverse

from households.models import Household, Member

from .pages_support import login, registry

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]

# What each role gets on the A1 household's pages. A1 is alice's village in carol's
# town; grace helps that household; frank (a department) sees no registry at all.
READ_A1 = {
    "alice": 200,
    "bob": 404,
    "carol": 200,
    "dave": 404,
    "erin": 200,
    "frank": 404,
    "grace": 200,
}
EDIT_A1 = {
    "alice": 200,
    "bob": 404,
    "carol": 200,
    "dave": 404,
    "erin": 200,
    "frank": 404,
    "grace": 403,
}
VISIT_A1 = READ_A1
FILE_SUBJECT_A1 = {
    "alice": 403,
    "bob": 404,
    "carol": 403,
    "dave": 404,
    "erin": 200,
    "frank": 404,
    "grace": 403,
}
# The B1 household is dave's town: only dave and erin reach it.
READ_B1 = {
    "alice": 404,
    "bob": 404,
    "carol": 404,
    "dave": 200,
    "erin": 200,
    "frank": 404,
    "grace": 404,
}
CREATE = {
    "alice": 200,
    "bob": 200,
    "carol": 200,
    "dave": 200,
    "erin": 200,
    "frank": 403,
    "grace": 403,
}
LIST = {
    "alice": 200,
    "bob": 200,
    "carol": 200,
    "dave": 200,
    "erin": 200,
    "frank": 403,
    "grace": 200,
}


@pytest.fixture
def data(world):
    return registry(world)


def _a1_pages(data):
    h, m, r = data.a1, data.head, data.income
    return {
        "detail": (reverse("households:detail", args=[h.pk]), READ_A1),
        "update": (reverse("households:update", args=[h.pk]), EDIT_A1),
        "member_create": (reverse("households:member_create", args=[h.pk]), EDIT_A1),
        "member_update": (reverse("households:member_update", args=[h.pk, m.pk]), EDIT_A1),
        "member_delete": (reverse("households:member_delete", args=[h.pk, m.pk]), EDIT_A1),
        "income_create": (reverse("households:income_create", args=[h.pk]), EDIT_A1),
        "income_update": (reverse("households:income_update", args=[h.pk, r.pk]), EDIT_A1),
        "visit_create": (reverse("households:visit_create", args=[h.pk]), VISIT_A1),
        "subject_detail": (reverse("households:subject_detail", args=[data.subject.pk]), READ_A1),
        "subject_create": (reverse("households:subject_create", args=[h.pk]), FILE_SUBJECT_A1),
    }


PAGES = [
    "detail",
    "update",
    "member_create",
    "member_update",
    "member_delete",
    "income_create",
    "income_update",
    "visit_create",
    "subject_detail",
    "subject_create",
]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_each_role_reaches_the_a1_household_pages_as_its_scope_says(world, data, client, who, page):
    url, expected = _a1_pages(data)[page]
    assert login(client, getattr(world, who)).get(url).status_code == expected[who]


@pytest.mark.parametrize("who", ROLES)
def test_another_towns_household_answers_404_outside_its_town(world, data, client, who):
    login(client, getattr(world, who))
    h = data.b1
    urls = [
        reverse("households:detail", args=[h.pk]),
        reverse("households:income_update", args=[h.pk, data.b1_income.pk]),
        reverse("households:member_update", args=[h.pk, data.b1_head.pk]),
        reverse("households:subject_detail", args=[data.b1_subject.pk]),
    ]
    for url in urls:
        status = client.get(url).status_code
        if READ_B1[who] == 404:
            assert status == 404, url
        else:
            assert status == 200, url


@pytest.mark.parametrize("who", ROLES)
def test_create_and_list_pages_follow_the_role(world, data, client, who):
    login(client, getattr(world, who))
    assert client.get(reverse("households:create")).status_code == CREATE[who]
    assert client.get(reverse("households:list")).status_code == LIST[who]
    assert client.get(reverse("households:subject_list")).status_code == LIST[who]


def test_a_member_is_not_reachable_through_another_households_url(world, data, client):
    # The member belongs to B1; pairing it with A1's id must not reveal it even to the bureau.
    login(client, world.erin)
    url = reverse("households:member_update", args=[data.a1.pk, data.b1_head.pk])
    assert client.get(url).status_code == 404


def test_it_rejects_other_villages_household_on_post(world, data, client):
    login(client, world.bob)
    url = reverse("households:update", args=[data.a1.pk])
    response = client.post(url, {"head_name": "改名", "address": "x", "village": world.a2.pk})
    assert response.status_code == 404
    assert Household.objects.get(pk=data.a1.pk).head_name == "李大山"


def test_a_helper_may_read_but_not_change_the_household(world, data, client):
    login(client, world.grace)
    url = reverse("households:update", args=[data.a1.pk])
    response = client.post(url, {"head_name": "改名", "address": "x", "village": world.a1.pk})
    assert response.status_code == 403
    assert "没有修改台账的权限" in response.content.decode()
    assert Household.objects.get(pk=data.a1.pk).head_name == "李大山"


def test_a_helper_cannot_delete_a_member(world, data, client):
    login(client, world.grace)
    url = reverse("households:member_delete", args=[data.a1.pk, data.head.pk])
    assert client.post(url).status_code == 403
    assert Member.objects.filter(pk=data.head.pk).exists()


def test_a_helper_records_a_visit_to_an_assigned_household(world, data, client):
    login(client, world.grace)
    url = reverse("households:visit_create", args=[data.a1.pk])
    response = client.post(
        url, {"visited_on": "2021-09-01", "reason": "routine", "findings": "一切正常"}
    )
    assert response.status_code == 302
    assert data.a1.visits.filter(visitor=world.grace, findings="一切正常").exists()


def test_full_id_numbers_show_only_to_roles_that_need_them(world, data, client):
    whole = data.head.id_number
    masked = data.head.masked_id_number
    url = reverse("households:detail", args=[data.a1.pk])
    carol_page = login(client, world.carol).get(url).content.decode()
    assert whole in carol_page
    grace_page = login(client, world.grace).get(url).content.decode()
    assert whole not in grace_page
    assert masked in grace_page
    # The masked number's region and last four plus the whole birth date are the whole number.
    born = data.head.birth_date
    assert born.isoformat() in carol_page
    assert born.isoformat() not in grace_page
    assert f"{born.year}年" in grace_page


def test_the_list_never_shows_a_whole_id_number(world, data, client):
    login(client, world.erin)
    page = client.get(reverse("households:list"), {"q": data.head.id_number}).content.decode()
    assert "李大山" in page
    assert data.head.id_number not in page.replace(f'value="{data.head.id_number}"', "")


# alice wrote the A1 visit; grace may read the household but only edit her own visits.
EDIT_VISIT_A1 = {
    "alice": 200,
    "bob": 404,
    "carol": 200,
    "dave": 404,
    "erin": 200,
    "frank": 404,
    "grace": 403,
}


@pytest.mark.parametrize("who", ROLES)
def test_a_visit_is_corrected_by_its_visitor_or_a_registry_keeper(world, data, client, who):
    url = reverse("households:visit_update", args=[data.a1.pk, data.visit.pk])
    assert login(client, getattr(world, who)).get(url).status_code == EDIT_VISIT_A1[who]


def test_a_helper_corrects_her_own_visit(world, data, client):
    from households.tests.factories import VisitFactory

    mine = VisitFactory(household=data.a1, visitor=world.grace, findings="初记")
    login(client, world.grace)
    url = reverse("households:visit_update", args=[data.a1.pk, mine.pk])
    response = client.post(
        url, {"visited_on": "2021-06-02", "reason": "routine", "findings": "更正后的情况"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.findings == "更正后的情况"


def test_other_apps_add_buttons_to_the_household_page(world, data, client):
    from households import views

    def apply_button(user, household):
        return (
            ("申请纳入监测", f"/extension-test/{household.pk}/")
            if user.role == "village_monitor"
            else None
        )

    views.register_detail_action(apply_button)
    try:
        url = reverse("households:detail", args=[data.a1.pk])
        assert (
            f"/extension-test/{data.a1.pk}/" in login(client, world.alice).get(url).content.decode()
        )
        assert "/extension-test/" not in login(client, world.carol).get(url).content.decode()
    finally:
        views.DETAIL_ACTIONS.remove(apply_button)
