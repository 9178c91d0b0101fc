"""帮扶走访 (三(八)1 "帮扶责任人要定期上门走访，了解帮扶对象生产生活、产业发展及就业、教育、医疗、
住房等保障情况，及时掌握动态变化，及时落实帮扶措施").

``help_visit_record`` writes, in one transaction, the registry's visit (三(四)1 人防), what the
helper saw (``HelpVisit``) and each measure's progress; a refused measure step refuses the
whole visit. A visit that finds a risk tells the village and the town after it commits.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from households import services as household_services
from households.models import Household, MonitoringSubject, RiskType, Visit
from organization.models import User
from organization.services import local_officials_q, notify_on_commit
from suixi_monitor.exceptions import ApplicationError, ConflictError
from suixi_monitor.services import save_with_actor

from .. import permissions
from ..models import HelpVisit, Measure, MeasureProgress, MeasureState
from ._common import require_household_in_scope
from .measures import measure_record_progress

__all__ = ["ProgressItem", "help_visit_add_risks", "help_visit_record"]

MSG_NOT_THIS_HOUSEHOLD = "措施“{measure}”不属于该户当前的帮扶方案"
MSG_MEASURE_TWICE = "措施“{measure}”填写了两次"
MSG_NOT_MONITORED = "该户不是监测中的监测对象；如需纳入监测，请发起识别申请"
MSG_NO_NEW_RISKS = "本次走访发现的风险均已在监测对象的风险类型中"
# 两不愁三保障及饮水安全, named as a risk in lists and notifications.
PROBLEM_LABELS = {
    "food_clothing_ok": "吃穿",
    "education_ok": "义务教育",
    "medical_ok": "基本医疗",
    "housing_ok": "住房安全",
    "water_ok": "饮水安全",
}


@dataclass(frozen=True)
class ProgressItem:
    """A measure as found on the visit: its state now, a note, the reason if it stopped."""

    measure: Measure
    state: str
    note: str = ""
    reason: str = ""


def _item(entry) -> ProgressItem:
    if isinstance(entry, ProgressItem):
        return entry
    return ProgressItem(*entry)


def _measure_name(measure: Measure) -> str:
    return str(measure)


def open_subject(household: Household) -> MonitoringSubject | None:
    return MonitoringSubject.objects.filter(
        household=household, status=MonitoringSubject.Status.MONITORING
    ).first()


def help_visit_record(
    *,
    actor: User,
    household: Household,
    visited_on: datetime.date,
    findings: str,
    income_change: str = HelpVisit.IncomeChange.SAME,
    income_note: str = "",
    food_clothing_ok: bool = True,
    education_ok: bool = True,
    medical_ok: bool = True,
    housing_ok: bool = True,
    water_ok: bool = True,
    new_risk_types: Iterable[RiskType] = (),
    progress: Sequence = (),
    reason: str = Visit.Reason.ROUTINE,
) -> HelpVisit:
    """Record a help visit; ``progress`` is a list of ``ProgressItem`` or
    ``(measure, state, note, reason)``. All or nothing."""
    permissions.require(actor, "help_visit")
    require_household_in_scope(actor, household.pk)
    new_risk_types = list(new_risk_types)
    items = [_item(entry) for entry in progress]
    checks = {
        "food_clothing_ok": food_clothing_ok,
        "education_ok": education_ok,
        "medical_ok": medical_ok,
        "housing_ok": housing_ok,
        "water_ok": water_ok,
    }
    risk_found = bool(new_risk_types) or not all(checks.values())
    with transaction.atomic():
        household = (
            Household.objects.select_for_update().select_related("village").get(pk=household.pk)
        )
        subject = open_subject(household)
        _check_measures(household, items)
        visit = household_services.visit_create(
            actor=actor,
            household=household,
            visited_on=visited_on,
            reason=reason,
            findings=findings,
            risk_found=risk_found,
            tell_officials=False,  # told below, with the risks found
        )
        help_visit = HelpVisit(
            visit=visit,
            subject=subject,
            income_change=income_change,
            income_note=income_note,
            **checks,
        )
        save_with_actor(help_visit, actor=actor)
        help_visit.new_risk_types.set(new_risk_types)
        for item in items:
            _record_progress(actor, help_visit, item, visited_on)
        if risk_found:
            _tell_the_village_and_town(actor, household, help_visit, new_risk_types)
    return help_visit


def _check_measures(household: Household, items: list[ProgressItem]) -> None:
    seen: set[int] = set()
    for item in items:
        measure = item.measure
        key = f"measure_{measure.pk}"
        if measure.pk in seen:
            raise ValidationError({key: MSG_MEASURE_TWICE.format(measure=_measure_name(measure))})
        seen.add(measure.pk)
        belongs = Measure.objects.filter(
            pk=measure.pk,
            plan__subject__household=household,
            plan__subject__status=MonitoringSubject.Status.MONITORING,
        ).exists()
        if not belongs:
            raise ValidationError(
                {key: MSG_NOT_THIS_HOUSEHOLD.format(measure=_measure_name(measure))}
            )


def _record_progress(
    actor: User, help_visit: HelpVisit, item: ProgressItem, on: datetime.date
) -> MeasureProgress:
    measure = Measure.objects.select_related("kind", "member").get(pk=item.measure.pk)
    name = _measure_name(measure)
    key = f"measure_{measure.pk}"
    if item.state not in MeasureState.values:
        raise ValidationError({key: f"措施“{name}”：请选择措施状态"})
    # The note becomes the measure's result only when the visit finds it done.
    result = item.note if item.state == MeasureState.DONE else ""
    try:
        before, after = measure_record_progress(
            actor=actor,
            measure=measure,
            state=item.state,
            on=on,
            result=result,
            reason=item.reason,
        )
    except ConflictError as error:
        raise ConflictError(f"措施“{name}”：{error.message}", field=key) from None
    except ApplicationError as error:
        raise ApplicationError(f"措施“{name}”：{error.message}", field=key) from None
    except ValidationError as error:
        raise ValidationError({key: [f"措施“{name}”：{m}" for m in error.messages]}) from None
    row = MeasureProgress(
        help_visit=help_visit,
        measure=measure,
        state_before=before,
        state_after=after,
        note=item.note,
    )
    row.full_clean()
    row.save()
    return row


def risk_summary(help_visit: HelpVisit, new_risk_types: Iterable[RiskType] | None = None) -> str:
    """The risks a visit found, as the notification names them: new risk types, then the
    三保障/饮水 problems (e.g. "因病、住房安全")."""
    risks = list(new_risk_types if new_risk_types is not None else help_visit.new_risk_types.all())
    names = [risk.name for risk in risks]
    names += [label for name, label in PROBLEM_LABELS.items() if not getattr(help_visit, name)]
    return "、".join(dict.fromkeys(names))


def _tell_the_village_and_town(
    actor: User, household: Household, help_visit: HelpVisit, risks: list[RiskType]
) -> None:
    notify_on_commit(
        recipients=local_officials_q(household.village_id, household.village.town_id)
        & ~Q(pk=actor.pk),
        message=(
            f"帮扶走访发现风险：{household.head_name}户（{household.village.name}）："
            f"{risk_summary(help_visit, risks)}"
        ),
        url=reverse("assistance:help_visit_detail", args=[help_visit.pk]),
    )


def help_visit_add_risks(*, actor: User, help_visit: HelpVisit) -> MonitoringSubject:
    """From a visit that found new risks on a monitored household: add them to the subject's
    risk types, through the registry's service (which checks the right to keep the registry)."""
    household = help_visit.visit.household
    subject = open_subject(household)
    if subject is None:
        raise ConflictError(MSG_NOT_MONITORED)
    found = set(help_visit.new_risk_types.all())
    current = set(subject.risk_types.all())
    if not found - current:
        raise ConflictError(MSG_NO_NEW_RISKS)
    return household_services.monitoring_subject_update_risks(
        actor=actor, subject=subject, risk_types=current | found
    )
