"""File jobs: a user's file, stored, then read by a Celery worker that reports here.

Every kind of upload (a department's monthly warnings, a comparison data set) moves
queued → running → done | failed. The worker moves it and nobody decides it, so ``status``
is a plain job field, not a protected FSM state.

Re-delivery cap. Tasks are acknowledged late and rejected back to the queue when their
worker process is lost (settings), so a file that kills the process (a native abort in a
reader) would come back for ever, and the daily requeue of stalled jobs would add copies.
Each attempt is therefore counted and committed before the file is opened; the attempt
that would exceed ``UPLOAD_MAX_ATTEMPTS`` gives up instead, and a job with no attempt left
is never requeued.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from .celery import app as celery_app

ERRORS_KEPT = 20_000  # beyond this the report says "and N more"; the counts stay exact
# A file that breaks a reader in Python (not one that kills the process) is refused at once.
UNREADABLE = "文件无法处理，请另存为 xlsx 后重新上传，或联系县扶贫局"
QUEUED_STALL = datetime.timedelta(hours=1)
RUNNING_STALL = datetime.timedelta(hours=2)


class FileJob(models.Model):
    """The fields every upload read by a worker shares; each app adds its file and scope."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "文件被拒绝"

    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    status = models.CharField(
        "处理状态", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    attempts = models.PositiveSmallIntegerField("处理次数", default=0)
    started_at = models.DateTimeField("开始处理", null=True, blank=True)
    finished_at = models.DateTimeField("处理完成", null=True, blank=True)
    file_error = models.CharField("文件错误", max_length=500, blank=True)
    rows_total = models.PositiveIntegerField("数据行", default=0)
    rows_valid = models.PositiveIntegerField("有效行", default=0)
    rows_error = models.PositiveIntegerField("错误行", default=0)
    errors = models.JSONField("行错误", default=list, blank=True)
    # Valid rows that made nothing (under the rule, repeated, written before) and sheets not
    # read: the result page accounts for every row of the file.
    summary = models.JSONField("行数说明", default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


# What the API shows of every job, read-only (the row errors only on the detail).
API_FIELDS = (
    "original_name", "size", "uploaded_at", "status", "progress", "attempts", "file_error",
    "rows_total", "rows_valid", "rows_error", "started_at", "finished_at",
)  # fmt: skip

J = TypeVar("J", bound=FileJob)


def job_queue(task: str, job_id: int) -> None:
    """Queue a job's task by its name; call it from ``transaction.on_commit``, so the worker
    finds the committed row. The task imports the service, never the other way round.

    A signature rather than ``send_task``: for a task registered in this process (each app's
    ``ready()`` loads its tasks) it goes through the task's own ``apply_async``, which honours
    ``CELERY_TASK_ALWAYS_EAGER``; ``send_task`` would always go to the broker. The project's
    Celery app is named, not ``current_app``, which any other ``Celery()`` made in the
    process (a test's own client of a broker) would replace.
    """
    celery_app.signature(task, args=[job_id]).delay()


class Attempt(enum.Enum):
    STARTED = "started"  # counted and committed: read the file
    FINISHED = "finished"  # done or failed already (a duplicate delivery): leave it
    EXHAUSTED = "exhausted"  # every allowed attempt was used: give up without reading


def max_attempts() -> int:
    return settings.UPLOAD_MAX_ATTEMPTS


def gave_up_message() -> str:
    return (
        f"文件连续{max_attempts()}次导致处理进程异常退出，已停止处理，"
        "请另存为 xlsx 后重新上传或联系县扶贫局"
    )


def job_attempt_start(job: FileJob) -> Attempt:
    """Count this attempt and commit the count before the file is opened: a process killed
    while reading cannot roll it back. ``job`` is refreshed with what was committed."""
    with transaction.atomic():
        locked = type(job).objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:
            outcome = Attempt.FINISHED
        elif locked.attempts >= max_attempts():
            outcome = Attempt.EXHAUSTED
        else:
            locked.attempts += 1
            locked.status = FileJob.Status.RUNNING
            locked.progress = 5
            locked.started_at = timezone.now()
            locked.save(update_fields=["attempts", "status", "progress", "started_at"])
            outcome = Attempt.STARTED
    for name in ("attempts", "status", "progress", "started_at"):
        setattr(job, name, getattr(locked, name))
    return outcome


def job_progress(job: FileJob, percent: int, **fields: Any) -> None:
    """Written outside the job's write transaction so the page sees it while the worker works."""
    fields["progress"] = percent
    type(job).objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def job_fail(job: J, *, message: str, notify: Callable[[J], None], **fields: Any) -> J:
    """Refuse the whole file once: a job that finished meanwhile is left as it is. ``notify``
    tells the uploader, in the same transaction (an in-app message is a row too)."""
    with transaction.atomic():
        locked = type(job).objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:
            return locked
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.status = FileJob.Status.FAILED
        locked.file_error = message[:500]
        locked.progress = 100
        locked.finished_at = timezone.now()
        locked.save()
        notify(locked)
    return locked


def jobs_requeue_stalled(
    model: type[J],
    *,
    now: datetime.datetime,
    queue: Callable[[int], None],
    reject: Callable[..., object],
) -> int:
    """Give jobs a lost worker or a lost message left behind to a live worker again, once
    committed. A job that already used every attempt is never queued again: ``reject``
    (the app's refusal service) fails it and tells its uploader. Returns how many were queued."""
    stalled = model.objects.filter(
        Q(status=FileJob.Status.QUEUED, uploaded_at__lt=now - QUEUED_STALL)
        | Q(status=FileJob.Status.RUNNING, started_at__lt=now - RUNNING_STALL)
    )
    for job in stalled.filter(attempts__gte=max_attempts()):
        reject(upload=job, message=gave_up_message())
    requeue = list(stalled.filter(attempts__lt=max_attempts()).values_list("pk", flat=True))
    for pk in requeue:
        transaction.on_commit(lambda pk=pk: queue(pk))
    return len(requeue)
