"""三(十) "退出工作每半年开展一次": opening the half-year rounds and moving each town's part on.

A round opens on the first day of the month PolicySettings names for its half (by the daily
task, as the system) or by the county's hand; it takes proposals for
``exit_round_open_days`` days, then each town's part waits for its cases to be done
(``closing``) and is ``closed`` once none is open. Same contract as the other steps: the
role first (403), the row locked, a wrong state 409, a broken rule 400 naming the field.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from organization.models import PolicySettings, Role, Town, User
from organization.services import notify_on_commit
from suixi_monitor.exceptions import ConflictError
from suixi_monitor.services import save_with_actor

from ..models import EXIT_OPEN_STATES, ExitCase, ExitRound, TownRound, TownRoundState

MSG_OPEN_COUNTY_ONLY = "退出批次由县扶贫局开启（三(十)）"
Half = ExitRound.Half


def round_month(policy: PolicySettings, half: int) -> int:
    """The month the year's policy opens ``half``'s round in (三(十) 每半年一次)."""
    return policy.exit_round_first_month if half == Half.FIRST else policy.exit_round_second_month


def round_date(year: int, half: int) -> datetime.date:
    """The day the daily task opens the round: the 1st of its month."""
    return datetime.date(year, round_month(PolicySettings.for_year(year), half), 1)


def _check_open_date(*, year: int, half: int, on: datetime.date) -> None:
    if half not in Half.values:
        raise ValidationError({"half": "半年须为 1（上半年）或 2（下半年）"})
    if on > timezone.localdate():
        raise ValidationError({"on": "开启日期不能晚于今天"})
    # A round may open late (after downtime), never before its half-year begins.
    starts = datetime.date(year, 1 if half == Half.FIRST else 7, 1)
    if on < starts:
        raise ValidationError(
            {"on": f"{year}年{Half(half).label}退出批次不能早于{starts:%Y-%m-%d}开启（三(十)）"}
        )


def _duplicate(year: int, half: int) -> ConflictError:
    return ConflictError(f"{year}年{Half(half).label}退出批次已开启，不能重复开启", field="half")


def exit_round_open(*, actor: User | None, year: int, half: int, on: datetime.date) -> ExitRound:
    """Open the round of ``year``'s ``half`` on ``on`` with a part for every town (三(十)).

    ``actor=None`` is the daily task. Proposals are taken through
    ``on + exit_round_open_days - 1``; a half-year has one round (409 if it exists).
    """
    if actor is not None and actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(MSG_OPEN_COUNTY_ONLY)
    _check_open_date(year=year, half=half, on=on)
    if ExitRound.objects.filter(year=year, half=half).exists():
        raise _duplicate(year, half)
    days = PolicySettings.for_year(year).exit_round_open_days
    exit_round = ExitRound(
        year=year,
        half=half,
        opened_on=on,
        closes_on=on + datetime.timedelta(days=days - 1),
        opened_by=actor,
    )
    try:
        with transaction.atomic():
            # Not full_clean(): its unique check would answer a twin opening as a 400.
            exit_round._history_user = actor
            exit_round.save()
            for town in Town.objects.order_by("code"):
                save_with_actor(TownRound(round=exit_round, town=town), actor=actor)
    except IntegrityError:
        # Two openings at once (the county and the task): the second is a wrong state.
        raise _duplicate(year, half) from None
    notify_on_commit(
        recipients=Q(role__in=[Role.TOWN_OFFICIAL, Role.VILLAGE_MONITOR]),
        message=(
            f"{exit_round.label}已开启，{exit_round.closes_on:%Y-%m-%d}前上报拟退出名单"
            "（三(九)(十)）"
        ),
        url=reverse("identification:round_list"),
    )
    return exit_round


# --- each town's part -----------------------------------------------------------------


def lock_town_round(town_round: TownRound) -> TownRound:
    """The town's part, locked for this transaction (its round and town read along)."""
    return (
        TownRound.objects.select_related("round", "town")
        .select_for_update(of=("self",))
        .get(pk=town_round.pk)
    )


def town_round_stop_proposals(*, town_round: TownRound, today: datetime.date) -> TownRound:
    """The proposal days are over (the day after ``closes_on``): open → closing."""
    with transaction.atomic():
        town_round = lock_town_round(town_round)
        if town_round.state != TownRoundState.OPEN:
            raise ConflictError("该镇本批次已截止申报", extra={"state": town_round.state})
        if today <= town_round.round.closes_on:
            raise ConflictError(
                f"申报截止日期为{town_round.round.closes_on:%Y-%m-%d}，尚未截止",
                extra={"state": town_round.state},
            )
        town_round.stop_proposals(at=timezone.now())
        save_with_actor(town_round, actor=None, reason="申报截止")
    return town_round


def town_round_close(*, town_round: TownRound) -> TownRound:
    """Every exit case of the town's round is done (filed, withdrawn): closing → closed,
    and the county is told it may draw the spot check."""
    with transaction.atomic():
        town_round = lock_town_round(town_round)
        if town_round.state != TownRoundState.CLOSING:
            raise ConflictError("该镇本批次不在办理中", extra={"state": town_round.state})
        if town_round.exit_cases.filter(state__in=EXIT_OPEN_STATES).exists():
            raise ConflictError("该镇本批次还有未办结的退出申报", extra={"state": town_round.state})
        town_round.close(at=timezone.now())
        save_with_actor(town_round, actor=None, reason="本批次退出已全部办结")
        notify_on_commit(
            recipients=Q(role=Role.COUNTY_BUREAU),
            message=f"{town_round.town}{town_round.round.label}已全部办结，可进行抽查评估（三(九)）",
            url=reverse("identification:round_detail", args=[town_round.round_id]),
        )
    return town_round


def due_rounds(today: datetime.date) -> list[tuple[int, int]]:
    """The latest half-year whose round date has come, if its round is not there yet.

    Only the latest: after downtime across two round dates the later round takes the
    households of both (三(十) 每半年一次), and a half-year is never opened after a later one
    (nor twice). Its date is looked for this year and last (downtime across New Year).
    """
    scheduled = [
        (year, half)
        for year in (today.year - 1, today.year)
        for half in Half.values
        if round_date(year, half) <= today
    ]
    if not scheduled:
        return []
    year, half = scheduled[-1]
    later_or_same = Q(year__gt=year) | Q(year=year, half__gte=half)
    return [] if ExitRound.objects.filter(later_or_same).exists() else [(year, half)]


def exit_rounds_tick(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily task: open the half-year's round when its day has come (or after downtime,
    the day the system is back: the towns still get their proposal days), stop proposals
    after ``closes_on`` and close each town's part once none of its cases is open.

    It reads dates and states, not "since the last run": a run after downtime catches up,
    and a second run on the same day finds nothing to do.
    """
    today = today or timezone.localdate()
    done = {"opened": 0, "closing": 0, "closed": 0}
    for year, half in due_rounds(today):
        try:
            exit_round_open(actor=None, year=year, half=half, on=today)
            done["opened"] += 1
        except ConflictError:  # the county opened it by hand meanwhile
            pass
    stopping = TownRound.objects.filter(state=TownRoundState.OPEN, round__closes_on__lt=today)
    done["closing"] = _each(
        stopping, lambda t: town_round_stop_proposals(town_round=t, today=today)
    )
    open_cases = ExitCase.objects.filter(town_round=OuterRef("pk"), state__in=EXIT_OPEN_STATES)
    closing = TownRound.objects.filter(state=TownRoundState.CLOSING).exclude(Exists(open_cases))
    done["closed"] = _each(closing, lambda t: town_round_close(town_round=t))
    return done


def _each(town_rounds, step) -> int:
    """Take ``step`` on each town's part; one another run (or a filing) moved on meanwhile is
    skipped, not a reason to stop the others."""
    count = 0
    for town_round in town_rounds.order_by("pk"):
        try:
            step(town_round)
        except ConflictError:
            continue
        count += 1
    return count
