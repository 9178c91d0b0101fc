"""The indicators the county bureau keeps for each department (三(四)2)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from organization.models import Role, User
from suixi_monitor.services import save_with_actor

from .. import spreadsheets
from ..models import (
    WarningIndicator,
)


def indicator_save(
    *, actor: User, indicator: WarningIndicator | None = None, **fields: Any
) -> WarningIndicator:
    """The county bureau keeps the indicators; departments read them."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县扶贫局可以修改预警指标")
    with transaction.atomic():
        if indicator is not None:
            indicator = WarningIndicator.objects.select_for_update().get(pk=indicator.pk)
        else:
            indicator = WarningIndicator()
        for name, value in fields.items():
            setattr(indicator, name, value)
        if "code" in fields:
            indicator.code = str(indicator.code).strip().upper()
        save_with_actor(indicator, actor=actor)
    return indicator


def sample_id_number() -> str:
    return spreadsheets.EXAMPLE_ID
