"""What every step shares: locking, rule and state checks, advancing the case, notifying after commit."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from households.models import Household
from households.selectors import household_scope_q
from organization.models import PolicySettings, Role, User
from organization.services import area_role_q, local_officials_q, notify_on_commit
from suixi_monitor.services import save_with_actor

from ..models import (
    IdentificationCase,
    Publicity,
)
from .clock import case_refresh_due_on

SYSTEM = "系统"


# --- plumbing ---------------------------------------------------------------------


def _lock(case, actor: User | None):
    """The case row (an identification or an exit case), locked for this transaction, after
    checking the actor may see its household."""
    locked = type(case).objects.select_for_update().get(pk=case.pk)
    if (
        actor is not None
        and not Household.objects.filter(household_scope_q(actor), pk=locked.household_id).exists()
    ):
        raise PermissionDenied(f"您无权办理该户的{type(case)._meta.verbose_name}")
    return locked


def _check_date(
    day: datetime.date,
    field: str,
    *,
    not_before: datetime.date | None = None,
    before_label: str = "",
) -> None:
    """Dates may be entered after the fact (paper meetings), never in the future."""
    if day > timezone.localdate():
        raise ValidationError({field: "日期不能晚于今天"})
    if not_before and day < not_before:
        raise ValidationError({field: f"日期不能早于{before_label}（{not_before:%Y-%m-%d}）"})


def _policy(day: datetime.date) -> PolicySettings:
    return PolicySettings.for_year(day.year)


def _case_url(case) -> str:
    if isinstance(case, IdentificationCase):
        return reverse("identification:detail", args=[case.pk])
    return reverse("exits:detail", args=[case.pk])


def _notify_after_commit(recipients: Q, message: str, case) -> None:
    notify_on_commit(recipients=recipients, message=message, url=_case_url(case))


def _village_and_town_q(case) -> Q:
    village = case.household.village
    return local_officials_q(village.pk, village.town_id)


def _town_q(case) -> Q:
    village = case.household.village
    return area_role_q(Role.TOWN_OFFICIAL, village_id=village.pk, town_id=village.town_id)


def _step_moment(on: datetime.date | None) -> datetime.datetime:
    """When the case entered its new step: the step's recorded date, not the moment of entry.

    Paper meetings are entered days later (三(七) dates may be after the fact); counting
    "days waiting" and overdue from the typing would hide a case idle since the meeting.
    """
    now = timezone.now()
    if on is None or on >= timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time.min))


def _advance(
    case,
    transition,
    *,
    actor: User | None,
    note: str,
    on: datetime.date | None = None,
    **kwargs: Any,
) -> Any:
    """Call the transition and save the case; ``note`` becomes the history's change reason.

    ``on`` is the recorded date the step happened (the case has waited in its new
    step since then); without it, now.
    """
    transition(at=_step_moment(on), **kwargs)
    if isinstance(case, IdentificationCase):
        case_refresh_due_on(case)
    save_with_actor(case, actor=actor, reason=note)
    return case


def _running_publicity(case) -> Publicity | None:
    return case.publicities.filter(outcome=Publicity.Outcome.RUNNING).first()


def _end_running_publicity(case, *, actor: User | None, outcome: str) -> None:
    publicity = _running_publicity(case)
    if publicity:
        publicity.outcome = outcome
        publicity.concluded_at = timezone.now()
        publicity.concluded_by = actor
        save_with_actor(publicity, actor=actor)


def _reject(case: IdentificationCase, *, actor: User | None, reason: str) -> IdentificationCase:
    _end_running_publicity(case, actor=actor, outcome=Publicity.Outcome.ENDED)
    case.reject(at=timezone.now(), reason=reason)
    save_with_actor(case, actor=actor, reason="未通过")
    _notify_after_commit(
        _village_and_town_q(case), f"{case.household.head_name}户识别申请未通过：{reason}", case
    )
    return case
