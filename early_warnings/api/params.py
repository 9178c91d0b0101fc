"""Query parameters of the warnings API: a malformed one is a 400 naming it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter

from ..models import State


def int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({name: "应为整数"}) from None


def bool_param(request, name: str) -> bool | None:
    raw = request.query_params.get(name, "").strip().lower()
    if raw in {"1", "true", "yes"}:
        return True
    if raw in {"0", "false", "no"}:
        return False
    return None


def choice_param(request, name: str, choices) -> str:
    raw = request.query_params.get(name, "").strip()
    if raw and raw not in choices:
        raise ValidationError({name: f"可选值：{'、'.join(choices)}"})
    return raw


PERIOD_PARAMS = [
    OpenApiParameter("period", str, description="数据月份 YYYY-MM"),
    OpenApiParameter("town", int),
    OpenApiParameter("village", int),
    OpenApiParameter("state", str, enum=State.values),
    OpenApiParameter("overdue", bool),
]
