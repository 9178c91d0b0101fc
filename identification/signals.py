"""Receivers of lower apps' signals."""

from django.dispatch import receiver

from organization.models import PolicySettings
from organization.signals import policy_changed

from .services import case_due_dates_refresh


@receiver(policy_changed, sender=PolicySettings)
def _refresh_case_limits(sender, *, year: int, **kwargs) -> None:
    # A year's working-day limits changed: the open cases it governs get their new due days.
    case_due_dates_refresh(year=year)
