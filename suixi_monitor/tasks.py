"""Project-wide Celery tasks."""

from celery import shared_task
from django.db import connection


@shared_task(name="suixi_monitor.ping")
def ping() -> dict:
    """Answers from inside a worker with Django loaded: the smoke check of ``make celery-check``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"pong": one == 1, "database": connection.vendor}
