"""帮扶结对 (三(三), 三(八)1): who answers for a monitoring subject.

- A 脱贫户 keeps its original 帮扶责任人 (三(八)1 "原则上原帮扶责任人不脱钩，需调整的由原帮扶单位
  继续派出"): another helper must come from the same help unit, with a reason.
- A 边缘易致贫户 or 突发严重困难户 gets 帮扶联系人 from the town and the village (三(八)1 "落实镇村
  帮扶联系人制度，由镇、村二级干部结对联系帮扶"): one town cadre and one village cadre.

Pairing replaces the open assignments of the same kind (ended with the reason, never deleted:
the history is the record of who answered when).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from households.models import Household, MonitoringSubject, Status2020
from organization.models import HelpUnit, User
from organization.services import notify_on_commit
from suixi_monitor.exceptions import ConflictError
from suixi_monitor.services import save_with_actor

from .. import permissions
from ..models import HelpAssignment
from ..selectors.pairing import (
    helper_candidates,
    open_assignments,
    proposed_helper,
    town_cadre_q,
    village_cadre_q,
)
from ._common import check_date, lock, require_household_in_scope

__all__ = ["assignment_end", "household_pair", "proposed_helper"]

CLAUSE_KEEP = "三(八)1“原则上原帮扶责任人不脱钩，需调整的由原帮扶单位继续派出”"
CLAUSE_CADRES = "三(八)1“由镇、村二级干部结对联系帮扶”"
MSG_NOT_MONITORED = "该户已不是监测中的监测对象，不再办理结对"
MSG_HELPER_REQUIRED = "请选择帮扶责任人"
MSG_NOT_A_HELPER = "所选用户不是可结对的帮扶责任人（须为本镇或不限镇村的在用帮扶人账号）"
MSG_OTHER_UNIT = CLAUSE_KEEP + "：更换的帮扶责任人须来自原帮扶单位（{unit}）"
MSG_UNIT_UNKNOWN = CLAUSE_KEEP + "：原帮扶单位不明，请先在原结对中补充帮扶单位"
MSG_CHANGE_REASON = CLAUSE_KEEP + "：更换帮扶责任人须填写调整原因"
MSG_SAME_HELPER = "{name}已是该户的帮扶责任人"
MSG_TOWN_CADRE_REQUIRED = "请选择镇级帮扶联系人"
MSG_VILLAGE_CADRE_REQUIRED = "请选择村级帮扶联系人"
MSG_TOWN_CADRE = CLAUSE_CADRES + "：镇级联系人须为本镇（园区）干部或本镇帮扶干部"
MSG_VILLAGE_CADRE = CLAUSE_CADRES + "：村级联系人须为本村防贫监测员或本村帮扶干部"
MSG_SAME_CADRES = "所选镇、村干部已是该户的帮扶联系人"
MSG_OTHER_KIND = "{name}已以其他身份与该户结对，请先解除原结对"
MSG_END_REASON = "请填写解除原因"
MSG_ALREADY_ENDED = "该结对已解除"


def _is_alleviated(household: Household) -> bool:
    return household.status_2020 == Status2020.POVERTY_ALLEVIATED


def household_pair(
    *,
    actor: User,
    subject: MonitoringSubject,
    helper: User | None = None,
    town_cadre: User | None = None,
    village_cadre: User | None = None,
    help_unit: HelpUnit | None = None,
    reason: str = "",
    on: datetime.date,
) -> list[HelpAssignment]:
    """Pair the subject's household (三(八)1); returns the assignments created. A 脱贫户 takes
    ``helper`` (帮扶责任人); any other household ``town_cadre`` and ``village_cadre``."""
    permissions.require(actor, "pair")
    reason = (reason or "").strip()
    check_date(on, "started_on")
    with transaction.atomic():
        household = (
            Household.objects.select_for_update()
            .select_related("village")
            .get(pk=subject.household_id)
        )
        require_household_in_scope(actor, household.pk)
        subject = MonitoringSubject.objects.get(pk=subject.pk)
        if subject.status != MonitoringSubject.Status.MONITORING:
            raise ConflictError(MSG_NOT_MONITORED)
        if _is_alleviated(household):
            created = [_pair_responsible(actor, subject, household, helper, help_unit, reason, on)]
            kind = HelpAssignment.Kind.RESPONSIBLE.label
        else:
            created = _pair_contacts(actor, household, town_cadre, village_cadre, reason, on)
            kind = HelpAssignment.Kind.CONTACT.label
        notify_on_commit(
            recipients=Q(pk__in=[a.helper_id for a in created]),
            message=f"您已作为{kind}与{household.head_name}户（{household.village.name}）结对帮扶",
            url=reverse("households:detail", args=[household.pk]),
        )
    return created


def _pair_responsible(
    actor: User,
    subject: MonitoringSubject,
    household: Household,
    helper: User | None,
    help_unit: HelpUnit | None,
    reason: str,
    on: datetime.date,
) -> HelpAssignment:
    if helper is None:
        raise ValidationError({"helper": MSG_HELPER_REQUIRED})
    if not helper_candidates(household=household).filter(pk=helper.pk).exists():
        raise ValidationError({"helper": MSG_NOT_A_HELPER})
    original = proposed_helper(subject)
    unit = help_unit or helper.help_unit
    if original is not None and original.helper_id != helper.pk:
        # 三(八)1: the change comes from the original help unit, and says why.
        original_unit = original.help_unit or original.helper.help_unit
        if original_unit is None:
            raise ValidationError({"helper": MSG_UNIT_UNKNOWN})
        if helper.help_unit_id != original_unit.pk or (unit and unit.pk != original_unit.pk):
            raise ValidationError({"helper": MSG_OTHER_UNIT.format(unit=original_unit.name)})
        if not reason:
            raise ValidationError({"reason": MSG_CHANGE_REASON})
        unit = original_unit
    elif original is not None:
        if original.ended_on is None:
            raise ConflictError(MSG_SAME_HELPER.format(name=helper))
        unit = unit or original.help_unit
    current = _open_of_kind(household, HelpAssignment.Kind.RESPONSIBLE)
    _end_all(actor, current, on, reason or "调整帮扶责任人")
    return _create(
        actor,
        household,
        helper,
        kind=HelpAssignment.Kind.RESPONSIBLE,
        level=HelpAssignment.Level.NONE,
        help_unit=unit,
        reason=reason,
        on=on,
    )


def _pair_contacts(
    actor: User,
    household: Household,
    town_cadre: User | None,
    village_cadre: User | None,
    reason: str,
    on: datetime.date,
) -> list[HelpAssignment]:
    errors = {}
    if town_cadre is None:
        errors["town_cadre"] = MSG_TOWN_CADRE_REQUIRED
    elif not User.objects.filter(
        town_cadre_q(household), is_active=True, pk=town_cadre.pk
    ).exists():
        errors["town_cadre"] = MSG_TOWN_CADRE
    if village_cadre is None:
        errors["village_cadre"] = MSG_VILLAGE_CADRE_REQUIRED
    elif not User.objects.filter(
        village_cadre_q(household), is_active=True, pk=village_cadre.pk
    ).exists():
        errors["village_cadre"] = MSG_VILLAGE_CADRE
    if errors:
        raise ValidationError(errors)
    current = _open_of_kind(household, HelpAssignment.Kind.CONTACT)
    wanted = {HelpAssignment.Level.TOWN: town_cadre, HelpAssignment.Level.VILLAGE: village_cadre}
    # A level whose cadre stays keeps its assignment; the others are replaced.
    keep = [a for a in current if wanted.get(a.level) and wanted[a.level].pk == a.helper_id]
    todo = {
        level: user for level, user in wanted.items() if not any(a.level == level for a in keep)
    }
    if not todo:
        raise ConflictError(MSG_SAME_CADRES)
    _end_all(actor, [a for a in current if a not in keep], on, reason or "调整帮扶联系人")
    return [
        _create(
            actor,
            household,
            user,
            kind=HelpAssignment.Kind.CONTACT,
            level=level,
            help_unit=None,
            reason=reason,
            on=on,
        )
        for level, user in todo.items()
    ]


def _open_of_kind(household: Household, kind: str) -> list[HelpAssignment]:
    return list(open_assignments().filter(household=household, kind=kind).select_for_update())


def _end_all(
    actor: User, assignments: list[HelpAssignment], on: datetime.date, reason: str
) -> None:
    for assignment in assignments:
        check_date(on, "started_on", not_before=assignment.started_on, before_label="原结对日期")
        assignment.ended_on = on
        assignment.end_reason = reason[:300]
        save_with_actor(assignment, actor=actor, reason=reason)


def _create(
    actor: User,
    household: Household,
    helper: User,
    *,
    kind: str,
    level: str,
    help_unit: HelpUnit | None,
    reason: str,
    on: datetime.date,
) -> HelpAssignment:
    field = {
        HelpAssignment.Level.TOWN: "town_cadre",
        HelpAssignment.Level.VILLAGE: "village_cadre",
    }.get(level, "helper")
    if open_assignments().filter(household=household, helper=helper).exists():
        raise ValidationError({field: MSG_OTHER_KIND.format(name=helper)})
    assignment = HelpAssignment(
        household=household,
        helper=helper,
        kind=kind,
        level=level,
        help_unit=help_unit,
        started_on=on,
        reason=reason,
    )
    save_with_actor(assignment, actor=actor, reason="帮扶结对")
    return assignment


def assignment_end(
    *, actor: User, assignment: HelpAssignment, on: datetime.date, reason: str
) -> HelpAssignment:
    """End a pairing (解除结对); the row stays as the record of who helped when."""
    permissions.require(actor, "pair")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": MSG_END_REASON})
    with transaction.atomic():
        assignment = lock(assignment, actor=actor, household_path="household")
        if assignment.ended_on is not None:
            raise ConflictError(MSG_ALREADY_ENDED)
        check_date(on, "ended_on", not_before=assignment.started_on, before_label="结对日期")
        assignment.ended_on = on
        assignment.end_reason = reason
        save_with_actor(assignment, actor=actor, reason=reason)
    return assignment
