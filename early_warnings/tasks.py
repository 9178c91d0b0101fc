"""Celery tasks: thin, idempotent, take ids and call a service."""

from celery import shared_task

from . import services


@shared_task(name="early_warnings.ingest_upload")
def ingest_upload(upload_id: int) -> dict:
    upload = services.upload_ingest(upload_id=upload_id)
    return {"upload": upload.pk, "status": upload.status, "warnings": upload.warnings_count}


@shared_task(name="early_warnings.monthly_tick")
def monthly_tick() -> dict:
    """The one daily beat entry: reminders, window close, push, overdue (三(四)2)."""
    return services.monthly_tick()
