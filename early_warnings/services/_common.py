"""What every department-warning service shares: limits, the acting department, recipients."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from organization.models import Department, Role, User
from suixi_monitor import jobs

from ..models import (
    period_of,
)


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
    jobs.job_queue(INGEST_TASK, upload_id)


def months_back(today: datetime.date, n: int) -> list[str]:
    month = today.replace(day=1)
    result = []
    for _ in range(n):
        result.append(period_of(month))
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return result
