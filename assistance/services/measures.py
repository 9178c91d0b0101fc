"""一人一措施 (三(八)1): a measure's state, changed by its services only.

``planned → in_progress → done``, or ``stopped`` with a reason from either open state.
A visit that finds a measure moved calls ``measure_record_progress``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from organization.models import User
from suixi_monitor.exceptions import ConflictError
from suixi_monitor.services import save_with_actor

from .. import permissions
from ..models import OPEN_MEASURE_STATES, Measure, MeasureState, PlanState
from ._common import check_date, lock

HOUSEHOLD = "plan__subject__household"
MSG_PLAN_CLOSED = "帮扶方案已关闭，措施不能再变更"
MSG_STOP_REASON = "请填写停止原因"


def _locked(actor: User, measure: Measure) -> Measure:
    permissions.require(actor, "measure_progress")
    measure = lock(measure, actor=actor, household_path=HOUSEHOLD)
    # 三(九) stops the targeted measures at exit; the kinds that continue after it (小额信贷,
    # 公益性岗位, 雨露计划) still run to their own end and are completed or stopped then.
    if measure.plan.state == PlanState.CLOSED and not (
        measure.kind.continues_after_exit and measure.state in OPEN_MEASURE_STATES
    ):
        raise ConflictError(MSG_PLAN_CLOSED)
    return measure


def _refuse_state(measure: Measure, doing: str) -> None:
    raise ConflictError(f"该措施{measure.get_state_display()}，不能{doing}")


def measure_start(*, actor: User, measure: Measure, on: datetime.date) -> Measure:
    with transaction.atomic():
        measure = _locked(actor, measure)
        if measure.state != MeasureState.PLANNED:
            _refuse_state(measure, "开始实施")
        check_date(on, "started_on", not_before=measure.plan.made_on, before_label="方案制定日期")
        measure.start(on=on)
        save_with_actor(measure, actor=actor)
    return measure


def measure_complete(
    *, actor: User, measure: Measure, on: datetime.date, result: str = ""
) -> Measure:
    with transaction.atomic():
        measure = _locked(actor, measure)
        if measure.state != MeasureState.IN_PROGRESS:
            _refuse_state(measure, "标记完成")
        check_date(on, "ended_on", not_before=measure.started_on, before_label="开始日期")
        measure.complete(on=on, result=result.strip())
        save_with_actor(measure, actor=actor)
    return measure


def measure_stop(*, actor: User, measure: Measure, on: datetime.date, reason: str) -> Measure:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": MSG_STOP_REASON})
    with transaction.atomic():
        measure = _locked(actor, measure)
        if measure.state not in (MeasureState.PLANNED, MeasureState.IN_PROGRESS):
            _refuse_state(measure, "停止")
        check_date(
            on,
            "ended_on",
            not_before=measure.started_on or measure.plan.made_on,
            before_label="开始日期",
        )
        measure.stop(on=on, reason=reason)
        save_with_actor(measure, actor=actor)
    return measure


# What a visit may find of an open measure, and the service that moves it there.
PROGRESS_STEPS = {
    (MeasureState.PLANNED, MeasureState.IN_PROGRESS): "start",
    (MeasureState.PLANNED, MeasureState.DONE): "start_and_complete",
    (MeasureState.IN_PROGRESS, MeasureState.DONE): "complete",
}


def measure_record_progress(
    *,
    actor: User,
    measure: Measure,
    state: str,
    on: datetime.date,
    result: str = "",
    reason: str = "",
) -> tuple[str, str]:
    """Bring ``measure`` to ``state`` as found on ``on``; returns (state before, state after).
    The same state only records the result; a step backwards is refused."""
    before = measure.state
    if state == before:
        if result.strip():
            with transaction.atomic():
                measure = _locked(actor, measure)
                measure.result = result.strip()
                save_with_actor(measure, actor=actor)
        return before, before
    if state == MeasureState.STOPPED:
        measure_stop(actor=actor, measure=measure, on=on, reason=reason)
        return before, state
    step = PROGRESS_STEPS.get((before, state))
    if step is None:
        raise ConflictError(
            f"措施“{measure.kind.name}”{measure.get_state_display()}，"
            f"不能改为{MeasureState(state).label}"
        )
    with transaction.atomic():
        if step in ("start", "start_and_complete"):
            measure = measure_start(actor=actor, measure=measure, on=on)
        if step in ("complete", "start_and_complete"):
            measure_complete(actor=actor, measure=measure, on=on, result=result)
    return before, state
