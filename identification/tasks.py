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


@shared_task(name="identification.ingest_dataset_upload")
def ingest_dataset_upload(upload_id: int) -> dict:
    """三(七)4: read a stored comparison file and write its data set (idempotent)."""
    upload = services.dataset_upload_ingest(upload_id=upload_id)
    return {"upload": upload.pk, "status": upload.status, "dataset": upload.dataset_id}


@shared_task(name="identification.requeue_stalled_dataset_uploads")
def requeue_stalled_dataset_uploads() -> int:
    """Hourly: uploads a lost worker left behind go to a live worker, within their attempts."""
    return services.dataset_uploads_requeue_stalled()


@shared_task(name="identification.exit_rounds_tick")
def exit_rounds_tick() -> dict:
    """Daily (三(十) 退出工作每半年开展一次): open the half-year's round on its day, stop
    proposals after the round's last day, close each town's part once its cases are done.
    Reads dates and states, so a run after downtime catches up and a repeated run does nothing."""
    return services.exit_rounds_tick()


@shared_task(name="identification.notify_case_clocks")
def notify_case_clocks() -> dict:
    """Daily: warn the responsible role of each case that turned orange (临期) or red (超期).
    Each warning is sent once per limit, so a second run the same day sends nothing."""
    return services.case_clocks_notify()
