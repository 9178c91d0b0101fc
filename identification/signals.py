"""Receivers of lower apps' signals."""

from django.dispatch import receiver

from households.models import Household, household_moved
from organization.models import PolicySettings
from organization.signals import policy_changed

from .models import IdentificationCase
from .services import case_due_dates_refresh


@receiver(policy_changed, sender=PolicySettings)
def _refresh_case_limits(sender, *, year: int, **kwargs) -> None:
    # A year's working-day limits changed: the open cases it governs get their new due days.
    case_due_dates_refresh(year=year)


@receiver(household_moved, sender=Household)
def _cases_follow_their_household(sender, *, household: Household, **kwargs) -> None:
    # Every case, open or closed, counts in the village its household is in (see
    # IdentificationCase.village).
    IdentificationCase.objects.filter(household=household).update(village_id=household.village_id)
