"""Each village's household count (``VillageHouseholdCount``), which the dashboards read instead
of counting every household: always what counting the households gives, whatever wrote them
(the services, the admin, a queryset delete, the demo's bulk rows), and put right by the daily
task when something went round it."""

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from households.models import Household, VillageHouseholdCount
from households.services import household_create, household_update
from households.tasks import recount_villages
from households.tests.factories import HouseholdFactory
from organization.models import Role
from organization.tests.factories import UserFactory


def kept() -> dict[int, int]:
    return dict(
        VillageHouseholdCount.objects.filter(households__gt=0).values_list("pk", "households")
    )


def counted() -> dict[int, int]:
    return dict(
        Household.objects.order_by()
        .values("village_id")
        .annotate(n=Count("*"))
        .values_list("village_id", "n")
    )


def test_a_new_household_counts_in_its_village(world):
    household_create(actor=world.alice, village=world.a1, head_name="张三", address="一组")
    HouseholdFactory(village=world.a1)
    HouseholdFactory(village=world.b1)
    assert kept() == counted() == {world.a1.pk: 2, world.b1.pk: 1}


def test_a_move_counts_in_the_new_village_only(world):
    household = HouseholdFactory(village=world.a1)
    HouseholdFactory(village=world.a1)
    household_update(actor=world.erin, household=household, village=world.b1, group=None)
    assert kept() == counted() == {world.a1.pk: 1, world.b1.pk: 1}
    # An edit that keeps the village counts nothing again.
    household_update(actor=world.erin, household=household, address="新住址")
    assert kept() == counted()


def test_deleting_takes_it_away_whatever_deletes(world):
    one, two, _ = (HouseholdFactory(village=world.a1) for _ in range(3))
    one.delete()
    Household.objects.filter(pk=two.pk).delete()
    assert kept() == counted() == {world.a1.pk: 1}


def test_a_village_without_a_count_yet_is_counted_from_its_households(world):
    Household.objects.bulk_create([Household(village=world.a2, head_name="李四", address="二组")])
    VillageHouseholdCount.objects.filter(village=world.a2).delete()
    HouseholdFactory(village=world.a2)
    assert kept() == counted() == {world.a2.pk: 2}


def test_the_daily_task_puts_a_wrong_count_right_and_says_how_many(world):
    HouseholdFactory(village=world.a1)
    assert recount_villages.delay().get() == 0
    VillageHouseholdCount.objects.filter(village=world.a1).update(households=7)
    Household.objects.bulk_create([Household(village=world.b1, head_name="王五", address="三组")])
    assert recount_villages.delay().get() == 2
    assert kept() == counted() == {world.a1.pk: 1, world.b1.pk: 1}


@pytest.mark.django_db
def test_the_demos_bulk_rows_are_counted():
    call_command("seed_demo", households=60, verbosity=0)
    assert kept() == counted()
    assert sum(counted().values()) == 60


def test_the_admin_recounts_the_chosen_villages(client, world):
    HouseholdFactory(village=world.a1)
    VillageHouseholdCount.objects.filter(village=world.a1).update(households=5)
    root = UserFactory(username="root", role=Role.COUNTY_BUREAU, is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.post(
        reverse("admin:households_villagehouseholdcount_changelist"),
        {"action": "recount", "_selected_action": [world.a1.pk]},
        follow=True,
    )
    assert "更正 1 个村的农户数" in response.content.decode()
    assert kept() == counted() == {world.a1.pk: 1}
