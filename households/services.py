"""Writes to the registry: one service per meaningful write.

Each function takes the acting user, checks their scope, validates the whole
object with the model's own rules, saves it with the actor recorded in its
history, and runs in one transaction: nothing is half-saved.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, ProtectedError, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from organization.models import PolicySettings, Role, User
from organization.selectors import village_list
from organization.services import local_officials_q, notify_on_commit
from suixi_monitor.exceptions import ConflictError
from suixi_monitor.services import save_with_actor

from . import id_numbers
from .models import (
    Household,
    IncomeRecord,
    Member,
    MonitoringSubject,
    RiskType,
    Status2020,
    Visit,
)
from .selectors import can_edit_registry, can_record_visit, household_scope_q

MSG_NO_REGISTRY_RIGHT = "您没有权限修改该农户的台账"


def _require_registry_right(actor: User, household: Household | None = None) -> None:
    if not can_edit_registry(actor, household):
        raise PermissionDenied(MSG_NO_REGISTRY_RIGHT)


def _assign(instance, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)


def _prefix_errors(error: ValidationError, prefix: str) -> ValidationError:
    """Name the member row an error belongs to, e.g. ``members[1].id_number``."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {f"{prefix}.{field}": messages for field, messages in error.message_dict.items()}
        )
    return ValidationError({prefix: error.messages})


MSG_PHONE = "联系电话只能填写数字和“-”，如 13800000000 或 0561-6012345"
# A mobile number (11 digits) or a landline with or without its area code.
_PHONE = re.compile(r"^\+?\d[\d-]{5,18}\d$")


def _clean_phone(household: Household) -> None:
    """Full-width digits and spaces are tidied; anything but digits and hyphens is refused."""
    phone = unicodedata.normalize("NFKC", household.phone or "").replace(" ", "")
    if phone and not _PHONE.match(phone):
        raise ValidationError({"phone": MSG_PHONE})
    household.phone = phone


def household_create(
    *, actor: User, members: Iterable[dict[str, Any]] = (), **fields: Any
) -> Household:
    """A new household with its members, all or nothing."""
    household = Household(**fields)
    if not can_edit_registry(actor) or (
        household.village_id and not _village_in_scope(actor, household.village_id)
    ):
        raise PermissionDenied(MSG_NO_REGISTRY_RIGHT)
    with transaction.atomic():
        _clean_phone(household)
        save_with_actor(household, actor=actor)
        errors: dict[str, list[str]] = {}
        for index, member_fields in enumerate(members):
            try:
                _member_save(Member(household=household, **member_fields), actor=actor)
            except ValidationError as error:
                errors.update(_prefix_errors(error, f"members[{index}]").message_dict)
        if errors:
            raise ValidationError(errors)
    return household


def _village_in_scope(actor: User, village_id: int) -> bool:
    return village_list(user=actor).filter(pk=village_id).exists()


MSG_HEAD_NAME = "户主姓名随户主成员登记；请在家庭成员中修改户主的姓名"


def household_update(*, actor: User, household: Household, **fields: Any) -> Household:
    _require_registry_right(actor, household)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        _assign(household, fields)
        if not _village_in_scope(actor, household.village_id):
            raise PermissionDenied(MSG_NO_REGISTRY_RIGHT)
        # The head member is the record of the head's name (see _follow_the_head).
        head = household.members.filter(relation=Member.Relation.HEAD).first()
        if head is not None and head.name != household.head_name:
            raise ValidationError({"head_name": MSG_HEAD_NAME})
        _clean_phone(household)
        save_with_actor(household, actor=actor)
    return household


MSG_SECOND_HEAD = "该户已有户主；请先把原户主改为其他关系"


def _member_save(member: Member, *, actor: User) -> Member:
    # Normalise first: full_clean() checks max_length on the raw value before Member.clean()
    # normalises it, so a valid number typed with spaces would be refused as too long.
    errors: dict[str, list[str]] = {}
    try:
        member.id_number = id_numbers.normalize_id_number(member.id_number)
    except ValidationError as error:  # an empty number too: "身份证号不能为空"
        errors["id_number"] = error.messages
    if _second_head(member):
        errors["relation"] = [MSG_SECOND_HEAD]
    try:
        # The model's one constraint is "one head per household", checked just above with a
        # message that says what to do (Django's generic one only names the constraint).
        member.full_clean(validate_constraints=False)  # derives sex and birth date
    except ValidationError as error:
        # The normaliser's message stands alone, without a length complaint beside it.
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    member._history_user = actor
    member.save()
    return member


def _second_head(member: Member) -> bool:
    """三(六) counts the household as a unit around one head (户主)."""
    return (
        member.relation == Member.Relation.HEAD
        and Member.objects.filter(household_id=member.household_id, relation=Member.Relation.HEAD)
        .exclude(pk=member.pk)
        .exists()
    )


def _follow_the_head(member: Member, *, actor: User) -> None:
    """Lists and notices name a household after its head (户主): renaming the head member, or
    making someone the head, renames the household with it."""
    if member.relation != Member.Relation.HEAD:
        return
    household = Household.objects.select_for_update().get(pk=member.household_id)
    if household.head_name != member.name:
        household.head_name = member.name
        save_with_actor(household, actor=actor)


def member_create(*, actor: User, household: Household, **fields: Any) -> Member:
    _require_registry_right(actor, household)
    with transaction.atomic():
        member = _member_save(Member(household=household, **fields), actor=actor)
        _follow_the_head(member, actor=actor)
    return member


def member_update(*, actor: User, member: Member, **fields: Any) -> Member:
    _require_registry_right(actor, member.household)
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        _assign(member, fields)
        member = _member_save(member, actor=actor)
        _follow_the_head(member, actor=actor)
    return member


MSG_MEMBER_REFERENCED = "该成员已有识别申请、比对或帮扶措施等记录，不能删除"


def member_delete(*, actor: User, member: Member) -> None:
    """A member who died or moved out (自然减少); the history keeps them."""
    _require_registry_right(actor, member.household)
    if member.relation == Member.Relation.HEAD and member.household.members.count() > 1:
        raise ValidationError("请先变更户主，再删除原户主")
    try:
        with transaction.atomic():
            member._history_user = actor
            member.delete()
    except ProtectedError:
        # An application, a comparison hit or a help measure names this member: the record
        # must keep saying who it was about.
        raise ValidationError(MSG_MEMBER_REFERENCED) from None


MSG_INCOME_YEAR_TAKEN = "该户{year}年度的收入已登记，请在收入记录中修改"


def income_record_save(
    *,
    actor: User,
    household: Household,
    year: int,
    record: IncomeRecord | None = None,
    **fields: Any,
) -> IncomeRecord:
    """Create ``record`` (None) or change it; the per-person net income and the household's flag
    follow. A household has one record a year: a second one is refused, never merged into the first."""
    _require_registry_right(actor, household)
    with transaction.atomic():
        # The household row serialises two entries of the same year.
        Household.objects.select_for_update().get(pk=household.pk)
        taken = IncomeRecord.objects.filter(household=household, year=year)
        if record is not None:
            taken = taken.exclude(pk=record.pk)
        if taken.exists():
            raise ValidationError({"year": MSG_INCOME_YEAR_TAKEN.format(year=year)})
        if record is None:
            record = IncomeRecord(household=household, year=year)
        record.year = year
        _assign(record, fields)
        if not record.household_size:
            record.household_size = household.members.count() or None
        if record.household_size:
            record.per_capita_net_income = record.compute_per_capita()
        save_with_actor(record, actor=actor)
        refresh_household_income(household)
    return record


def refresh_household_income(household: Household) -> None:
    """Copy the newest income record onto the household, judged against that year's line."""
    latest = IncomeRecord.objects.filter(household=household).order_by("-year").first()
    if latest is None:
        values = {
            "latest_income_year": None,
            "latest_per_capita_income": None,
            "below_income_line": False,
        }
    else:
        line = PolicySettings.for_year(latest.year).income_line
        values = {
            "latest_income_year": latest.year,
            "latest_per_capita_income": latest.per_capita_net_income,
            "below_income_line": latest.per_capita_net_income < line,
        }
    # A plain UPDATE: these are derived values, not a change a person made.
    Household.objects.filter(pk=household.pk).update(**values)
    for name, value in values.items():
        setattr(household, name, value)


def refresh_below_line_for_year(year: int) -> int:
    """After a year's line changed: re-judge every household whose newest income that line governs."""
    later = (
        PolicySettings.objects.filter(year__gt=year)
        .order_by("year")
        .values_list("year", flat=True)
        .first()
    )
    line = PolicySettings.for_year(year).income_line
    qs = Household.objects.filter(latest_income_year__gte=year)
    if later:
        qs = qs.filter(latest_income_year__lt=later)
    return qs.update(
        below_income_line=Case(
            When(latest_per_capita_income__lt=line, then=Value(True)), default=Value(False)
        )
    )


def income_record_delete(*, actor: User, record: IncomeRecord) -> None:
    _require_registry_right(actor, record.household)
    with transaction.atomic():
        record._history_user = actor
        record.delete()
        refresh_household_income(record.household)


def visit_create(
    *, actor: User, household: Household, tell_officials: bool = True, **fields: Any
) -> Visit:
    """A visit (人防, 三(四)1). One that found a risk tells the village monitor and the town,
    naming the household (“及时摸清情况”); a caller that sends its own, fuller message (the
    help visit of ``assistance``) passes ``tell_officials=False``."""
    if not can_record_visit(actor, household):
        raise PermissionDenied("您没有权限走访该农户")
    visit = Visit(household=household, visitor=actor, **fields)
    _check_not_future(visit.visited_on, "visited_on")
    with transaction.atomic():
        save_with_actor(visit, actor=actor)
        if visit.risk_found and tell_officials:
            village = household.village
            notify_on_commit(
                recipients=local_officials_q(village.pk, village.town_id) & ~Q(pk=actor.pk),
                message=f"走访发现返贫致贫风险：{household.head_name}户（{village.name}），"
                f"走访人{actor}",
                url=reverse("households:detail", args=[household.pk]) + "#visits",
            )
    return visit


def visit_update(*, actor: User, visit: Visit, **fields: Any) -> Visit:
    if visit.visitor_id != actor.pk and not can_edit_registry(actor, visit.household):
        raise PermissionDenied("只能修改自己的走访记录")
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        _assign(visit, fields)
        _check_not_future(visit.visited_on, "visited_on")
        save_with_actor(visit, actor=actor)
    return visit


def _check_not_future(day: datetime.date | None, field: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: "日期不能晚于今天"})


MSG_CATEGORY_ALLEVIATED = (
    "三(一)/三(三)：该户2020年底为脱贫户，应纳入“脱贫不稳定户”，"
    "不能纳入边缘易致贫户或突发严重困难户"
)
MSG_CATEGORY_NOT_ALLEVIATED = (
    "三(一)/三(三)：“脱贫不稳定户”须为脱贫户；该户2020年底身份为{status}，"
    "应纳入边缘易致贫户（农村低保对象、特困人员、重度残疾人、重病大病家庭等）"
    "或突发严重困难户"
)


def check_category_matches_status(household: Household, category: str) -> None:
    """三(一), 三(三): 脱贫不稳定户 are 脱贫户; 边缘易致贫户 are 农村低保对象、特困人员、
    重度残疾人、重病大病家庭…; 突发严重困难户 are other rural households in sudden hardship.
    So a 脱贫户 is filed as 脱贫不稳定户 only, and only a 脱贫户 is."""
    alleviated = household.status_2020 == Status2020.POVERTY_ALLEVIATED
    unstable = category == MonitoringSubject.Category.UNSTABLE
    if alleviated and not unstable:
        raise ValidationError({"category": MSG_CATEGORY_ALLEVIATED})
    if unstable and not alleviated:
        raise ValidationError(
            {
                "category": MSG_CATEGORY_NOT_ALLEVIATED.format(
                    status=household.get_status_2020_display()
                )
            }
        )


def monitoring_subject_create(
    *,
    actor: User,
    household: Household,
    category: str,
    risk_types: Iterable[RiskType],
    started_on: datetime.date,
    note: str = "",
    announcement: str = "",
) -> MonitoringSubject:
    """Put a household under monitoring. The county filing of 三(七)7 calls this; the bureau may
    also enter households that were already monitored before the system."""
    if not actor.is_county:
        raise PermissionDenied("只有县扶贫局可以备案监测对象")
    risk_types = list(risk_types)
    if not risk_types:
        raise ValidationError({"risk_types": "请至少选择一种风险类型"})
    _check_not_future(started_on, "started_on")
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        if MonitoringSubject.objects.filter(
            household=household, status=MonitoringSubject.Status.MONITORING
        ).exists():
            raise ValidationError({"household": "该户已是监测对象，不能重复纳入"})
        check_category_matches_status(household, category)
        subject = MonitoringSubject(
            household=household,
            category=category,
            started_on=started_on,
            note=note,
            announcement=announcement,
        )
        save_with_actor(subject, actor=actor)
        subject.risk_types.set(risk_types)
    return subject


def monitoring_subject_update_risks(
    *, actor: User, subject: MonitoringSubject, risk_types: Iterable[RiskType]
) -> MonitoringSubject:
    """A verified warning on a monitored household updates its risk types (三(四)2)."""
    _require_registry_right(actor, subject.household)
    wanted = set(risk_types)
    with transaction.atomic():
        subject = MonitoringSubject.objects.select_for_update().get(pk=subject.pk)
        if set(subject.risk_types.all()) == wanted:
            return subject
        # simple-history writes a version per removal and per addition; one change is one
        # version, written by the save below with the new risk types.
        subject.skip_history_when_saving = True
        try:
            subject.risk_types.set(wanted)
        finally:
            del subject.skip_history_when_saving
        subject._history_user = actor
        subject.save(update_fields=["note"])
    return subject


MSG_ELIMINATE_COUNTY_ONLY = "只有县扶贫局可以标注风险消除"
MSG_ALREADY_ELIMINATED = "该监测对象已标注风险消除"


def monitoring_subject_eliminate(
    *, actor: User, subject: MonitoringSubject, on: datetime.date, reason: str = ""
) -> MonitoringSubject:
    """三(九): marked risk-eliminated when the county files the exit (only the exit case's
    filing calls this). ``subject_exited`` is sent inside the transaction, so that what the
    higher apps stop with it (the plan, its measures) commits or rolls back with the filing."""
    from .signals import subject_exited  # signals.py imports this module for its receivers

    if not actor.is_county:
        raise PermissionDenied(MSG_ELIMINATE_COUNTY_ONLY)
    _check_not_future(on, "ended_on")
    with transaction.atomic():
        subject = MonitoringSubject.objects.select_for_update().get(pk=subject.pk)
        if subject.status != MonitoringSubject.Status.MONITORING:
            raise ConflictError(MSG_ALREADY_ELIMINATED)
        if on < subject.started_on:
            raise ValidationError({"ended_on": "风险消除日期不能早于纳入监测日期"})
        subject.eliminate_risk(on=on)
        save_with_actor(subject, actor=actor, reason=reason)
        subject_exited.send(sender=MonitoringSubject, subject=subject, actor=actor, on=on)
    return subject


MSG_REINSTATE_RIGHT = "只有该户所在镇（园区）或县扶贫局可以恢复监测"
MSG_NOT_ELIMINATED = "该监测对象仍在监测中，无需恢复"
MSG_MONITORED_AGAIN = "该户已重新纳入监测（另有监测中的监测对象），不能恢复原监测对象"


def monitoring_subject_reinstate(
    *, actor: User, subject: MonitoringSubject, reason: str
) -> MonitoringSubject:
    """三(九) 重新审核认定: a reverted exit returns the subject to monitoring.

    The household must not have been identified again meanwhile (one subject in monitoring
    per household). ``subject_reinstated`` is sent inside the transaction, so what its
    receivers restore (the plan and measures the exit closed) stands or falls with it.
    """
    # Imported here: the signals module imports this one for its receivers.
    from .signals import subject_reinstated

    if not (actor.is_county or actor.role == Role.TOWN_OFFICIAL):
        raise PermissionDenied(MSG_REINSTATE_RIGHT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写恢复监测的原因"})
    with transaction.atomic():
        subject = MonitoringSubject.objects.select_for_update().get(pk=subject.pk)
        if not Household.objects.filter(household_scope_q(actor), pk=subject.household_id).exists():
            raise PermissionDenied(MSG_REINSTATE_RIGHT)
        if subject.status != MonitoringSubject.Status.ELIMINATED:
            raise ConflictError(MSG_NOT_ELIMINATED, extra={"state": subject.status})
        if MonitoringSubject.objects.filter(
            household_id=subject.household_id, status=MonitoringSubject.Status.MONITORING
        ).exists():
            raise ConflictError(MSG_MONITORED_AGAIN, extra={"state": subject.status})
        exited_on = subject.ended_on
        subject.reinstate()
        save_with_actor(subject, actor=actor, reason=f"重新审核认定，恢复监测：{reason}")
        subject_reinstated.send(
            sender=MonitoringSubject,
            subject=subject,
            actor=actor,
            exited_on=exited_on,
            reason=reason,
        )
    return subject
