from django.dispatch import Signal, receiver

from organization.models import PolicySettings
from organization.signals import policy_changed

from .services import refresh_below_line_for_year


@receiver(policy_changed, sender=PolicySettings)
def _rejudge_income(sender, *, year: int, **kwargs) -> None:
    refresh_below_line_for_year(year)


# 三(九): a monitoring subject's exit was filed and it is marked risk-eliminated. Sent by
# ``monitoring_subject_eliminate`` inside its transaction with ``subject``, ``actor`` and
# ``on`` (the filing date); assistance closes the plan and stops the targeted measures.
subject_exited = Signal()
