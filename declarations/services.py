"""Writes of self-declaration (一码申报): one service per meaningful write.

The public submission has no actor (the history names nobody); every answer is the village's
(or its town's), in one transaction with the declaration locked, and the notifications leave
only after the commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from households.id_numbers import normalize_id_number
from households.models import Household, Member, RiskType
from households.selectors import household_scope_q
from households.services import household_create
from identification.models import CaseSource, IdentificationCase
from identification.models.case import OPEN_STATES as CASE_OPEN_STATES
from identification.services import case_apply
from organization.models import PolicySettings, User, Village
from organization.services import is_mobile, local_officials_q, normalize_phone, notify_on_commit
from organization.working_days import add_working_days, working_days_between
from suixi_monitor.exceptions import ApplicationError, ConflictError
from suixi_monitor.services import save_with_actor

from .models import (
    NOTE_MAX,
    OPEN_STATES,
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    WORDS_MAX,
    Declaration,
    DeclarationRepeat,
    DeclineReason,
    PosterCode,
    State,
)
from .selectors import ANSWERING_ROLES, declaration_scope_q

MSG_NOT_YOURS = "只有本村防贫监测员或本镇干部可以办理该自主申报"
MSG_CONSENT = "请阅读并同意个人信息使用说明后再提交"
MSG_PHONE = "请填写11位手机号码"
MSG_RISK = "请至少选择一种困难类型"


# --- the poster ---------------------------------------------------------------------------


def poster_codes_ensure(*, villages: Iterable[Village]) -> dict[int, str]:
    """Each village's QR token, made once (random) the first time its poster is printed."""
    ids = [village.pk for village in villages]
    have = dict(PosterCode.objects.filter(village_id__in=ids).values_list("village_id", "token"))
    missing = [pk for pk in ids if pk not in have]
    if missing:
        PosterCode.objects.bulk_create(
            [PosterCode(village_id=pk, token=secrets.token_urlsafe(12)) for pk in missing],
            ignore_conflicts=True,  # two printers at once: the first token stays
        )
        have = dict(
            PosterCode.objects.filter(village_id__in=ids).values_list("village_id", "token")
        )
    return have


# --- the public submission ----------------------------------------------------------------


def _new_receipt_code() -> str:
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
        if not Declaration.objects.filter(receipt_code=code).exists():
            return code


def _clean_submission(
    *, name: str, id_number: str, phone: str, risk_types: list, words: str, consent: bool
) -> tuple[str, str, str, str]:
    errors: dict[str, str] = {}
    name = "".join((name or "").split())
    if not name:
        errors["name"] = "请填写姓名"
    elif len(name) > 50:
        errors["name"] = "姓名不能超过50个字"
    try:
        id_number = normalize_id_number(id_number)
    except ValidationError as error:
        errors["id_number"] = error.messages[0]
    phone = normalize_phone(phone)
    if not is_mobile(phone):
        errors["phone"] = MSG_PHONE
    if not risk_types:
        errors["risk_types"] = MSG_RISK
    words = (words or "").strip()
    if len(words) > WORDS_MAX:
        errors["words"] = f"困难情况不能超过{WORDS_MAX}个字"
    if not consent:
        errors["consent"] = MSG_CONSENT
    if errors:
        raise ValidationError(errors)
    return name, id_number, phone, words


def declaration_submit(
    *,
    name: str,
    id_number: str,
    phone: str,
    village: Village,
    risk_types: Iterable[RiskType],
    words: str = "",
    consent: bool,
) -> tuple[Declaration, bool]:
    """A declaration from the public page or API; ``(declaration, merged)``.

    三(五)3 brings rural residents below the minimum living standard into scope whether or not
    the registry knows them, so a stranger's declaration is taken like any other. A repeat for
    an ID number whose declaration is still open is recorded on that one, and the person gets
    its receipt code back.
    """
    risk_types = list(risk_types)
    name, id_number, phone, words = _clean_submission(
        name=name,
        id_number=id_number,
        phone=phone,
        risk_types=risk_types,
        words=words,
        consent=consent,
    )
    fields = {"name": name, "phone": phone, "words": words, "declared_village": village}
    try:
        with transaction.atomic():
            return _merge_or_create(id_number, fields, risk_types)
    except IntegrityError:
        # The same person sent twice at the same moment: the second joins the first.
        with transaction.atomic():
            return _merge_or_create(id_number, fields, risk_types)


def _merge_or_create(id_number: str, fields: dict, risk_types: list) -> tuple[Declaration, bool]:
    open_one = (
        Declaration.objects.select_for_update()
        .filter(id_number=id_number, state__in=OPEN_STATES)
        .first()
    )
    if open_one is not None:
        repeat = DeclarationRepeat(declaration=open_one, **fields)
        save_with_actor(repeat, actor=None)
        repeat.risk_types.set(risk_types)
        _notify(
            open_one, f"{open_one.name}再次自主申报（回执码{open_one.receipt_code}），已并入原申报"
        )
        return open_one, False
    now = timezone.now()
    received_on = timezone.localdate(now)
    member = Member.objects.filter(id_number=id_number).select_related("household").first()
    household = member.household if member else None
    limit = PolicySettings.for_year(received_on.year).declaration_answer_working_days
    declaration = Declaration(
        receipt_code=_new_receipt_code(),
        id_number=id_number,
        village_id=household.village_id if household else fields["declared_village"].pk,
        household=household,
        received_at=now,
        consented_at=now,
        due_on=add_working_days(received_on, limit),
        **fields,
    )
    with transaction.atomic():  # a savepoint: the unique index may refuse a concurrent twin
        save_with_actor(declaration, actor=None, reason="自主申报")
    declaration.risk_types.set(risk_types)
    _notify(
        declaration,
        f"收到{declaration.name}的自主申报（回执码{declaration.receipt_code}），"
        f"请于{declaration.due_on:%Y-%m-%d}前答复",
    )
    return declaration, True


def _notify(declaration: Declaration, message: str) -> None:
    village = Village.objects.get(pk=declaration.village_id)
    notify_on_commit(
        recipients=local_officials_q(village.pk, village.town_id),
        message=message,
        url=reverse("declarations:detail", args=[declaration.pk]),
    )


# --- the village's answer -----------------------------------------------------------------


def _lock(declaration: Declaration, actor: User) -> Declaration:
    if actor.role not in ANSWERING_ROLES:
        raise PermissionDenied(MSG_NOT_YOURS)
    locked = (
        Declaration.objects.select_for_update()
        .filter(declaration_scope_q(actor), pk=declaration.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(MSG_NOT_YOURS)
    return locked


def _require_open(declaration: Declaration, step: str) -> None:
    if not declaration.is_open:
        raise ConflictError(
            f"该申报已答复（{declaration.public_status}），不能再{step}",
            extra={"state": declaration.state},
        )


def _answer_moment(declaration: Declaration) -> tuple[Any, int]:
    now = timezone.now()
    days = working_days_between(
        timezone.localdate(declaration.received_at), timezone.localdate(now)
    )
    return now, max(days, 0)


def declaration_start_checking(*, actor: User, declaration: Declaration) -> Declaration:
    """The village has taken it up (核实中); the answer's clock keeps running."""
    with transaction.atomic():
        declaration = _lock(declaration, actor)
        if declaration.state != State.RECEIVED:
            _require_open(declaration, "开始核实")
            raise ConflictError("该申报已在核实中", extra={"state": declaration.state})
        declaration.start_checking()
        save_with_actor(declaration, actor=actor, reason="开始核实")
    return declaration


def declaration_create_household(
    *,
    actor: User,
    declaration: Declaration,
    address: str,
    group=None,
    status_2020: str = "ordinary",
    registered_in_county: bool = True,
    long_term_resident: bool = True,
) -> Household:
    """三(五)3: a declarant the registry does not know is entered as a household of the
    declared village, headed by the declarant, through the registry's own service."""
    with transaction.atomic():
        declaration = _lock(declaration, actor)
        _require_open(declaration, "登记农户")
        if declaration.household_id is not None:
            raise ConflictError("该申报已对应台账中的农户", extra={"state": declaration.state})
        if Member.objects.filter(id_number=declaration.id_number).exists():
            raise ApplicationError(
                "该身份证号已在农户台账中登记，无需新建农户；请直接纳入识别程序", field="address"
            )
        household = household_create(
            actor=actor,
            village=declaration.village,
            group=group,
            head_name=declaration.name,
            address=address,
            phone=declaration.phone,
            status_2020=status_2020,
            registered_in_county=registered_in_county,
            long_term_resident=long_term_resident,
            members=[
                {"name": declaration.name, "id_number": declaration.id_number, "relation": "head"}
            ],
        )
        declaration.household = household
        if declaration.state == State.RECEIVED:
            declaration.start_checking()
        save_with_actor(declaration, actor=actor, reason="据申报登记农户")
    return household


def _household_of(declaration: Declaration, actor: User) -> tuple[Household, Member]:
    member = (
        Member.objects.filter(id_number=declaration.id_number).select_related("household").first()
    )
    if member is None:
        raise ApplicationError(
            "三(五)3：申报人尚未在农户台账中登记，请先据申报登记农户，再纳入识别程序"
        )
    if not Household.objects.filter(household_scope_q(actor), pk=member.household_id).exists():
        raise ApplicationError(
            f"申报人已登记在{member.household.village}，不在您的管辖范围，请联系该村办理"
        )
    return member.household, member


def declaration_accept(
    *,
    actor: User,
    declaration: Declaration,
    hardship: str = "",
    risk_types: Iterable[RiskType] | None = None,
) -> Declaration:
    """三(七)1 户申请: the declaration opens an identification case (source 自主申报), linked both
    ways. A household with a case already open joins it; the scope of 三(五), one open case and
    "not yet monitored" are ``case_apply``'s rules."""
    with transaction.atomic():
        declaration = _lock(declaration, actor)
        _require_open(declaration, "纳入识别程序")
        household, member = _household_of(declaration, actor)
        case = (
            IdentificationCase.objects.filter(household=household, state__in=CASE_OPEN_STATES)
            .order_by("-id")
            .first()
        )
        if case is None:
            case = case_apply(
                actor=actor,
                household=household,
                applicant=member,
                applied_on=timezone.localdate(),
                hardship=(hardship or "").strip() or declaration.words or "自主申报",
                risk_types=list(risk_types or declaration.risk_types.all()),
                source=CaseSource.DECLARATION,
                source_note=f"自主申报 回执码{declaration.receipt_code}",
            )
        at, days = _answer_moment(declaration)
        declaration.household = household
        declaration.accept(case=case, by=actor, at=at, working_days=days)
        save_with_actor(declaration, actor=actor, reason="纳入识别程序")
    return declaration


def declaration_decline(
    *, actor: User, declaration: Declaration, reason: str, note: str
) -> Declaration:
    """Not taken into the procedure, with a category (told to the declarant) and a note
    (for the town, which sees every answer of its villages)."""
    note = (note or "").strip()
    errors = {}
    if reason not in DeclineReason.values:
        errors["reason"] = "请选择未纳入原因"
    if not note:
        errors["note"] = "请填写未纳入的具体说明"
    elif len(note) > NOTE_MAX:
        errors["note"] = f"说明不能超过{NOTE_MAX}个字"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        declaration = _lock(declaration, actor)
        _require_open(declaration, "答复")
        at, days = _answer_moment(declaration)
        declaration.decline(reason=reason, note=note, by=actor, at=at, working_days=days)
        save_with_actor(declaration, actor=actor, reason="未纳入")
        village = declaration.village
        notify_on_commit(
            recipients=local_officials_q(village.pk, village.town_id) & ~Q(pk=actor.pk),
            message=(
                f"{village.name}未纳入{declaration.name}的自主申报"
                f"（{declaration.get_decline_reason_display()}）：{note}"
            ),
            url=reverse("declarations:detail", args=[declaration.pk]),
        )
    return declaration
