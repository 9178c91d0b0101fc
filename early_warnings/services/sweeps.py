"""三(四)1: each department's at-least-quarterly sweep of its sector."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from organization.models import Department, User
from suixi_monitor.services import save_with_actor

from ..models import (
    DepartmentSweep,
)
from ._common import acting_department


def sweep_record(
    *,
    actor: User,
    carried_out_on: datetime.date,
    scope: str,
    findings: str,
    households_checked: int = 0,
    department: Department | None = None,
) -> DepartmentSweep:
    """三(四)1: a department's quarterly sweep of its sector."""
    department = acting_department(actor, department, refusal="只有县直部门和县扶贫局可以填报排查")
    if carried_out_on and carried_out_on > timezone.localdate():
        raise ValidationError({"carried_out_on": "排查日期不能晚于今天"})
    sweep = DepartmentSweep(
        department=department,
        carried_out_on=carried_out_on,
        scope=scope,
        findings=findings,
        households_checked=households_checked or 0,
        recorded_by=actor,
    )
    with transaction.atomic():
        save_with_actor(sweep, actor=actor)
    return sweep
