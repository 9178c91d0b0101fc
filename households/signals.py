from django.dispatch import receiver

from organization.models import PolicySettings
from organization.signals import policy_changed

from .services import refresh_below_line_for_year


@receiver(policy_changed, sender=PolicySettings)
def _rejudge_income(sender, *, year: int, **kwargs) -> None:
    refresh_below_line_for_year(year)
