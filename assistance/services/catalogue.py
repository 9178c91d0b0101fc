"""The county's catalogue of measure kinds (三(八)2 分层分类), seeded and then edited by the
bureau (permission ``catalogue``). A kind in use is never deleted: it is retired
(``is_active=False``) and stays readable for the measures that used it."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from organization.models import User
from suixi_monitor.exceptions import ConflictError
from suixi_monitor.services import save_with_actor

from .. import permissions
from ..models import MeasureKind

KIND_FIELDS = (
    "name",
    "group",
    "description",
    "continues_after_exit",
    "has_amount",
    "is_active",
    "order",
)
MSG_IN_USE = "已有{n}项帮扶措施使用“{name}”，不能删除；不再使用请停用"


def _assign(kind: MeasureKind, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(KIND_FIELDS)
    if unknown:
        raise TypeError(f"unknown kind fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name in ("name", "description"):
            value = (value or "").strip()
        setattr(kind, name, value)


def measure_kind_create(*, actor: User, **fields: Any) -> MeasureKind:
    permissions.require(actor, "catalogue")
    kind = MeasureKind(code=f"{fields.get('group') or 'kind'}_{uuid.uuid4().hex[:8]}")
    _assign(kind, fields)
    with transaction.atomic():
        save_with_actor(kind, actor=actor)
    return kind


def measure_kind_update(*, actor: User, kind: MeasureKind, **fields: Any) -> MeasureKind:
    permissions.require(actor, "catalogue")
    with transaction.atomic():
        kind = MeasureKind.objects.select_for_update().get(pk=kind.pk)
        _assign(kind, fields)
        save_with_actor(kind, actor=actor)
    return kind


def measure_kind_delete(*, actor: User, kind: MeasureKind) -> None:
    """Only a kind no measure uses; otherwise 409 (retire it instead)."""
    permissions.require(actor, "catalogue")
    with transaction.atomic():
        kind = MeasureKind.objects.select_for_update().get(pk=kind.pk)
        used = kind.measures.count()
        if used:
            raise ConflictError(MSG_IN_USE.format(n=used, name=kind.name))
        kind._history_user = actor
        kind.delete()
