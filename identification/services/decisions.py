"""三(七)5–7 as services: the village's decision and publicity, the town's approval, the
county's filing with its announcement number; and stopping a case (reject, withdraw).

Same contract as ``cases``: lock, refuse a wrong state with ``ConflictError`` (409), a
failed rule with ``ApplicationError`` (400) naming the clause, record, transition, save."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from households.models import MonitoringSubject, RiskType
from households.services import monitoring_subject_create
from organization.models import Role, User
from suixi_monitor.exceptions import ApplicationError
from suixi_monitor.services import save_with_actor

from ..models import (
    Announcement,
    AnnouncementCounter,
    CaseState,
    Filing,
    IdentificationCase,
    Publicity,
    TownApproval,
    VillageDecision,
)
from ..models.steps import PUBLICITY_MAX_DAYS
from ._common import (
    _advance,
    _check_date,
    _end_running_publicity,
    _lock,
    _notify_after_commit,
    _policy,
    _reject,
    _village_and_town_q,
)
from .permissions import case_step

# --- 5. 村研究确定并公示 -------------------------------------------------------------


def case_publicize_village(
    *,
    actor: User,
    case: IdentificationCase,
    meeting_on: datetime.date,
    decision: str,
    publicity_started_on: datetime.date,
) -> IdentificationCase:
    """三(七)5: the 两委 meeting decides and the village publicity starts (2021: after the
    comparison; Anhui 2024: after the 民主评议, the comparison running during the publicity)."""
    table, step = case_step(case, "publicize_village")
    table.require_role(actor, step)
    with transaction.atomic():
        case = _lock(case, actor)
        table.require_state(case, step)
        if case.procedure_definition.compares_during_publicity:
            deliberation = case.deliberations.first()
            previous, label = (deliberation.held_on, "民主评议日期") if deliberation else (None, "")
        else:
            comparison = case.comparisons.first()
            previous, label = (comparison.compared_on, "信息比对日期") if comparison else (None, "")
        _check_date(
            meeting_on,
            "meeting_on",
            not_before=previous or case.applied_on,
            before_label=label or "申请日期",
        )
        _check_date(
            publicity_started_on,
            "publicity_started_on",
            not_before=meeting_on,
            before_label="两委会议日期",
        )
        if not decision.strip():
            raise ValidationError({"decision": "请填写研究意见"})
        publicity = Publicity(
            case=case,
            level=Publicity.Level.VILLAGE,
            started_on=publicity_started_on,
            days=_policy(publicity_started_on).village_publicity_days,
        )
        save_with_actor(publicity, actor=actor)
        save_with_actor(
            VillageDecision(
                case=case,
                meeting_on=meeting_on,
                decision=decision,
                publicity=publicity,
                recorded_by=actor,
            ),
            actor=actor,
        )
        return _advance(
            case,
            case.take_step,
            actor=actor,
            note="村公示开始",
            on=publicity_started_on,
            step=step.name,
        )


# --- 6. 镇审定公示 (2021) / 乡镇审核 (Anhui 2024) ----------------------------------


def case_approve_town(
    *,
    actor: User,
    case: IdentificationCase,
    meeting_on: datetime.date,
    approved: bool,
    opinion: str,
    publicity_started_on: datetime.date | None = None,
    publicity_days: int | None = None,
) -> IdentificationCase:
    """三(七)6: the town's leading group approves (town publicity starts) or rejects.

    The town publicity runs "不少于7天": the policy's days unless the town sets more.
    """
    return _town_decision(
        actor=actor,
        case=case,
        step_name="approve_town",
        meeting_on=meeting_on,
        approved=approved,
        opinion=opinion,
        publicity_started_on=publicity_started_on,
        publicity_days=publicity_days,
    )


def case_review_town(
    *,
    actor: User,
    case: IdentificationCase,
    meeting_on: datetime.date,
    approved: bool,
    opinion: str,
) -> IdentificationCase:
    """Anhui 2024 乡镇审核: after the village publicity the town reviews; passed, the case goes
    to the county's approval (no town publicity)."""
    return _town_decision(
        actor=actor,
        case=case,
        step_name="review_town",
        meeting_on=meeting_on,
        approved=approved,
        opinion=opinion,
    )


def _town_decision(
    *,
    actor: User,
    case: IdentificationCase,
    step_name: str,
    meeting_on: datetime.date,
    approved: bool,
    opinion: str,
    publicity_started_on: datetime.date | None = None,
    publicity_days: int | None = None,
) -> IdentificationCase:
    table, step = case_step(case, step_name)
    table.require_role(actor, step)
    with transaction.atomic():
        case = _lock(case, actor)
        table.require_state(case, step)
        village_publicity = case.publicities.filter(level=Publicity.Level.VILLAGE).first()
        _check_date(
            meeting_on,
            "meeting_on",
            not_before=village_publicity.due_on if village_publicity else case.applied_on,
            before_label="村公示期满之日",
        )
        if not opinion.strip():
            raise ValidationError({"opinion": f"请填写{step.title}意见"})
        approval = TownApproval(
            case=case, meeting_on=meeting_on, approved=approved, opinion=opinion, recorded_by=actor
        )
        if not approved:
            save_with_actor(approval, actor=actor)
            return _reject(case, actor=actor, reason=f"{step.title}未通过：{opinion}")
        if case.procedure_definition.leads_to(step.name, case.state) == CaseState.COUNTY_FILING:
            # Anhui 2024: no town publicity; the county approves and announces next.
            save_with_actor(approval, actor=actor)
            _advance(
                case,
                case.take_step,
                actor=actor,
                note=f"{step.title}通过，报县级审定",
                on=meeting_on,
                step=step.name,
            )
            _notify_after_commit(
                Q(role=Role.COUNTY_BUREAU),
                f"{case.household.head_name}户{step.title}通过，待县级审定公告",
                case,
            )
            return case
        if publicity_started_on is None:
            raise ValidationError({"publicity_started_on": "审定通过须填写镇公示开始日期"})
        _check_date(
            publicity_started_on,
            "publicity_started_on",
            not_before=meeting_on,
            before_label="审定会议日期",
        )
        minimum = _policy(publicity_started_on).town_publicity_days
        if publicity_days is not None and publicity_days > PUBLICITY_MAX_DAYS:
            raise ApplicationError(
                f"镇公示天数最多{PUBLICITY_MAX_DAYS}天（填写为{publicity_days}天）",
                field="publicity_days",
            )
        if publicity_days is not None and publicity_days < minimum:
            raise ApplicationError(
                f"三(七)6：镇公示时间不少于{minimum}天（填写为{publicity_days}天）",
                field="publicity_days",
            )
        publicity = Publicity(
            case=case,
            level=Publicity.Level.TOWN,
            started_on=publicity_started_on,
            days=publicity_days or minimum,
        )
        save_with_actor(publicity, actor=actor)
        approval.publicity = publicity
        save_with_actor(approval, actor=actor)
        return _advance(
            case,
            case.take_step,
            actor=actor,
            note="镇审定通过，镇公示开始",
            on=publicity_started_on,
            step=step.name,
        )


# --- 7. 县备案 -----------------------------------------------------------------------


def announcement_allocate(*, actor: User, published_on: datetime.date) -> Announcement:
    """The next 〔YYYY〕N号: the year's counter row is locked, so numbers have no gaps or twins.

    Called inside the filing's transaction: a refused filing rolls the number back.
    """
    year = published_on.year
    AnnouncementCounter.objects.get_or_create(year=year)
    counter = AnnouncementCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    announcement = Announcement(
        year=year, number=counter.last_number, published_on=published_on, created_by=actor
    )
    save_with_actor(announcement, actor=actor)
    return announcement


def case_file(
    *,
    actor: User,
    case: IdentificationCase,
    filed_on: datetime.date,
    category: str,
    risk_types: Iterable[RiskType],
    announcement: Announcement | None = None,
) -> IdentificationCase:
    """三(七)7 县备案: the household becomes a MonitoringSubject and is announced."""
    return _file(
        actor=actor,
        case=case,
        step_name="file",
        filed_on=filed_on,
        category=category,
        risk_types=risk_types,
        announcement=announcement,
    )


def case_approve_county(
    *,
    actor: User,
    case: IdentificationCase,
    approved_on: datetime.date,
    category: str,
    risk_types: Iterable[RiskType],
    announcement: Announcement | None = None,
) -> IdentificationCase:
    """Anhui 2024 县级审定公告: the county approves and announces; as the 2021 filing, the
    household becomes a MonitoringSubject under a numbered announcement."""
    return _file(
        actor=actor,
        case=case,
        step_name="approve_county",
        filed_on=approved_on,
        category=category,
        risk_types=risk_types,
        announcement=announcement,
        date_field="approved_on",
    )


def _file(
    *,
    actor: User,
    case: IdentificationCase,
    step_name: str,
    filed_on: datetime.date,
    category: str,
    risk_types: Iterable[RiskType],
    announcement: Announcement | None,
    date_field: str = "filed_on",
) -> IdentificationCase:
    table, step = case_step(case, step_name)
    table.require_role(actor, step)
    risk_types = list(risk_types)
    with transaction.atomic():
        case = _lock(case, actor)
        table.require_state(case, step)
        town_publicity = case.publicities.filter(level=Publicity.Level.TOWN).first()
        town_review = case.town_approvals.filter(approved=True).first()
        if town_publicity:
            previous, label = town_publicity.due_on, "镇公示期满之日"
        elif town_review:
            previous, label = town_review.meeting_on, "乡镇审核日期"
        else:
            previous, label = case.applied_on, "申请日期"
        _check_date(filed_on, date_field, not_before=previous, before_label=label)
        if category not in MonitoringSubject.Category.values:
            raise ValidationError({"category": "请选择监测对象类别"})
        if not risk_types:
            raise ValidationError({"risk_types": "请至少选择一种风险类型"})
        if announcement is not None and announcement.year != filed_on.year:
            raise ValidationError({"announcement": f"公告须为{step.title}日期所在年度的公告"})
        announcement = announcement or announcement_allocate(actor=actor, published_on=filed_on)
        subject = monitoring_subject_create(
            actor=actor,
            household=case.household,
            category=category,
            risk_types=risk_types,
            started_on=filed_on,
            note=f"识别{step.title}，公告{announcement.label}",
            announcement=announcement.label,
        )
        filing = Filing(
            case=case,
            filed_on=filed_on,
            category=category,
            announcement=announcement,
            recorded_by=actor,
        )
        save_with_actor(filing, actor=actor)
        filing.risk_types.set(risk_types)
        _advance(
            case,
            case.take_step,
            actor=actor,
            note=f"{step.title}，公告{announcement.label}",
            on=filed_on,
            subject=subject,
            step=step.name,
        )
        _notify_after_commit(
            _village_and_town_q(case),
            f"{case.household.head_name}户已{step.title}纳入监测（公告{announcement.label}）",
            case,
        )
        return case


# --- reject / withdraw ---------------------------------------------------------------


def case_reject(*, actor: User, case: IdentificationCase, reason: str) -> IdentificationCase:
    """Stop a case with the step and reason kept (any open state, by the level that owns it)."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写不予通过的原因"})
    table, step = case_step(case, "reject")
    with transaction.atomic():
        case = _lock(case, actor)
        table.require_state(case, step)
        table.require_role(actor, step, case.state)
        return _reject(case, actor=actor, reason=reason.strip())


def case_withdraw(*, actor: User, case: IdentificationCase, reason: str) -> IdentificationCase:
    """The household withdraws its application; the village or town records it."""
    table, step = case_step(case, "withdraw")
    table.require_role(actor, step)
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤回原因"})
    with transaction.atomic():
        case = _lock(case, actor)
        table.require_state(case, step)
        _end_running_publicity(case, actor=actor, outcome=Publicity.Outcome.ENDED)
        return _advance(case, case.withdraw, actor=actor, note="撤回申请", reason=reason.strip())
