"""Celery tasks: thin, idempotent, each a call to a service."""

from celery import shared_task

from . import services


@shared_task(name="reports.export_ledger")
def export_ledger(job_id: int) -> dict:
    """三(十): write a large ledger export to its file (idempotent)."""
    job = services.ledger_export_run(job_id=job_id)
    return {"job": job.pk, "status": job.status, "rows": job.rows_total}


@shared_task(name="reports.requeue_stalled_exports")
def requeue_stalled_exports() -> int:
    """Hourly: exports a lost worker left behind go to a live worker, within their attempts."""
    return services.ledger_exports_requeue_stalled()
