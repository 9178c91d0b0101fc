"""Celery tasks: thin, idempotent, each a call to a service."""

from celery import shared_task

from . import services


@shared_task(name="identification.conclude_publicities")
def conclude_publicities() -> int:
    """Daily: close every publicity that ran its full days with no open objection (三(七)5/6).

    The service reads dates rather than "since the last run", so a run after
    downtime catches up and a repeated run finds nothing more to do.
    """
    return services.publicities_conclude_due()
