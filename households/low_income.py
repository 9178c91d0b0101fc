"""Writes to the social-assistance statuses (农村低收入人口, 民政): one service per write.

Kept beside ``services.py`` (the registry's other writes) so that module stays readable. A
status starts and ends by hand (``low_income_status_start``, ``low_income_status_end``) or
from 民政's monthly roster (``low_income_roster_apply``, called by early_warnings' ingestion
of a roster file). Nothing is deleted: an ended status keeps its row, and one that comes back
is a new row unless the same month's roster ended it (a corrected roster of that month).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from organization.models import User
from suixi_monitor.exceptions import ConflictError
from suixi_monitor.services import save_with_actor

from .models import Household, LowIncomeStatus
from .selectors import can_edit_registry

Kind = LowIncomeStatus.Kind
Source = LowIncomeStatus.Source
MSG_STATUS_RIGHT = "您没有权限修改该农户的低收入人口身份"
MSG_ALREADY_HELD = "该户已有未终止的{kind}身份（{since}），不能重复登记"
MSG_ALREADY_ENDED = "该身份已于{on}终止"
MSG_END_BEFORE_START = "终止日期不能早于起始日期（{start}）"
MSG_FUTURE = "日期不能晚于今天"


def _require_right(actor: User, household: Household) -> None:
    if not can_edit_registry(actor, household):
        raise PermissionDenied(MSG_STATUS_RIGHT)


def low_income_status_start(
    *,
    actor: User,
    household: Household,
    kind: str,
    started_on: datetime.date,
    note: str = "",
) -> LowIncomeStatus:
    """Record by hand that a household holds a status from ``started_on`` (e.g. a 低保
    granted after the month's roster was sent)."""
    _require_right(actor, household)
    if kind not in Kind.values:
        raise ValidationError({"kind": "请选择救助类别：低保、特困、低保边缘或刚性支出困难"})
    if started_on is None or started_on > timezone.localdate():
        raise ValidationError({"started_on": MSG_FUTURE if started_on else "请填写起始日期"})
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        held = LowIncomeStatus.objects.filter(
            household=household, kind=kind, ended_on__isnull=True
        ).first()
        if held is not None:
            raise ConflictError(
                MSG_ALREADY_HELD.format(kind=held.get_kind_display(), since=held.started_label)
            )
        status = LowIncomeStatus(
            household=household,
            kind=kind,
            started_on=started_on,
            source=Source.MANUAL,
            source_label=f"{actor}手工录入" + (f"：{note.strip()}" if note.strip() else ""),
        )
        save_with_actor(status, actor=actor, reason="手工录入")
    return status


def low_income_status_end(
    *, actor: User, status: LowIncomeStatus, ended_on: datetime.date, reason: str
) -> LowIncomeStatus:
    """End a status by hand from ``ended_on`` (the first day it is no longer held)."""
    _require_right(actor, status.household)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写终止原因"})
    if ended_on is None or ended_on > timezone.localdate():
        raise ValidationError({"ended_on": MSG_FUTURE if ended_on else "请填写终止日期"})
    with transaction.atomic():
        status = LowIncomeStatus.objects.select_for_update().get(pk=status.pk)
        if status.ended_on is not None:
            raise ConflictError(MSG_ALREADY_ENDED.format(on=f"{status.ended_on:%Y-%m-%d}"))
        if ended_on < status.started_on:
            raise ValidationError(
                {"ended_on": MSG_END_BEFORE_START.format(start=f"{status.started_on:%Y-%m-%d}")}
            )
        status.ended_on = ended_on
        status.ended_source = Source.MANUAL
        status.ended_label = f"{actor}手工终止：{reason}"[:200]
        save_with_actor(status, actor=actor, reason=reason)
    return status


@dataclass
class RosterOutcome:
    """What one kind of a roster changed; ``started`` are the households new to the status
    (newly granted, not a status the same month's roster had ended and now lists again)."""

    kind: str
    started: list[int] = field(default_factory=list)
    resumed: int = 0  # ended by an earlier file of the same month, listed again
    ended: int = 0
    unchanged: int = 0
    older_than: datetime.date | None = None  # refused: a later month's roster was applied
    # The kind's first roster: it records who already holds the status, nobody is "new".
    baseline: bool = False

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "started": len(self.started),
            "resumed": self.resumed,
            "ended": self.ended,
            "unchanged": self.unchanged,
            "older_than": f"{self.older_than:%Y-%m}" if self.older_than else "",
            "baseline": self.baseline,
        }


def latest_roster_month(kind: str) -> datetime.date | None:
    """The month of the latest roster that changed ``kind`` (a start or an end it wrote)."""
    statuses = LowIncomeStatus.objects.filter(kind=kind)
    started = statuses.filter(source=Source.ROSTER).aggregate(m=Max("started_on"))["m"]
    ended = statuses.filter(ended_source=Source.ROSTER).aggregate(m=Max("ended_on"))["m"]
    latest = max((day for day in (started, ended) if day is not None), default=None)
    # A hand-entered status that started mid-month ends on its own start: still that month.
    return latest.replace(day=1) if latest else None


def low_income_roster_apply(
    *,
    actor: User | None,
    kind: str,
    month: datetime.date,
    household_ids: Iterable[int],
    source_label: str,
    keep: Iterable[int] = (),
) -> RosterOutcome:
    """民政's roster of one status for ``month`` (its first day): the whole current list.

    A household listed and not holding the status gets it from ``month``; one holding it and
    not listed has it ended on ``month`` (the first day it is off the roster); the rest are
    unchanged, so the same roster applied twice changes nothing. A status the same month's
    roster ended comes back on its old row (a corrected roster of that month), so a month
    never splits a status in two. Households in ``keep`` (their rows were refused, e.g. for a
    name that differs from the registry's) are neither started nor ended. A roster older than the latest month applied to the kind
    changes nothing: months arrive in order. Call inside the upload's transaction; the
    history names ``actor`` and the roster."""
    outcome = RosterOutcome(kind=kind)
    kept = set(keep)
    listed = set(household_ids) - kept
    with transaction.atomic():
        open_rows = {
            row.household_id: row
            for row in LowIncomeStatus.objects.select_for_update().filter(
                kind=kind, ended_on__isnull=True
            )
        }
        latest = latest_roster_month(kind)
        if latest is not None and month < latest:
            outcome.older_than = latest
            return outcome
        outcome.baseline = latest is None
        reason = f"{source_label}"[:100]
        outcome.unchanged = len(listed & open_rows.keys())
        ending = [row for pk, row in open_rows.items() if pk not in listed and pk not in kept]
        for row in ending:
            row.ended_on = max(month, row.started_on)
            row.ended_source = Source.ROSTER
            row.ended_label = f"{source_label}未列入"[:200]
        if ending:
            bulk_update_with_history(
                ending,
                LowIncomeStatus,
                ["ended_on", "ended_source", "ended_label"],
                batch_size=500,
                default_user=actor,
                default_change_reason=f"{reason}未列入，终止",
            )
        outcome.ended = len(ending)
        newcomers = sorted(listed - open_rows.keys())
        resumed = _ended_by_same_month(kind, month, newcomers)
        for row in resumed.values():
            row.ended_on = None
            row.ended_source = ""
            row.ended_label = ""
        if resumed:
            bulk_update_with_history(
                list(resumed.values()),
                LowIncomeStatus,
                ["ended_on", "ended_source", "ended_label"],
                batch_size=500,
                default_user=actor,
                default_change_reason=f"{reason}重新列入",
            )
        outcome.resumed = len(resumed)
        outcome.started = [pk for pk in newcomers if pk not in resumed]
        bulk_create_with_history(
            [
                LowIncomeStatus(
                    household_id=pk,
                    kind=kind,
                    started_on=month,
                    source=Source.ROSTER,
                    source_label=source_label[:200],
                )
                for pk in outcome.started
            ],
            LowIncomeStatus,
            batch_size=500,
            default_user=actor,
            default_change_reason=f"{reason}新列入",
        )
    return outcome


def _ended_by_same_month(
    kind: str, month: datetime.date, households: list[int]
) -> dict[int, LowIncomeStatus]:
    found: dict[int, LowIncomeStatus] = {}
    for start in range(0, len(households), 500):  # SQLite binds at most 32,766 parameters
        rows = LowIncomeStatus.objects.select_for_update().filter(
            kind=kind,
            household_id__in=households[start : start + 500],
            ended_on=month,
            ended_source=Source.ROSTER,
        )
        for row in rows.order_by("household_id", "-id"):
            found.setdefault(row.household_id, row)
    return found
