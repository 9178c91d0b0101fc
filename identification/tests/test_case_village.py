"""A case keeps its household's village (the dashboards count open cases per village from that
copy, and the case's scope reads it): set when the case is first saved, moved with the
household, and never a way round the scope (三(七): the village, the town and the county each
see their own applications)."""

from django.urls import reverse

from households.models import Household
from households.services import household_update
from identification.models import IdentificationCase
from identification.selectors import case_list
from identification.tests.factories import walk


def test_an_application_copies_the_village(world):
    case = walk(world, "applied")
    assert IdentificationCase.objects.get(pk=case.pk).village_id == world.a1.pk


def test_a_household_moving_takes_its_cases_along_and_out_of_the_old_scope(world, client):
    case = walk(world, "applied")
    household = Household.objects.get(pk=case.household_id)
    # A1 is town A's (carol; alice its monitor); B1 is town B's (dave).
    household_update(actor=world.erin, household=household, village=world.b1, group=None)
    assert IdentificationCase.objects.get(pk=case.pk).village_id == world.b1.pk
    assert not case_list(user=world.alice).filter(pk=case.pk).exists()
    assert not case_list(user=world.carol).filter(pk=case.pk).exists()
    assert case_list(user=world.dave).filter(pk=case.pk).exists()
    assert case_list(user=world.erin).filter(pk=case.pk).exists()
    for user, status in [(world.alice, 404), (world.carol, 404), (world.dave, 200)]:
        client.force_login(user)
        assert client.get(reverse("identification:detail", args=[case.pk])).status_code == status


def test_an_edit_that_keeps_the_village_writes_no_case(world):
    case = walk(world, "applied")
    IdentificationCase.objects.filter(pk=case.pk).update(village=world.a2)
    household = Household.objects.get(pk=case.household_id)
    household_update(actor=world.erin, household=household, address="新地址")
    assert IdentificationCase.objects.get(pk=case.pk).village_id == world.a2.pk
