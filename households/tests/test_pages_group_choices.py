"""The household form offers the villager groups of the chosen village only (the county has
some 1,500); the page asks ``/api/villager-groups/?village=`` for another village's, and the
server still checks that the group is in scope and belongs to the village."""

import re

from django.urls import reverse

from households.models import Household
from households.tests.factories import HouseholdFactory
from organization.tests.factories import VillagerGroupFactory

from .pages_support import household_post, login, two_members


def _offered_groups(response) -> list[str]:
    page = response.content.decode()
    select = re.search(r'<select name="group"[^>]*>(.*?)</select>', page, re.S)
    assert select, "the page has no group list"
    return re.findall(r'<option value="(\d+)"', select.group(1))


def _group_select(response) -> str:
    return re.search(r'<select name="group"[^>]*>', response.content.decode()).group(0)


def test_the_bureaus_new_household_page_offers_no_group_before_a_village_is_chosen(world, client):
    login(client, world.erin)
    response = client.get(reverse("households:create"))
    assert _offered_groups(response) == []
    # The page knows where to ask for the chosen village's groups.
    assert f'data-choices-url="{reverse("villager-group-list")}"' in _group_select(response)


def test_a_monitor_without_javascript_is_offered_the_groups_of_her_village(world, client):
    second = VillagerGroupFactory(village=world.a1, name="第二村民小组")
    VillagerGroupFactory(village=world.a2, name="第二村民小组")
    login(client, world.alice)
    response = client.get(reverse("households:create"))
    assert _offered_groups(response) == [str(world.groups[world.a1.pk].pk), str(second.pk)]


def test_a_refused_form_offers_the_groups_of_the_village_it_was_sent_with(world, client):
    login(client, world.erin)
    group = world.groups[world.a2.pk]
    post = household_post(world.a2, two_members(), group=group.pk, phone="没有电话")
    response = client.post(reverse("households:create"), post)
    assert response.status_code == 200 and response.context["form"].errors["phone"]
    assert _offered_groups(response) == [str(group.pk)]
    assert f'<option value="{group.pk}" data-village="{world.a2.pk}" selected>' in (
        response.content.decode()
    )


def test_the_edit_page_offers_the_groups_of_the_households_village(world, client):
    household = HouseholdFactory(village=world.b1)
    login(client, world.erin)
    response = client.get(reverse("households:update", args=[household.pk]))
    assert _offered_groups(response) == [str(world.groups[world.b1.pk].pk)]


def test_the_bureaus_group_must_still_belong_to_the_chosen_village(world, client):
    login(client, world.erin)
    post = household_post(world.a1, two_members(), group=world.groups[world.b1.pk].pk)
    response = client.post(reverse("households:create"), post)
    assert response.context["form"].errors["group"] == ["村民小组不属于所选的村"]
    assert not Household.objects.exists()


def test_a_group_outside_the_scope_is_not_a_choice(world, client):
    login(client, world.alice)
    post = household_post(world.a1, two_members(), group=world.groups[world.b1.pk].pk)
    response = client.post(reverse("households:create"), post)
    assert "选择一个有效的选项" in response.context["form"].errors["group"][0]
    assert not Household.objects.exists()


def test_a_village_id_that_is_no_number_or_far_too_big_is_a_field_error(world, client):
    login(client, world.erin)
    for village in ("甲一村", str(10**20)):
        post = {**household_post(world.a1, two_members()), "village": village}
        response = client.post(reverse("households:create"), post)
        assert response.status_code == 200
        assert response.context["form"].errors["village"]
        assert _offered_groups(response) == []
