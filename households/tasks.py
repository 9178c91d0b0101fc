"""Celery tasks: thin, idempotent, each a call to the registry."""

from celery import shared_task

from .models import VillageHouseholdCount


@shared_task(name="households.recount_villages")
def recount_villages() -> int:
    """Daily: count every village's households again (the dashboards' figures). Each household
    written keeps its village's count in its own transaction; this is the check behind that,
    and answers how many villages it found wrong (0 on a healthy day)."""
    return VillageHouseholdCount.recount()
