from households.selectors import household_list
from households.tests.factories import HouseholdFactory


def test_each_monitor_sees_only_their_village(world):
    mine = HouseholdFactory(village=world.a1)
    HouseholdFactory(village=world.a2)
    assert list(household_list(user=world.alice)) == [mine]
    assert household_list(user=world.carol).count() == 2
    assert household_list(user=world.dave).count() == 0
    assert household_list(user=world.frank).count() == 0
