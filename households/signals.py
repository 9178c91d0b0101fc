from django.db.models.signals import post_delete
from django.dispatch import Signal, receiver

from organization.models import PolicySettings
from organization.signals import policy_changed

from .models import (
    Household,
    VillageHouseholdCount,
    household_moved,  # noqa: F401 (sent by Household.save; listed here)
)
from .services import refresh_below_line_for_year

# 三(九) 重新审核认定: a wrong exit was reverted and the subject is monitored again. Sent
# inside the reverting transaction with ``subject``, ``actor``, ``exited_on`` (the day the
# exit had marked it out) and ``reason``; the help app reopens what the exit closed.
subject_reinstated = Signal()


@receiver(policy_changed, sender=PolicySettings)
def _rejudge_income(sender, *, year: int, **kwargs) -> None:
    refresh_below_line_for_year(year)


# 三(九): a monitoring subject's exit was filed and it is marked risk-eliminated. Sent by
# ``monitoring_subject_eliminate`` inside its transaction with ``subject``, ``actor`` and
# ``on`` (the filing date); assistance closes the plan and stops the targeted measures.
subject_exited = Signal()


@receiver(post_delete, sender=Household)
def _uncount_household(sender, instance: Household, **kwargs) -> None:
    # Whatever deleted it (the admin, a queryset): the village has one household fewer.
    VillageHouseholdCount.add(instance.village_id, -1)
