"""Steps 1–4 of 三(七) as services, one per step; steps 5–7 are in ``decisions``.

Each step is the case's procedure's (``identification.procedures``): a step its procedure does
not have answers 409 naming the procedure; Anhui 2024's 承诺授权 and 民主评议 are here too.

Each service locks the case (``select_for_update``), refuses a case in the
wrong state with ``ConflictError`` (409), refuses a step whose rule fails with
``ApplicationError`` (400) naming the clause, records the step, calls the
transition, saves with the actor in the history, and sends notifications only
after the commit. ``actor=None`` means the system (the daily publicity task).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from households.models import Household, Member, MonitoringSubject, RiskType
from households.selectors import can_edit_registry
from organization.models import User, VillagerGroup
from suixi_monitor.exceptions import ApplicationError, ConflictError
from suixi_monitor.services import save_with_actor

from ..models import (
    CaseSource,
    CaseState,
    Comparison,
    ComparisonHit,
    Deliberation,
    HomeCheck,
    HomeCheckMember,
    IdentificationCase,
    Objection,
)
from ..models.case import OPEN_STATES
from ..models.steps import TeamRole
from ..procedures import ANHUI_2024, procedure_for
from ..selectors import comparison_hits, fraction_label, household_income_on, team_candidates
from ._common import (
    _advance,
    _check_date,
    _lock,
    _notify_after_commit,
    _policy,
    _reject,
    _running_publicity,
    _step_moment,
    _village_and_town_q,
)
from .clock import case_refresh_due_on
from .permissions import case_step, comparison_recorded

# --- 1. 户申请 -----------------------------------------------------------------------


def case_apply(
    *,
    actor: User,
    household: Household,
    applicant: Member,
    applied_on: datetime.date,
    hardship: str,
    risk_types: Iterable[RiskType],
    source: str = CaseSource.HOUSEHOLD,
    source_note: str = "",
    consent_given: bool = False,
    consent_signed_on: datetime.date | None = None,
    consent_form: UploadedFile | None = None,
) -> IdentificationCase:
    """三(七)1 户申请. Refused outside the scope of 三(五), when monitored, or with an open case.

    The case follows the procedure of its application's year (PolicySettings), for good.
    Under Anhui 2024 a household applying itself brings its signed consent (承诺授权); an
    application opened from a warning, clue or visit records it before the home check.
    """
    if not can_edit_registry(actor, household):
        raise PermissionDenied("您无权为该户登记识别申请")
    risk_types = list(risk_types)
    if applicant.household_id != household.pk:
        raise ValidationError({"applicant": "申请人须为该户家庭成员"})
    if not risk_types:
        raise ValidationError({"risk_types": "请至少选择一种风险类型"})
    _check_date(applied_on, "applied_on")
    procedure = procedure_for(_policy(applied_on).identification_procedure)
    if procedure is ANHUI_2024 and source == CaseSource.HOUSEHOLD and not consent_given:
        raise ApplicationError(
            f"{procedure.name}：农户申请须签署承诺授权书，同意核查家庭收入、财产等信息（承诺授权）",
            field="consent_given",
        )
    if consent_given:
        _check_consent(consent_signed_on, consent_form)
    elif consent_form is not None or consent_signed_on is not None:
        raise ValidationError({"consent_given": "登记授权日期或授权书的，请确认农户已签署承诺授权"})
    with transaction.atomic():
        # The household row serialises two applications for one household.
        household = Household.objects.select_for_update().get(pk=household.pk)
        open_case = household.identification_cases.filter(state__in=OPEN_STATES).first()
        if open_case:
            raise ConflictError(
                f"三(七)1：该户已有未办结的识别申请（当前环节：{open_case.get_state_display()}）",
                extra={"case": open_case.pk},
            )
        if household.monitoring_subjects.filter(
            status=MonitoringSubject.Status.MONITORING
        ).exists():
            raise ApplicationError("三(七)1：该户已是监测对象，无需重复申请")
        verdict = household.identification_scope()
        if not verdict.in_scope:
            raise ApplicationError(
                "三(五)：该户不在识别范围内（" + "；".join(verdict.missing) + "）。"
                "识别范围为户籍在濉溪县且长期居住的脱贫户，低保、特困、重度残疾、重病大病家庭"
                "（均以2020年底身份为准，可在农户信息中更正），或人均收入低于农村低保标准的"
                "农村常住人口（以收入记录计算）；风险属实而不在范围的，请转为线索/其他救助"
            )
        case = IdentificationCase(
            household=household,
            applicant=applicant,
            applied_on=applied_on,
            # Waiting for the home check since the household applied, not since it was typed in.
            state_changed_at=_step_moment(applied_on),
            hardship=hardship,
            source=source,
            source_note=source_note,
            created_by=actor,
            procedure=procedure.key,
            consent_given=consent_given,
            consent_signed_on=consent_signed_on if consent_given else None,
        )
        case_refresh_due_on(case)
        if consent_given and consent_form is not None:
            case.consent_form.save(consent_form.name, consent_form, save=False)
        save_with_actor(case, actor=actor, reason="户申请")
        case.risk_types.set(risk_types)
    return case


# --- 承诺授权 (Anhui 2024) -----------------------------------------------------------

CONSENT_TYPES = {
    # The first bytes of each accepted kind: a file is judged by its content, not its name.
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def _check_consent_form(form: UploadedFile) -> None:
    """A scan or photo of the signed form: JPG, PNG or PDF, within the size limit."""
    limit = settings.CONSENT_FORM_MAX_BYTES
    if form.size > limit:
        raise ApplicationError(
            f"承诺授权书文件不能超过{limit / (1024 * 1024):g} MB"
            f"（当前{form.size / (1024 * 1024):.1f} MB），请压缩后重新上传",
            field="consent_form",
        )
    extension = (form.name or "").rsplit(".", 1)[-1].lower() if "." in (form.name or "") else ""
    form.seek(0)
    head = form.read(16)
    form.seek(0)
    if extension not in CONSENT_TYPES or not head.startswith(CONSENT_TYPES[extension]):
        raise ApplicationError(
            "承诺授权书须为JPG、PNG图片或PDF文件（按文件内容判断，扩展名须与内容相符）",
            field="consent_form",
        )


def _check_consent(
    signed_on: datetime.date | None,
    form: UploadedFile | None,
) -> None:
    if signed_on is None:
        raise ValidationError({"consent_signed_on": "请填写承诺授权日期"})
    _check_date(signed_on, "consent_signed_on")
    if form is not None:
        _check_consent_form(form)


def case_record_consent(
    *,
    actor: User,
    case: IdentificationCase,
    signed_on: datetime.date,
    form: UploadedFile | None = None,
) -> IdentificationCase:
    """Anhui 2024 承诺授权: the household's signed consent, recorded before the home check (an
    application opened from a warning, clue or visit), or its scan added afterwards."""
    table, step = case_step(case, "consent")
    table.require_role(actor, step)
    _check_consent(signed_on, form)
    with transaction.atomic():
        case = _lock(case, actor)
        table.require_state(case, step)
        case.consent_given = True
        case.consent_signed_on = signed_on
        if form is not None:
            case.consent_form.save(form.name, form, save=False)
        save_with_actor(case, actor=actor, reason="登记承诺授权")
        return case


# --- 2. 村初核 -----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamMember:
    role: str
    user: User | None = None
    name: str = ""


def _team_rows(team: Iterable[TeamMember], row_model: type = HomeCheckMember) -> list:
    """One row per person (a user, or a name typed in), each once; ``row_model`` is the
    identification home check's team or the exit home check's."""
    rows: list = []
    seen: set[str] = set()
    for member in team:
        name = (member.user.get_full_name() or member.user.username) if member.user else ""
        name = name or member.name.strip()
        if not name:
            continue
        if member.role not in TeamRole.values:
            raise ValidationError({"team": "核查组成员身份须为村两委、驻村工作队或帮扶人"})
        key = f"u{member.user.pk}" if member.user else f"n{name}"
        if key in seen:
            continue  # the same person counted twice is still one checker
        seen.add(key)
        rows.append(row_model(user=member.user, name=name, role=member.role))
    return rows


def _check_home_check_date(case, day: datetime.date, *, first_day: datetime.date, label: str):
    """A home check is not before the case began, and a 复核 (the case came back on an
    upheld objection) not before that objection."""
    upheld = case.objections.filter(status=Objection.Status.UPHELD).order_by("-lodged_on")
    recheck_of = upheld.first()
    _check_date(
        day,
        "checked_on",
        not_before=recheck_of.lodged_on if recheck_of else first_day,
        before_label="异议提出日期" if recheck_of else label,
    )


def checked_team(
    *,
    actor: User,
    household: Household,
    team: Iterable[TeamMember],
    on: datetime.date,
    clause: str,
    row_model: type = HomeCheckMember,
) -> list:
    """A home check's team rows, refused when a user chosen is not a colleague in scope or
    the household's helper, or when it is smaller than the year's ``home_check_team_min``."""
    rows = _team_rows(team, row_model)
    chosen = {row.user_id for row in rows if row.user_id}
    allowed = team_candidates(user=actor, household=household).filter(pk__in=chosen)
    if chosen and allowed.count() != len(chosen):
        raise ValidationError(
            {"team": "核查组中的系统用户须为本村干部或该户帮扶人；其他人员请填写姓名"}
        )
    minimum = _policy(on).home_check_team_min
    if len(rows) < minimum:
        raise ApplicationError(
            f"{clause}：核查组成员不得少于{minimum}人（当前{len(rows)}人）", field="team"
        )
    return rows


def case_verify(
    *,
    actor: User,
    case: IdentificationCase,
    checked_on: datetime.date,
    team: Iterable[TeamMember],
    findings: str,
    passed: bool,
    sudden_change: bool = False,
    medical_burden: bool = False,
    housing_unsafe: bool = False,
    schooling_interrupted: bool = False,
    water_unsafe: bool = False,
) -> IdentificationCase:
    """三(七)2 村初核: a team of at least the policy's size checks at the door against 三(六).
    Under Anhui 2024 only once the household's consent (承诺授权) is recorded."""
    table, step = case_step(case, "verify")
    table.require_role(actor, step)
    with transaction.atomic():
        case = _lock(case, actor)
        table.require_state(case, step)
        if _needs_consent(case):
            raise ConflictError(
                f"该申请按{case.procedure_definition.name}办理，须先登记农户签字的承诺授权，"
                "才能入户核查",
                extra={"state": case.state},
            )
        _check_home_check_date(case, checked_on, first_day=case.applied_on, label="申请日期")
        rows = checked_team(
            actor=actor, household=case.household, team=team, on=checked_on, clause="三(七)2"
        )
        if not findings.strip():
            raise ValidationError({"findings": "请填写核查情况"})
        income = household_income_on(case.household, checked_on)
        check = HomeCheck(
            case=case,
            checked_on=checked_on,
            income_year=income.year,
            per_capita_income=income.per_capita,
            income_line=income.line,
            below_line=income.below_line,
            sudden_change=sudden_change,
            medical_burden=medical_burden,
            housing_unsafe=housing_unsafe,
            schooling_interrupted=schooling_interrupted,
            water_unsafe=water_unsafe,
            findings=findings,
            passed=passed,
            recorded_by=actor,
        )
        if passed and not check.criteria_met:
            raise ApplicationError("三(六)：初核通过须至少符合一项识别标准", field="passed")
        save_with_actor(check, actor=actor)
        for row in rows:
            row.home_check = check
            save_with_actor(row, actor=actor)
        if passed:
            return _advance(
                case,
                case.take_step,
                actor=actor,
                note=f"{step.title}通过",
                on=checked_on,
                step=step.name,
            )
        return _reject(case, actor=actor, reason=f"{step.title}未通过：{findings}")


def _needs_consent(case: IdentificationCase) -> bool:
    return case.procedure_definition.step("consent") is not None and not case.consent_given


# --- 3. 组评议 (2021) / 民主评议 (Anhui 2024) ----------------------------------------


def case_record_deliberation(
    *,
    actor: User,
    case: IdentificationCase,
    group: VillagerGroup,
    held_on: datetime.date,
    expected: int,
    present: int,
    approvals: int,
    note: str = "",
) -> IdentificationCase:
    """三(七)3 组评议 of the 2021 procedure, in the household's villager group."""
    return _deliberate(
        actor=actor,
        case=case,
        step_name="deliberate",
        group=group,
        held_on=held_on,
        expected=expected,
        present=present,
        approvals=approvals,
        note=note,
    )


def case_record_village_deliberation(
    *,
    actor: User,
    case: IdentificationCase,
    held_on: datetime.date,
    expected: int,
    present: int,
    approvals: int,
    note: str = "",
) -> IdentificationCase:
    """Anhui 2024 民主评议: one meeting at the village, no group deliberation; quorum and votes
    as 三(七)3 and the year's policy."""
    return _deliberate(
        actor=actor,
        case=case,
        step_name="deliberate_village",
        group=None,
        held_on=held_on,
        expected=expected,
        present=present,
        approvals=approvals,
        note=note,
    )


def _deliberate(
    *,
    actor: User,
    case: IdentificationCase,
    step_name: str,
    group: VillagerGroup | None,
    held_on: datetime.date,
    expected: int,
    present: int,
    approvals: int,
    note: str,
) -> IdentificationCase:
    """A meeting without quorum is refused, not recorded; a failed vote rejects."""
    table, step = case_step(case, step_name)
    table.require_role(actor, step)
    with transaction.atomic():
        case = _lock(case, actor)
        table.require_state(case, step)
        home_check = case.home_checks.first()
        _check_date(
            held_on,
            "held_on",
            not_before=home_check.checked_on if home_check else case.applied_on,
            before_label="入户核查日期",
        )
        policy = _policy(held_on)
        if group is not None and group.village_id != case.household.village_id:
            raise ValidationError({"group": "村民小组须属于该户所在村"})
        if expected < 1:
            raise ValidationError({"expected": "应参会人数至少为1"})
        if present > expected:
            raise ValidationError({"present": "实到人数不能多于应参会人数"})
        if approvals > present:
            raise ValidationError({"approvals": "赞成人数不能多于实到人数"})
        quorum = fraction_label(policy.quorum_numerator, policy.quorum_denominator)
        if not policy.quorum_met(expected=expected, present=present):
            raise ApplicationError(
                f"三(七)3：到会人数须达到应到人数的{quorum}以上（应到{expected}人，实到{present}人），"
                f"会议无效，请重新组织{step.title}",
                field="present",
            )
        passes = policy.deliberation_passes(present=present, approvals=approvals)
        record = Deliberation(
            case=case,
            group=group,
            held_on=held_on,
            expected=expected,
            present=present,
            approvals=approvals,
            passed=passes,
            note=note,
            recorded_by=actor,
        )
        save_with_actor(record, actor=actor)
        if passes:
            return _advance(
                case,
                case.take_step,
                actor=actor,
                note=f"{step.title}通过",
                on=held_on,
                step=step.name,
            )
        share = fraction_label(policy.pass_numerator, policy.pass_denominator)
        return _reject(
            case,
            actor=actor,
            reason=f"三(七)3：赞成人数未超过到会人数的{share}（到会{present}人，赞成{approvals}人），"
            f"{step.title}未通过",
        )


# --- 4. 信息比对 ---------------------------------------------------------------------


def case_compare(
    *,
    actor: User,
    case: IdentificationCase,
    compared_on: datetime.date,
    judgements: dict[int, tuple[str, str]],
    conclusion: str = "",
) -> IdentificationCase:
    """三(七)4 信息比对 by the county bureau; each hit gets a judgement and a reason (不搞“一刀切”).

    2021: after the group deliberation, moving the case to the village. Anhui 2024: during the
    village publicity, once per publicity; the case stays in it (its conclusion waits for this).
    """
    table, step = case_step(case, "compare")
    table.require_role(actor, step)
    with transaction.atomic():
        case = _lock(case, actor)
        table.require_state(case, step)
        publicity = None
        if case.state == CaseState.VILLAGE_PUBLICIZING:
            if comparison_recorded(case):
                raise ConflictError(
                    "本次村级公示期间已录入信息比对结果，不能重复比对", extra={"state": case.state}
                )
            publicity = _running_publicity(case)
            previous, label = publicity.started_on, "村级公示开始日期"
        else:
            deliberation = case.deliberations.first()
            previous, label = (
                (deliberation.held_on, "组评议日期")
                if deliberation
                else (case.applied_on, "申请日期")
            )
        _check_date(compared_on, "compared_on", not_before=previous, before_label=label)
        result = comparison_hits(case)
        missing = [
            hit.record.pk
            for hit in result.hits
            if hit.record.pk not in judgements
            or judgements[hit.record.pk][0] not in ComparisonHit.Judgement.values
            or not judgements[hit.record.pk][1].strip()
        ]
        if missing:
            raise ApplicationError(
                "三(七)4：每一条比对命中都须填写研判结果和理由（数据比对后不搞“一刀切”）",
                field="judgements",
                extra={"missing": missing},
            )
        comparison = Comparison(
            case=case,
            compared_on=compared_on,
            conclusion=conclusion,
            publicity=publicity,
            recorded_by=actor,
        )
        save_with_actor(comparison, actor=actor)
        comparison.datasets.set(result.datasets)
        for hit in result.hits:
            judgement, reason = judgements[hit.record.pk]
            save_with_actor(
                ComparisonHit(
                    comparison=comparison,
                    member=hit.member,
                    dataset=hit.dataset,
                    record=hit.record,
                    detail=hit.record.detail,
                    judgement=judgement,
                    reason=reason.strip(),
                ),
                actor=actor,
            )
        _advance(
            case, case.take_step, actor=actor, note="信息比对完成", on=compared_on, step=step.name
        )
        then = "村级公示期满无异议后报乡镇审核" if publicity else "请村研究确定并公示"
        _notify_after_commit(
            _village_and_town_q(case),
            f"{case.household.head_name}户信息比对结果已反馈（命中{len(result.hits)}条），{then}",
            case,
        )
        return case
