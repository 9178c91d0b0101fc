"""Publicities (三(七)5/6 for identification, 三(九) for exit): their conclusion by the system
or an official, and objections. One code for both kinds of case: each kind names its step
table (an identification case: its procedure's), its clause and who may object
(``_Procedure``); ``reopen`` has the same name on both models on purpose."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from households.models import Household
from households.selectors import household_scope_q
from organization.models import Role, User
from suixi_monitor.exceptions import ApplicationError, ConflictError
from suixi_monitor.services import save_with_actor

from ..models import (
    ExitCase,
    ExitState,
    IdentificationCase,
    Objection,
    Publicity,
)
from ..models.case import PUBLICIZING_STATES
from ..selectors import objectable_case_list
from ..selectors.exits import exit_objectable_list
from . import exit_permissions
from . import permissions as case_permissions
from ._common import (
    SYSTEM,
    _advance,
    _check_date,
    _end_running_publicity,
    _lock,
    _notify_after_commit,
    _running_publicity,
    _town_q,
    _village_and_town_q,
)
from .permissions import Step, StepTable


@dataclass(frozen=True)
class _Procedure:
    table_of: Callable[[object], StepTable]  # the case's table of steps
    conclude: Step
    lodge: Step
    decide: Step
    field: str  # the Publicity's and Objection's foreign key to this kind of case
    objectable: Callable[..., object]  # (user=) → the cases publicised to the user

    def clause(self, publicity: Publicity) -> str:
        if self.field == "exit_case":
            return "三(九)"
        return "三(七)5" if publicity.level == Publicity.Level.VILLAGE else "三(七)6"


IDENTIFICATION = _Procedure(
    lambda case: case.procedure_definition.table,
    case_permissions.CONCLUDE,
    case_permissions.OBJECTION_LODGE,
    case_permissions.OBJECTION_DECIDE,
    "case",
    objectable_case_list,
)
EXIT = _Procedure(
    lambda case: exit_permissions.EXITS,
    exit_permissions.CONCLUDE,
    exit_permissions.OBJECTION_LODGE,
    exit_permissions.OBJECTION_DECIDE,
    "exit_case",
    exit_objectable_list,
)


def _procedure(case) -> _Procedure:
    return EXIT if isinstance(case, ExitCase) else IDENTIFICATION


# --- publicity conclusion (the system, or an official) -------------------------------


def publicity_conclude(
    *,
    case: IdentificationCase | ExitCase,
    actor: User | None = None,
    on: datetime.date | None = None,
) -> IdentificationCase | ExitCase:
    """三(七)5/6, 三(九): a publicity that ran its full days with no open objection moves the
    case on (an identification case to the town or the county, an exit case to the county).

    Counted from the recorded start: with 7 days starting on the 1st, the 8th is the
    first day it may conclude. ``actor=None`` is the daily task, recorded as the system.
    """
    procedure = _procedure(case)
    table = procedure.table_of(case)
    if actor is not None:
        table.require_role(actor, procedure.conclude)
    on = on or timezone.localdate()
    with transaction.atomic():
        case = _lock(case, actor)
        table.require_state(case, procedure.conclude)
        publicity = _running_publicity(case)
        village = publicity.level == Publicity.Level.VILLAGE
        clause = procedure.clause(publicity)
        if not publicity.has_run_on(on):
            raise ApplicationError(
                f"{clause}：{publicity.get_level_display()}须满{publicity.days}天，"
                f"自{publicity.started_on:%Y-%m-%d}起已公示{publicity.days_run(on)}天，"
                f"{publicity.due_on:%Y-%m-%d}起方可结束",
            )
        if publicity.objections.filter(status=Objection.Status.OPEN).exists():
            raise ApplicationError(f"{clause}：公示期间有未处理的异议，须先处理异议才能结束公示")
        if (
            isinstance(case, IdentificationCase)
            and village
            and case.procedure_definition.compares_during_publicity
            and not case_permissions.comparison_recorded(case)
        ):
            raise ConflictError(
                f"该申请按{case.procedure_definition.name}办理，村级公示期间须由县扶贫局完成信息比对；"
                "比对结果录入前不能结束村级公示",
                extra={"state": case.state},
            )
        _end_running_publicity(case, actor=actor, outcome=Publicity.Outcome.NO_OBJECTION)
        who = actor or SYSTEM
        reason = f"{who}：{publicity.get_level_display()}期满无异议"
        if isinstance(case, IdentificationCase):
            step = procedure.conclude.name
            _advance(case, case.take_step, actor=actor, note=reason, on=publicity.due_on, step=step)
        else:
            _advance(
                case, case.conclude_town_publicity, actor=actor, note=reason, on=publicity.due_on
            )
        # 2021 village → the town's approval; Anhui 2024 village → the town's review; a town
        # (or exit) publicity → the county.
        recipients = _town_q(case) if village else Q(role=Role.COUNTY_BUREAU)
        _notify_after_commit(
            recipients,
            f"{case.household.head_name}户{publicity.get_level_display()}期满无异议，"
            f"{case.get_state_display()}",
            case,
        )
        return case


def publicities_conclude_due(*, today: datetime.date | None = None) -> int:
    """The daily task's body: conclude every publicity that is due and unopposed.

    Reads dates, not "yesterday", so a run after days of downtime catches up,
    and a second run the same day finds nothing left to do.
    """
    today = today or timezone.localdate()
    running = (
        Publicity.objects.filter(
            Q(case__state__in=PUBLICIZING_STATES) | Q(exit_case__state=ExitState.TOWN_PUBLICIZING),
            outcome=Publicity.Outcome.RUNNING,
            started_on__lt=today,
        )
        .exclude(objections__status=Objection.Status.OPEN)
        .select_related("case", "exit_case")
    )
    done = 0
    for publicity in running:
        if not publicity.has_run_on(today):
            continue
        try:
            publicity_conclude(case=publicity.target, actor=None, on=today)
        except ApplicationError:
            continue  # changed since it was read (an objection, another run): next time
        done += 1
    return done


# --- objections ------------------------------------------------------------------------


def objection_lodge(
    *,
    actor: User,
    case: IdentificationCase | ExitCase,
    content: str,
    lodged_on: datetime.date,
    raised_by_name: str = "",
) -> Objection:
    """An objection during a publicity, by a user of that town or the bureau."""
    procedure = _procedure(case)
    table = procedure.table_of(case)
    table.require_role(actor, procedure.lodge)
    if not content.strip():
        raise ValidationError({"content": "请填写异议内容"})
    with transaction.atomic():
        case = _lock_for_objection(case, actor, procedure)
        table.require_state(case, procedure.lodge)
        publicity = _running_publicity(case)
        _check_date(
            lodged_on, "lodged_on", not_before=publicity.started_on, before_label="公示开始日期"
        )
        if lodged_on > publicity.last_day:
            raise ValidationError(
                {"lodged_on": f"异议须在公示期内（{publicity.last_day:%Y-%m-%d}前）提出"}
            )
        objection = Objection(
            **{procedure.field: case},
            publicity=publicity,
            content=content.strip(),
            lodged_on=lodged_on,
            raised_by_name=raised_by_name.strip(),
            lodged_by=actor,
        )
        save_with_actor(objection, actor=actor, reason="登记异议")
        _notify_after_commit(
            _town_q(case),
            f"{case.household.head_name}户{publicity.get_level_display()}收到异议，请处理",
            case,
        )
        return objection


def _lock_for_objection(case, actor: User, procedure: _Procedure):
    """The case locked for lodging an objection: in the actor's scope, or publicised to them.

    三(七)5/6 post both publicities for the town, and issue 3 says "Objections (异议) can
    be lodged against a case during either publicity by any user of that village's town
    or the bureau". So, for this one service only, a user of the town who cannot see the
    case (a monitor of another village) may still lock it while it is publicised. Anyone
    else finds no such case (``DoesNotExist``: pages and API answer 404), and outside a
    publicity the case is not publicised to them either.
    """
    if Household.objects.filter(household_scope_q(actor), pk=case.household_id).exists():
        return _lock(case, actor)
    # of=self: lock the case row only, not the household, village and town it is filtered by.
    return (
        procedure.objectable(user=actor)
        .select_for_update(of=("self",))
        .select_related("household__village")
        .get(pk=case.pk)
    )


def _lock_objection(objection: Objection, actor: User) -> tuple[Objection, object]:
    procedure = _procedure(objection.target)
    procedure.table_of(objection.target).require_role(actor, procedure.decide)
    case = _lock(objection.target, actor)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != Objection.Status.OPEN:
        raise ConflictError(f"该异议已处理（{objection.get_status_display()}）")
    return objection, case


def objection_uphold(*, actor: User, objection: Objection, reason: str) -> Objection:
    """三(七)6 复核, 三(九): an upheld objection sends the case back to a new home check (an exit
    case to the village, proposed), history kept."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写处理意见"})
    with transaction.atomic():
        objection, case = _lock_objection(objection, actor)
        now = timezone.now()
        # Every objection open against the same publicity goes back with it.
        for other in objection.publicity.objections.select_for_update().filter(
            status=Objection.Status.OPEN
        ):
            other.uphold(
                by=actor,
                at=now,
                reason=reason.strip()
                if other.pk == objection.pk
                else "同一公示的异议已成立，一并退回复核",
            )
            save_with_actor(other, actor=actor, reason="异议成立")
            if other.pk == objection.pk:
                objection = other
        if case.is_publicizing and objection.publicity.outcome == Publicity.Outcome.RUNNING:
            _end_running_publicity(case, actor=actor, outcome=Publicity.Outcome.OBJECTION_UPHELD)
            _advance(case, case.reopen, actor=actor, note="异议成立，退回重新入户核查（复核）")
            _notify_after_commit(
                _village_and_town_q(case),
                f"{case.household.head_name}户公示异议成立，请重新入户核查",
                case,
            )
        return objection


def objection_dismiss(*, actor: User, objection: Objection, reason: str) -> Objection:
    if not reason.strip():
        raise ValidationError({"reason": "请填写异议不成立的理由"})
    with transaction.atomic():
        objection, _case = _lock_objection(objection, actor)
        objection.dismiss(by=actor, at=timezone.now(), reason=reason.strip())
        save_with_actor(objection, actor=actor, reason="异议不成立")
        return objection
