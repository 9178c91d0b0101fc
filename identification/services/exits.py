"""三(九) as services, one per step of the exit case: the village proposes and checks at the
door, the town evaluates and publicises, the county files.

Same contract as the identification steps: the role (403), the row locked with the scope
checked, a wrong state refused with ``ConflictError`` (409), a broken rule with
``ApplicationError``/``ValidationError`` (400) naming the clause and the field, the step's
record, the transition, ``save_with_actor``, notifications after the commit. The town
publicity, its objections and its conclusion are identification's (``publicity``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from households.models import Household, MonitoringSubject
from households.selectors import household_scope_q
from households.services import monitoring_subject_eliminate
from organization.models import Role, User
from suixi_monitor.exceptions import ApplicationError, ConflictError
from suixi_monitor.services import save_with_actor

from ..exit_conditions import failed_conditions
from ..models import (
    ExitCase,
    ExitEvaluation,
    ExitEvaluationResult,
    ExitFiling,
    ExitHomeCheck,
    ExitHomeCheckMember,
    Publicity,
    TownRound,
    TownRoundState,
)
from ..models.exits import EXIT_OPEN_STATES
from ..models.steps import PUBLICITY_MAX_DAYS
from ._common import (
    _advance,
    _check_date,
    _end_running_publicity,
    _lock,
    _notify_after_commit,
    _policy,
    _step_moment,
    _town_q,
    _village_and_town_q,
)
from .cases import TeamMember, _check_home_check_date, checked_team
from .exit_permissions import (
    EVALUATE,
    EXITS,
    FILE,
    PROPOSE,
    PUBLICIZE,
    RETURN,
    VERIFY,
    WITHDRAW,
)

CLAUSE = "三(九)"


def _required(value: str, field: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError({field: message})
    return value.strip()


# --- 1. 村级上报 -------------------------------------------------------------------------


def exit_propose(
    *, actor: User, subject: MonitoringSubject, proposed_on: datetime.date, reason: str
) -> ExitCase:
    """三(九) 村级上报拟退出名单: only while the town's round takes proposals (三(十)), and
    refused with every failing condition's reason while the risk is plainly not gone."""
    EXITS.require_role(actor, PROPOSE)
    reason = _required(reason, "reason", "请填写拟退出理由")
    _check_date(proposed_on, "proposed_on")
    with transaction.atomic():
        # The subject row serialises two proposals for one subject.
        subject = (
            MonitoringSubject.objects.select_for_update(of=("self",))
            .select_related("household__village")
            .get(pk=subject.pk)
        )
        household = subject.household
        if not Household.objects.filter(household_scope_q(actor), pk=household.pk).exists():
            raise PermissionDenied("您无权上报该户退出")
        if subject.status != MonitoringSubject.Status.MONITORING:
            raise ConflictError(f"{CLAUSE}：该户已标注风险消除，不是监测对象")
        open_case = subject.exit_cases.filter(state__in=EXIT_OPEN_STATES).first()
        if open_case:
            raise ConflictError(
                f"{CLAUSE}：该户已有未办结的退出申报（{open_case.get_state_display()}）",
                extra={"exit_case": open_case.pk},
            )
        town_round = _round_taking_proposals(household.village.town_id, proposed_on)
        failed = failed_conditions(subject, proposed_on)
        if failed:
            raise ApplicationError(
                "不符合退出条件：" + "；".join(result.reason for result in failed),
                field="subject",
                extra={"conditions": [{"label": r.label, "reason": r.reason} for r in failed]},
            )
        case = ExitCase(
            town_round=town_round,
            subject=subject,
            household=household,
            proposed_on=proposed_on,
            reason=reason,
            created_by=actor,
            state_changed_at=_step_moment(proposed_on),
        )
        save_with_actor(case, actor=actor, reason="村级上报拟退出")
        _notify_after_commit(
            _town_q(case), f"{household.head_name}户已上报拟退出，待入户核实", case
        )
        return case


def _round_taking_proposals(town_id: int, on: datetime.date) -> TownRound:
    """三(十) "退出工作每半年开展一次": the town's round, open, with ``on`` in its dates."""
    town_round = (
        TownRound.objects.filter(town_id=town_id, state=TownRoundState.OPEN)
        .select_related("round")
        .order_by("-round__opened_on")
        .first()
    )
    if town_round is None or not town_round.round.takes_proposals_on(on):
        raise ApplicationError(
            "三(十)：退出工作每半年开展一次，本镇当前没有处于申报期的退出批次"
            f"（上报日期{on:%Y-%m-%d}）",
            field="proposed_on",
        )
    return town_round


# --- 2. 入户核实 -------------------------------------------------------------------------

GUARANTEES = {
    "education_secured": "义务教育",
    "medical_secured": "基本医疗",
    "housing_secured": "住房安全",
    "water_secured": "饮水安全",
}


def exit_verify(
    *,
    actor: User,
    case: ExitCase,
    checked_on: datetime.date,
    team: Iterable[TeamMember],
    per_capita_income: Decimal,
    education_secured: bool,
    medical_secured: bool,
    housing_secured: bool,
    water_secured: bool,
    measures_note: str,
    findings: str = "",
) -> ExitCase:
    """三(九) 入户核实: a team of at least ``home_check_team_min`` finds the income above the
    line, 三保障 and 饮水 secured, and reviews the measures; otherwise the case is returned
    or withdrawn, not verified."""
    EXITS.require_role(actor, VERIFY)
    with transaction.atomic():
        case = _lock(case, actor)
        EXITS.require_state(case, VERIFY)
        _check_home_check_date(case, checked_on, first_day=case.proposed_on, label="上报日期")
        rows = checked_team(
            actor=actor,
            household=case.household,
            team=team,
            on=checked_on,
            clause=CLAUSE,
            row_model=ExitHomeCheckMember,
        )
        line = _policy(checked_on).income_line
        if per_capita_income is None or per_capita_income < line:
            raise ApplicationError(
                f"{CLAUSE}：核实的人均纯收入{per_capita_income}元低于当年监测收入线{line}元，不能退出",
                field="per_capita_income",
            )
        found = {
            "education_secured": education_secured,
            "medical_secured": medical_secured,
            "housing_secured": housing_secured,
            "water_secured": water_secured,
        }
        unsecured = [field for field, secured in found.items() if not secured]
        if unsecured:
            names = "、".join(GUARANTEES[field] for field in unsecured)
            raise ApplicationError(
                f"{CLAUSE}：{names}未有保障，风险未消除，不能退出（请退回或撤回）",
                field=unsecured[0],
            )
        measures_note = _required(measures_note, "measures_note", "请填写帮扶措施落实情况")
        check = ExitHomeCheck(
            exit_case=case,
            checked_on=checked_on,
            per_capita_income=per_capita_income,
            income_line=line,
            measures_note=measures_note,
            findings=(findings or "").strip(),
            recorded_by=actor,
            **found,
        )
        save_with_actor(check, actor=actor)
        for row in rows:
            row.home_check = check
            save_with_actor(row, actor=actor)
        _advance(case, case.verify, actor=actor, note="入户核实", on=checked_on)
        _notify_after_commit(
            _town_q(case), f"{case.household.head_name}户退出已入户核实，待镇评估", case
        )
        return case


# --- 3. 镇评估 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationResult:
    """The meeting's result for one case: pass, or return to the village with a reason."""

    case: ExitCase
    passed: bool
    reason: str = ""


def exit_evaluate(
    *,
    actor: User,
    town_round: TownRound,
    held_on: datetime.date,
    present: str,
    results: Iterable[EvaluationResult],
    note: str = "",
) -> ExitEvaluation:
    """三(九) 镇组织评估: one meeting evaluates several verified cases of the town's round.

    The cases are locked in id order (two meetings entered at once never deadlock); any
    case not verified refuses the whole meeting (409), so nothing is half recorded."""
    EXITS.require_role(actor, EVALUATE)
    results = sorted(results, key=lambda r: r.case.pk)
    if not results:
        raise ValidationError({"results": "请至少评估一户"})
    present = "\n".join(name.strip() for name in present.replace("、", "\n").splitlines())
    _required(present, "present", "请填写参会人员")
    with transaction.atomic():
        evaluation = ExitEvaluation(
            town_round=town_round,
            held_on=held_on,
            present=present.strip(),
            note=(note or "").strip(),
            recorded_by=actor,
        )
        locked = []
        for result in results:
            case = _lock(result.case, actor)
            if case.town_round_id != town_round.pk:
                raise ValidationError(
                    {"results": f"{case.household.head_name}户不属于本次评估的批次"}
                )
            EXITS.require_state(case, EVALUATE)
            check = case.home_checks.first()
            _check_date(
                held_on,
                "held_on",
                not_before=check.checked_on if check else case.proposed_on,
                before_label=f"{case.household.head_name}户入户核实日期",
            )
            if not result.passed and not result.reason.strip():
                raise ValidationError(
                    {"results": f"{case.household.head_name}户评估退回须填写原因"}
                )
            locked.append((case, result))
        save_with_actor(evaluation, actor=actor)
        for case, result in locked:
            save_with_actor(
                ExitEvaluationResult(
                    evaluation=evaluation,
                    exit_case=case,
                    passed=result.passed,
                    reason=result.reason.strip(),
                ),
                actor=actor,
            )
            if result.passed:
                _advance(case, case.evaluate, actor=actor, note="镇评估通过", on=held_on)
            else:
                _send_back(case, actor=actor, reason=f"镇评估退回：{result.reason.strip()}")
        return evaluation


# --- 4. 镇公示 ---------------------------------------------------------------------------


def exit_publicize(
    *,
    actor: User,
    case: ExitCase,
    started_on: datetime.date,
    days: int | None = None,
) -> ExitCase:
    """三(九) 镇组织评估公示: the town publicity, at least ``exit_publicity_days`` days.

    Concluded by identification's ``publicity_conclude`` (the daily task or an official),
    with objections as in identification."""
    EXITS.require_role(actor, PUBLICIZE)
    with transaction.atomic():
        case = _lock(case, actor)
        EXITS.require_state(case, PUBLICIZE)
        evaluation = case.evaluations.select_related("evaluation").first()
        _check_date(
            started_on,
            "started_on",
            not_before=evaluation.evaluation.held_on if evaluation else case.proposed_on,
            before_label="评估会议日期",
        )
        minimum = _policy(started_on).exit_publicity_days
        if days is not None and days > PUBLICITY_MAX_DAYS:
            raise ApplicationError(
                f"公示天数最多{PUBLICITY_MAX_DAYS}天（填写为{days}天）", field="days"
            )
        if days is not None and days < minimum:
            raise ApplicationError(
                f"{CLAUSE}：退出公示时间不少于{minimum}天（填写为{days}天）", field="days"
            )
        publicity = Publicity(
            exit_case=case, level=Publicity.Level.TOWN, started_on=started_on, days=days or minimum
        )
        save_with_actor(publicity, actor=actor)
        _advance(case, case.publicize, actor=actor, note="退出镇公示开始", on=started_on)
        _notify_after_commit(
            _village_and_town_q(case),
            f"{case.household.head_name}户退出镇公示开始（{publicity.days}天）",
            case,
        )
        return case


# --- 5. 县备案 ---------------------------------------------------------------------------


def exit_file(*, actor: User, case: ExitCase, filed_on: datetime.date, note: str = "") -> ExitCase:
    """三(九) 报县扶贫局备案: on the filing date the subject is marked risk-eliminated, and
    through ``subject_exited`` its plan closes and its targeted measures stop (except the
    kinds that continue after the exit). The household's history keeps all of it."""
    EXITS.require_role(actor, FILE)
    with transaction.atomic():
        case = _lock(case, actor)
        EXITS.require_state(case, FILE)
        publicity = case.publicities.filter(outcome=Publicity.Outcome.NO_OBJECTION).first()
        _check_date(
            filed_on,
            "filed_on",
            not_before=publicity.due_on if publicity else case.proposed_on,
            before_label="镇公示期满之日",
        )
        label = case.town_round.round.label
        monitoring_subject_eliminate(
            actor=actor, subject=case.subject, on=filed_on, reason=f"退出备案（{label}）"
        )
        save_with_actor(
            ExitFiling(
                exit_case=case, filed_on=filed_on, note=(note or "").strip(), recorded_by=actor
            ),
            actor=actor,
        )
        # ``file`` takes the filing date itself (``on``), which ``_advance`` would read as its own.
        case.file(at=_step_moment(filed_on), on=filed_on)
        save_with_actor(case, actor=actor, reason=f"县备案退出（{label}）")
        _notify_after_commit(
            _village_and_town_q(case),
            f"{case.household.head_name}户已县备案退出，{filed_on:%Y-%m-%d}标注风险消除",
            case,
        )
        return case


# --- return / withdraw -----------------------------------------------------------------


def _send_back(case: ExitCase, *, actor: User, reason: str) -> ExitCase:
    _advance(case, case.send_back, actor=actor, note="退回村级", reason=reason)
    _notify_after_commit(
        Q(role=Role.VILLAGE_MONITOR, village_id=case.household.village_id),
        f"{case.household.head_name}户退出申报被退回：{reason}",
        case,
    )
    return case


def exit_return(*, actor: User, case: ExitCase, reason: str) -> ExitCase:
    """Back to the village (proposed), the step and the reason kept; it checks again."""
    reason = _required(reason, "reason", "请填写退回原因")
    EXITS.require_role(actor, RETURN)
    with transaction.atomic():
        case = _lock(case, actor)
        EXITS.require_state(case, RETURN)
        EXITS.require_role(actor, RETURN, case.state)
        return _send_back(case, actor=actor, reason=reason)


def exit_withdraw(*, actor: User, case: ExitCase, reason: str) -> ExitCase:
    """The proposal ends (the household stays monitored); a running publicity ends with it."""
    EXITS.require_role(actor, WITHDRAW)
    reason = _required(reason, "reason", "请填写撤回原因")
    with transaction.atomic():
        case = _lock(case, actor)
        EXITS.require_state(case, WITHDRAW)
        _end_running_publicity(case, actor=actor, outcome=Publicity.Outcome.ENDED)
        return _advance(case, case.withdraw, actor=actor, note="撤回退出申报", reason=reason)
