"""What every department-warning service shares: limits, the acting department, recipients."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from organization.models import Department, Role, User
from suixi_monitor.celery import app as celery_app

from ..models import (
    period_of,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "WARNING_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "WARNING_UPLOAD_MAX_UNPACKED_BYTES", 10 * max_upload_bytes()))


def acting_department(actor: User, department: Department | None, *, refusal: str) -> Department:
    """Department staff act for their own department; the county bureau names one."""
    if actor.role == Role.DEPARTMENT_STAFF:
        department = actor.department
    elif actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(refusal)
    if department is None:
        raise ValidationError({"department": "请选择部门"})
    return department


def active_users(role: str, **scope: Any) -> list[User]:
    return list(User.objects.filter(role=role, is_active=True, **scope))


# The task imports the services, never the other way round: the services name it.
INGEST_TASK = "early_warnings.ingest_upload"


def queue_ingest(upload_id: int) -> None:
    """Queue an upload's ingestion; call it from ``transaction.on_commit`` (STYLE.md rule 7).

    A signature rather than ``send_task``: for a task registered in this process (the app's
    ``ready()`` loads its tasks) it goes through the task's own ``apply_async``, which honours
    ``CELERY_TASK_ALWAYS_EAGER``; ``send_task`` would always go to the broker. The project's
    Celery app is named, not ``current_app``, which any other ``Celery()`` made in the
    process (a test's own client of a broker) would replace.
    """
    celery_app.signature(INGEST_TASK, args=[upload_id]).delay()


def months_back(today: datetime.date, n: int) -> list[str]:
    month = today.replace(day=1)
    result = []
    for _ in range(n):
        result.append(period_of(month))
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return result
