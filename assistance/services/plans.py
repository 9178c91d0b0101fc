"""一户一方案、一人一措施 (三(八)1-2): the plan's life and its measures' contents.

``draft → active`` (the town confirms) ``→ active`` (reviewed every N months of
PolicySettings.plan_review_months) ``→ closed`` (at exit, 三(九)). Measures are added and
edited while the plan is open; their states move through ``services.measures``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction

from households.models import Member, MonitoringSubject, RiskType
from organization.models import PolicySettings, User
from suixi_monitor.exceptions import ApplicationError, ConflictError
from suixi_monitor.services import save_with_actor

from .. import permissions
from ..models import (
    OPEN_MEASURE_STATES,
    OPEN_PLAN_STATES,
    AssistancePlan,
    Measure,
    MeasureKind,
    MeasureState,
    PlanReview,
    PlanState,
)
from ..suggestions import can_work
from ._common import check_date, lock, require_household_in_scope

PLAN_HOUSEHOLD = "subject__household"
MEASURE_HOUSEHOLD = "plan__subject__household"

# The plan's own texts (三(八)1), as the services take them.
PLAN_TEXT_FIELDS = (
    "resources",
    "wishes",
    "abilities",
    "needs",
    "work_team",
    "cadres",
    "helpers",
    "no_development_reason",
)
PLAN_FIELDS = (*PLAN_TEXT_FIELDS, "help_unit", "made_on")
MEASURE_FIELDS = (
    "kind",
    "member",
    "description",
    "department",
    "responsible_person",
    "started_on",
    "planned_end_on",
    "amount",
    "result",
)

# 三(九) "对家庭困难状况明显好转、切实消除返贫致贫风险的，逐步停止有关针对性帮扶措施"
EXIT_REASON = "风险消除退出，停止针对性帮扶措施"
MSG_NOT_MONITORING = "该户已不在监测中，不能制定帮扶方案"
MSG_OPEN_PLAN = "该监测对象已有未关闭的帮扶方案（一户一方案，三(八)1），请在原方案上修改"
MSG_NO_MEASURE = "帮扶方案还没有任何帮扶措施，不能确认（一户一方案、一人一措施，三(八)1）"
MSG_PLAN_CLOSED = "帮扶方案已关闭，不能再修改"
MSG_CONCLUSION = "请填写评估结论"


def months_later(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus whole calendar months; the 31st of a shorter month falls on its last day."""
    return day + relativedelta(months=months)


def next_review(on: datetime.date) -> datetime.date:
    # 三(八)1 "及时掌握动态变化": the county sets how often (PolicySettings, per year).
    return months_later(on, PolicySettings.for_year(on.year).plan_review_months)


def _lock_plan(actor: User | None, plan: AssistancePlan) -> AssistancePlan:
    if actor is None:  # the system, e.g. the exit filing's task
        return AssistancePlan.objects.select_for_update().get(pk=plan.pk)
    return lock(plan, actor=actor, household_path=PLAN_HOUSEHOLD)


def _require_open(plan: AssistancePlan, message: str = MSG_PLAN_CLOSED) -> None:
    if plan.state == PlanState.CLOSED:
        raise ConflictError(message)


def _text(value: Any) -> str:
    return (value or "").strip()


# --- the plan -----------------------------------------------------------------------------


def plan_create(
    *,
    actor: User,
    subject: MonitoringSubject,
    made_on: datetime.date,
    risk_types: Iterable[RiskType] | None = None,
    **fields: Any,
) -> AssistancePlan:
    """A draft plan for a subject in monitoring that has no open plan (409 otherwise). The
    risks default to the subject's own (三(八)1 "针对监测对象的…")."""
    permissions.require(actor, "plan_draft")
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    with transaction.atomic():
        subject = MonitoringSubject.objects.select_for_update().get(pk=subject.pk)
        require_household_in_scope(actor, subject.household_id)
        if subject.status != MonitoringSubject.Status.MONITORING:
            raise ConflictError(MSG_NOT_MONITORING)
        if subject.plans.filter(state__in=[PlanState.DRAFT, PlanState.ACTIVE]).exists():
            raise ConflictError(MSG_OPEN_PLAN)
        check_date(made_on, "made_on", not_before=subject.started_on, before_label="纳入监测日期")
        plan = AssistancePlan(subject=subject, made_on=made_on, made_by=actor)
        for name in PLAN_TEXT_FIELDS:
            setattr(plan, name, _text(fields.get(name)))
        plan.help_unit = fields.get("help_unit")
        save_with_actor(plan, actor=actor)
        plan.risk_types.set(subject.risk_types.all() if risk_types is None else list(risk_types))
    return plan


def plan_update(
    *, actor: User, plan: AssistancePlan, risk_types: Iterable[RiskType] | None = None, **fields
) -> AssistancePlan:
    """Edit the plan's texts, makers and risks while it is a draft or active (history kept)."""
    permissions.require(actor, "plan_draft")
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    with transaction.atomic():
        plan = _lock_plan(actor, plan)
        _require_open(plan)
        for name, value in fields.items():
            setattr(plan, name, _text(value) if name in PLAN_TEXT_FIELDS else value)
        if "made_on" in fields:
            check_date(
                plan.made_on,
                "made_on",
                not_before=plan.subject.started_on,
                before_label="纳入监测日期",
            )
        save_with_actor(plan, actor=actor)
        if risk_types is not None:
            plan.risk_types.set(list(risk_types))
    return plan


def members_without_development(plan: AssistancePlan, on: datetime.date) -> list[Member]:
    """三(八)2: the members who can work on ``on`` and have no development measure in the plan
    that is planned, in progress or done (a stopped one does not count). Only the member's own
    measures count (一人一措施): a whole-household 产业 measure names nobody's job."""
    covered = set(
        plan.measures.filter(
            member__isnull=False,
            kind__group__in=MeasureKind.DEVELOPMENT_GROUPS,
            state__in=[*OPEN_MEASURE_STATES, MeasureState.DONE],
        ).values_list("member_id", flat=True)
    )
    members = plan.subject.household.members.order_by("id")
    return [m for m in members if can_work(m, on) and m.pk not in covered]


def plan_activate(*, actor: User, plan: AssistancePlan, on: datetime.date) -> AssistancePlan:
    """The town confirms the plan (permission ``plan_activate``): it needs a measure, and each
    member who can work needs a development measure unless the plan records why not."""
    permissions.require(actor, "plan_activate")
    with transaction.atomic():
        plan = _lock_plan(actor, plan)
        if plan.state != PlanState.DRAFT:
            raise ConflictError(f"帮扶方案{plan.get_state_display()}，不能再确认")
        check_date(on, "activated_on", not_before=plan.made_on, before_label="方案制定日期")
        if not plan.measures.exclude(state=MeasureState.STOPPED).exists():
            raise ApplicationError(MSG_NO_MEASURE)
        if not plan.no_development_reason.strip():
            missing = members_without_development(plan, on)
            if missing:
                names = "、".join(m.name for m in missing)
                raise ApplicationError(
                    f"{names}有劳动能力，还没有产业、就业或公益性岗位措施（三(八)2"
                    "“有一定劳动能力的，可通过产业就业、公益性岗位增加收入”），"
                    "请添加措施或在方案中填写未安排的原因",
                    field="no_development_reason",
                    extra={"members": [m.pk for m in missing]},
                )
        plan.activate(on=on, next_review_on=next_review(on))
        save_with_actor(plan, actor=actor, reason="镇（园区）确认帮扶方案")
    return plan


def plan_review(
    *, actor: User, plan: AssistancePlan, on: datetime.date, conclusion: str
) -> PlanReview:
    """A review of an active plan (三(八)1 "及时掌握动态变化"); the next falls N months later."""
    permissions.require(actor, "plan_review")
    conclusion = _text(conclusion)
    if not conclusion:
        raise ValidationError({"conclusion": MSG_CONCLUSION})
    with transaction.atomic():
        plan = _lock_plan(actor, plan)
        if plan.state != PlanState.ACTIVE:
            raise ConflictError(f"帮扶方案{plan.get_state_display()}，不能评估")
        last = plan.reviewed_on or plan.activated_on
        check_date(on, "reviewed_on", not_before=last, before_label="上次确认或评估日期")
        review = PlanReview(plan=plan, reviewed_on=on, reviewer=actor, conclusion=conclusion)
        save_with_actor(review, actor=actor)
        plan.review(on=on, next_review_on=next_review(on))
        save_with_actor(plan, actor=actor, reason="方案评估")
    return review


def plan_close(
    *,
    actor: User | None,
    plan: AssistancePlan,
    on: datetime.date,
    reason: str = EXIT_REASON,
    exit: bool = True,
) -> AssistancePlan:
    """Close an open plan. At exit (三(九) "逐步停止有关针对性帮扶措施") its open measures stop,
    except the kinds that run to their own end (``MeasureKind.continues_after_exit``: 小额信贷,
    公益性岗位 contracts, 雨露计划); otherwise (``exit=False``) every open measure stops.
    ``actor=None`` is the system; the exit filing calls this with its own actor."""
    reason = _text(reason) or EXIT_REASON
    if actor is not None:
        permissions.require(actor, "plan_close")
    with transaction.atomic():
        plan = _lock_plan(actor, plan)
        if plan.state == PlanState.CLOSED:
            raise ConflictError("帮扶方案已关闭")
        if on is None:
            raise ValidationError({"closed_on": "请填写日期"})
        if on < plan.made_on:
            raise ValidationError({"closed_on": "关闭日期不能早于方案制定日期"})
        stopping = plan.measures.select_for_update().filter(state__in=OPEN_MEASURE_STATES)
        if exit:
            stopping = stopping.exclude(kind__continues_after_exit=True)
        for measure in stopping.order_by("id"):
            measure.stop(on=max(on, measure.started_on or on), reason=reason)
            save_with_actor(measure, actor=actor, reason=reason)
        plan.close(on=on, reason=reason)
        save_with_actor(plan, actor=actor, reason=reason)
    return plan


def plan_reopen_after_exit(
    *, actor: User | None, subject: MonitoringSubject, exited_on: datetime.date, reason: str
) -> AssistancePlan | None:
    """三(九) 重新审核认定: the subject's exit was reverted, so the plan that exit closed opens
    again and the measures it stopped run again, each from the state it was stopped in.

    The plan is the subject's last one closed on or after the exit day; a measure was
    stopped by the exit when it carries the plan's closing reason and ended on or after that
    day (``plan_close``). Nothing is reopened when the subject had no plan, or has an open
    one again. The caller (the revert) has checked the actor's right; ``actor`` is kept in
    the history.
    """
    with transaction.atomic():
        plan = (
            subject.plans.select_for_update()
            .filter(state=PlanState.CLOSED, closed_on__gte=exited_on)
            .order_by("-closed_on", "-id")
            .first()
        )
        if plan is None or subject.plans.filter(state__in=OPEN_PLAN_STATES).exists():
            return None
        stopped = plan.measures.select_for_update().filter(
            state=MeasureState.STOPPED, stop_reason=plan.close_reason, ended_on__gte=exited_on
        )
        note = f"重新审核认定，恢复帮扶：{reason}"
        for measure in stopped.order_by("id"):
            measure.resume(state=_last_open_state(measure, OPEN_MEASURE_STATES))
            save_with_actor(measure, actor=actor, reason=note)
        plan.reopen(
            state=_last_open_state(plan, OPEN_PLAN_STATES),
            next_review_on=next_review(plan.reviewed_on or plan.activated_on or exited_on),
        )
        save_with_actor(plan, actor=actor, reason=note)
    return plan


def _last_open_state(row: AssistancePlan | Measure, open_states: list[str]) -> str:
    """The open state the row's history last shows before it was closed or stopped; the
    first open state when the history has none (rows written before history was kept)."""
    before = (
        row.history.filter(state__in=open_states)
        .order_by("-history_date", "-history_id")
        .values_list("state", flat=True)
        .first()
    )
    return before or open_states[0]


# --- measures -----------------------------------------------------------------------------


def _check_measure(measure: Measure, *, plan: AssistancePlan, new_kind: bool) -> None:
    errors: dict[str, str] = {}
    if new_kind and measure.kind_id and not measure.kind.is_active:
        errors["kind"] = f"措施类型“{measure.kind.name}”已停用，请选择其他类型"
    if measure.member_id and measure.member.household_id != plan.subject.household_id:
        # 一人一措施: the member is one of this household's.
        errors["member"] = "所选成员不是该户的家庭成员"
    if measure.amount is not None and measure.amount < Decimal("0"):
        errors["amount"] = "金额不能为负数"
    if (
        measure.started_on
        and measure.planned_end_on
        and measure.planned_end_on < measure.started_on
    ):
        errors["planned_end_on"] = "计划完成日期不能早于开始日期"
    if errors:
        raise ValidationError(errors)


def _assign_measure(measure: Measure, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name in ("description", "responsible_person", "result"):
            value = _text(value)
        setattr(measure, name, value)


def measure_create(*, actor: User, plan: AssistancePlan, **fields: Any) -> Measure:
    """A measure of an open plan (一人一措施): for one member of the household or the whole
    household, of an active kind of the catalogue."""
    permissions.require(actor, "measure_edit")
    with transaction.atomic():
        plan = _lock_plan(actor, plan)
        _require_open(plan, "帮扶方案已关闭，不能再添加措施")
        measure = Measure(plan=plan)
        _assign_measure(measure, fields)
        if not measure.kind_id:
            raise ValidationError({"kind": "请选择措施类型"})
        _check_measure(measure, plan=plan, new_kind=True)
        save_with_actor(measure, actor=actor)
    return measure


def measure_update(*, actor: User, measure: Measure, **fields: Any) -> Measure:
    """Edit a measure's contents while its plan is open; its state moves only through the
    state services."""
    permissions.require(actor, "measure_edit")
    with transaction.atomic():
        measure = lock(measure, actor=actor, household_path=MEASURE_HOUSEHOLD)
        plan = AssistancePlan.objects.select_for_update().get(pk=measure.plan_id)
        _require_open(plan, "帮扶方案已关闭，措施不能再修改")
        old_kind = measure.kind_id
        _assign_measure(measure, fields)
        _check_measure(measure, plan=plan, new_kind=measure.kind_id != old_kind)
        save_with_actor(measure, actor=actor)
    return measure
