"""What the help services share: locking a row within the actor's scope, and dates."""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.utils import timezone

from households.models import Household
from households.selectors import household_scope_q
from organization.models import User

M = TypeVar("M", bound=Model)

MSG_OUT_OF_SCOPE = "该户不在您的管辖或帮扶范围内"


def require_household_in_scope(actor: User, household_id: int) -> None:
    if not Household.objects.filter(household_scope_q(actor), pk=household_id).exists():
        raise PermissionDenied(MSG_OUT_OF_SCOPE)


def lock(obj: M, *, actor: User, household_path: str) -> M:
    """``obj`` again, locked for this transaction, after checking that ``actor`` may see the
    household it belongs to (``household_path`` reaches it, e.g. ``plan__subject__household``)."""
    model = type(obj)
    locked = model.objects.select_for_update().get(pk=obj.pk)
    household_id = model.objects.filter(pk=obj.pk).values_list(f"{household_path}_id", flat=True)[0]
    require_household_in_scope(actor, household_id)
    return locked


def check_date(
    day: datetime.date | None,
    field: str,
    *,
    not_before: datetime.date | None = None,
    before_label: str = "",
) -> None:
    """Dates may be entered after the fact, never in the future."""
    if day is None:
        raise ValidationError({field: "请填写日期"})
    if day > timezone.localdate():
        raise ValidationError({field: "日期不能晚于今天"})
    if not_before and day < not_before:
        raise ValidationError({field: f"日期不能早于{before_label}（{not_before:%Y-%m-%d}）"})
