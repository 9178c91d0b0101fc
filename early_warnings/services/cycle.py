"""The month's cycle (三(四)2): one daily tick reminds, closes the window, pushes, marks overdue."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from organization.models import Department, PolicySettings, Role, User
from organization.services import notify
from organization.working_days import first_start_within
from suixi_monitor import jobs

from ..models import (
    Clue,
    MonthlyCycle,
    State,
    Upload,
    Warning,
    period_label,
    period_start,
    period_validator,
    previous_period,
)
from ..selectors import due_dates
from ._common import active_users, months_back, queue_ingest


def monthly_tick(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Run once a day (and again at will): each step is recorded so it happens once per month,
    and a tick after days of downtime does everything that fell due meanwhile (三(四)2).

    Days are inclusive: a file uploaded on the due day is on time, so the window closes on the
    first tick after it; the push happens on the first tick of the push day ("by the 15th").
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    done: dict[str, int] = defaultdict(int)
    for period in _open_periods(today):
        due, push = due_dates(period)
        policy = PolicySettings.for_year(due.year)
        with transaction.atomic():
            cycle, _ = MonthlyCycle.objects.get_or_create(period=period)
            cycle = MonthlyCycle.objects.select_for_update().get(pk=cycle.pk)
            reminder_from = due - datetime.timedelta(days=policy.warning_reminder_days)
            if cycle.reminded_at is None and reminder_from <= today <= due:
                done["reminded"] += _remind(period, due)
                cycle.reminded_at = now
            if cycle.closed_at is None and today > due:
                done["late"] += _close_window(cycle, due)
                cycle.closed_at = now
            if today >= push:
                cycle.pushed_at = cycle.pushed_at or now
            cycle.save()
        if today >= push:
            done["pushed"] += push_period(period=period, now=now)
    done["overdue"] += mark_overdue(today=today)
    done["requeued"] += _requeue_stalled_uploads(now=now)
    return dict(done)


def _open_periods(today: datetime.date) -> list[str]:
    """Last month's data, plus any earlier month the tick has not finished (downtime) or that
    has files but no cycle yet. A fresh install does not flag months from before it existed."""
    current = previous_period(today)
    unfinished = MonthlyCycle.objects.filter(
        Q(closed_at__isnull=True) | Q(pushed_at__isnull=True), period__lt=current
    ).values_list("period", flat=True)
    with_files = Upload.objects.filter(
        period__in=months_back(today, 4)[2:], period__lt=current
    ).values_list("period", flat=True)
    return sorted({current, *unfinished, *with_files})


def _departments_with_upload(period: str, *, by: datetime.date | None = None) -> set[int]:
    # 民政's roster of the low-income population is not the month's file of warnings.
    qs = Upload.objects.filter(period=period, is_roster=False).exclude(status=Upload.Status.FAILED)
    if by is not None:
        end = timezone.make_aware(
            datetime.datetime.combine(by + datetime.timedelta(days=1), datetime.time())
        )
        qs = qs.filter(uploaded_at__lt=end)
    return set(qs.values_list("department_id", flat=True))


def _remind(period: str, due: datetime.date) -> int:
    uploaded = _departments_with_upload(period)
    missing = Department.objects.exclude(pk__in=uploaded)
    recipients = active_users(Role.DEPARTMENT_STAFF, department__in=missing)
    if recipients:
        notify(
            recipients=recipients,
            message=f"请于{due:%m月%d日}前上传{period_label(period)}防返贫预警信息（三(四)2）",
            url=reverse("early_warnings:upload_list"),
        )
    return missing.count()


def _close_window(cycle: MonthlyCycle, due: datetime.date) -> int:
    on_time = _departments_with_upload(cycle.period, by=due)
    late = list(Department.objects.exclude(pk__in=on_time))
    cycle.late_departments.set(late)
    if late:
        names = "、".join(d.short_name for d in late)
        notify(
            recipients=active_users(Role.COUNTY_BUREAU),
            message=f"{period_label(cycle.period)}预警信息逾期未报送的部门：{names}",
            url=reverse("early_warnings:county") + f"?period={cycle.period}",
        )
        notify(
            recipients=active_users(Role.DEPARTMENT_STAFF, department__in=late),
            message=f"{period_label(cycle.period)}预警信息已逾期（截止{due:%m月%d日}），请尽快上传",
            url=reverse("early_warnings:upload_list"),
        )
    return len(late)


def push_period(*, period: str, now: datetime.datetime) -> int:
    """Send the period's received warnings, and clues that name a town, to their towns.

    A queryset update, not one save per warning: a month carries tens of thousands of
    rows, the WHERE clause is the transition's source state, and ``pushed_at`` keeps the time.
    """
    counts: dict[int, int] = defaultdict(int)
    with transaction.atomic():
        for model in (Warning, Clue):
            # The UPDATE is the lock: its WHERE is the transition's source state, so two
            # ticks cannot push the same row twice; the counts are read back by push time.
            pushed = model.objects.filter(
                period=period, state=State.RECEIVED, town__isnull=False
            ).update(state=State.PUSHED, pushed_at=now)
            if not pushed:
                continue
            for row in (
                model.objects.filter(period=period, state=State.PUSHED, pushed_at=now)
                .values("town_id")
                .annotate(n=Count("pk"))
            ):
                counts[row["town_id"]] += row["n"]
        notify_towns(period, dict(counts))
    return sum(counts.values())


def period_push_now(*, actor: User, period: str, now: datetime.datetime | None = None) -> int:
    """立即推送: the county bureau sends a month's received warnings and clues to the towns now,
    without waiting for the push day or the nightly tick (三(四)2: 每月15日前反馈到镇村核实 is a
    deadline, not a start). The month counts as pushed from then on, so a file ingested later
    goes to the towns as soon as it is written."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县扶贫局可以推送部门预警")
    try:
        period_validator(period)
    except ValidationError:
        raise ValidationError({"period": "数据月份格式应为 YYYY-MM，如 2026-05"}) from None
    now = now or timezone.now()
    if period_start(period) > timezone.localdate(now).replace(day=1):
        raise ValidationError({"period": "数据月份不能晚于本月"})
    with transaction.atomic():
        cycle, _ = MonthlyCycle.objects.get_or_create(period=period)
        cycle = MonthlyCycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.pushed_at is None:
            cycle.pushed_at = now
            cycle.save(update_fields=["pushed_at"])
        return push_period(period=period, now=now)


def push_due(period: str, *, arrived: datetime.date) -> bool:
    """Whether rows of ``period`` that arrive on ``arrived`` go to the towns at once: the month
    was pushed already (by the tick or by hand), or they arrived on or after its push day."""
    if arrived >= due_dates(period)[1]:
        return True
    return MonthlyCycle.objects.filter(period=period, pushed_at__isnull=False).exists()


def notify_towns(period: str, counts: dict[int, int]) -> None:
    for town_id, count in counts.items():
        notify(
            recipients=active_users(Role.TOWN_OFFICIAL, town_id=town_id),
            message=f"收到{period_label(period)}部门预警及线索{count}条，请分派到村核实",
            url=reverse("early_warnings:town_inbox") + f"?period={period}",
        )


def mark_overdue(*, today: datetime.date) -> int:
    """Pushed or assigned and not verified within ``warning_verify_days`` of the push: calendar
    days, or working days where the year's ``warning_verify_working_days`` says so."""
    marked = 0
    for year in {today.year, today.year - 1}:
        policy = PolicySettings.for_year(year)
        days = policy.warning_verify_days
        # Pushed on this day or later: still within the limit today.
        first_in_time = (
            first_start_within(today, days)
            if policy.warning_verify_working_days
            else today - datetime.timedelta(days=days)
        )
        limit = timezone.make_aware(datetime.datetime.combine(first_in_time, datetime.time()))
        year_start = timezone.make_aware(datetime.datetime(year, 1, 1))
        year_end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
        for model in (Warning, Clue):
            qs = model.objects.filter(
                state__in=[State.PUSHED, State.ASSIGNED],
                overdue=False,
                pushed_at__lt=min(limit, year_end),
                pushed_at__gte=year_start,
            )
            per_place = list(qs.values("town_id", "village_id", "state").annotate(n=Count("pk")))
            marked += qs.update(overdue=True)
            _notify_overdue(per_place)
    return marked


def _notify_overdue(per_place: list[dict[str, Any]]) -> None:
    towns: dict[int, int] = defaultdict(int)
    villages: dict[int, int] = defaultdict(int)
    for row in per_place:
        towns[row["town_id"]] += row["n"]
        if row["state"] == State.ASSIGNED and row["village_id"]:
            villages[row["village_id"]] += row["n"]
    for town_id, n in towns.items():
        notify(
            recipients=active_users(Role.TOWN_OFFICIAL, town_id=town_id),
            message=f"有{n}条预警或线索超过核实时限仍未核实",
            url=reverse("early_warnings:town_inbox") + "?overdue=1",
        )
    for village_id, n in villages.items():
        notify(
            recipients=active_users(Role.VILLAGE_MONITOR, village_id=village_id),
            message=f"有{n}条预警或线索超过核实时限，请尽快入户核实",
            url=reverse("early_warnings:village_inbox"),
        )


def _requeue_stalled_uploads(*, now: datetime.datetime) -> int:
    """A worker lost mid-file leaves the upload running; give it to a live worker again,
    unless it used every attempt (a file that keeps killing workers): that one is refused."""
    from .ingest import upload_reject  # ingest pushes through this module: import at call time

    return jobs.jobs_requeue_stalled(Upload, now=now, queue=queue_ingest, reject=upload_reject)
