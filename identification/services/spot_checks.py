"""三(九) "县级对退出名单进行抽查评估，对错退率超过2%的镇，需重新审核认定".

The county draws a sample of a town's filed exits once the town's round is closed, records a
verdict per sampled household and closes the check. A wrong-exit rate strictly above the
year's limit puts the town's round into ``re_review``: the town confirms or reverts every
filed exit of it (a revert returns the subject to monitoring, with its plan and measures),
and the round closes again when none is left.
"""

from __future__ import annotations

import datetime
import math
import random
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from households.models import Household
from households.selectors import household_scope_q
from households.services import monitoring_subject_reinstate
from organization.models import PolicySettings, Role, User
from organization.services import notify_on_commit
from suixi_monitor.exceptions import ApplicationError, ConflictError
from suixi_monitor.services import save_with_actor

from ..models import (
    ExitCase,
    ExitState,
    ReReview,
    SpotCheck,
    SpotCheckItem,
    TownRound,
    TownRoundState,
)
from .exit_rounds import lock_town_round

MSG_COUNTY_ONLY = "抽查评估由县扶贫局办理（三(九)）"
MSG_RE_REVIEW_RIGHT = "重新审核认定由该户所在镇（园区）办理，县扶贫局也可办理（三(九)）"
SEED_MAX_LENGTH = 64
Verdict = SpotCheckItem.Verdict


def sample_size(*, population: int, percent: int, minimum: int) -> int:
    """三(九) 抽查: ``percent`` of the filed exits rounded up, at least ``minimum``, all if fewer."""
    return min(population, max(minimum, math.ceil(percent * population / 100)))


def draw(seed: str, case_ids: list[int], size: int) -> list[int]:
    """The sample, in draw order: the same seed on the same list draws the same households."""
    return random.Random(seed).sample(sorted(case_ids), size)


def _require_county(actor: User) -> None:
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(MSG_COUNTY_ONLY)


def _county_and_town_q(town_id: int) -> Q:
    return Q(role=Role.COUNTY_BUREAU) | Q(role=Role.TOWN_OFFICIAL, town_id=town_id)


def _state_conflict(message: str, state: str) -> ConflictError:
    return ConflictError(message, extra={"state": state})


# --- the draw -------------------------------------------------------------------------


def _clean_seed(seed: str | None) -> str:
    seed = (seed or "").strip()
    if len(seed) > SEED_MAX_LENGTH:
        raise ValidationError({"seed": f"抽样种子最多{SEED_MAX_LENGTH}个字符"})
    # Written down and shown, so that anyone can draw the same sample again.
    return seed or secrets.token_hex(8)


def spot_check_draw(*, actor: User, town_round: TownRound, seed: str | None = None) -> SpotCheck:
    """Draw the sample of the town's filed exits of the round (三(九) 抽查评估).

    Only once the town's round is closed (every exit done) and has filed exits; the exits
    are listed in id order and drawn with ``random.Random(seed).sample``. Once drawn the
    sample is fixed: a second draw answers 409.
    """
    _require_county(actor)
    seed = _clean_seed(seed)
    with transaction.atomic():
        town_round = lock_town_round(town_round)
        if SpotCheck.objects.filter(town_round=town_round).exists():
            raise _state_conflict("该镇本批次已抽样，样本一经抽取不再变更", town_round.state)
        if town_round.state != TownRoundState.CLOSED:
            raise _state_conflict(
                f"该镇本批次{town_round.get_state_display()}，须全部办结后才能抽查",
                town_round.state,
            )
        case_ids = list(
            town_round.exit_cases.filter(state=ExitState.FILED).values_list("pk", flat=True)
        )
        if not case_ids:
            raise ApplicationError("该镇本批次没有已备案退出的户，无需抽查", field="town_round")
        policy = PolicySettings.for_year(town_round.round.year)
        size = sample_size(
            population=len(case_ids),
            percent=policy.spot_check_percent,
            minimum=policy.spot_check_min,
        )
        spot_check = SpotCheck(
            town_round=town_round,
            seed=seed,
            population=len(case_ids),
            sample_size=size,
            drawn_by=actor,
        )
        save_with_actor(spot_check, actor=actor, reason="抽样")
        for position, case_id in enumerate(draw(seed, case_ids, size), start=1):
            item = SpotCheckItem(spot_check=spot_check, exit_case_id=case_id, position=position)
            save_with_actor(item, actor=actor)
    return spot_check


# --- verdicts -------------------------------------------------------------------------


def _check_verdict(verdict: str, wrong_reason: str) -> None:
    if verdict not in (Verdict.CORRECT, Verdict.WRONG):
        raise ValidationError({"verdict": "请选择抽查结论：退出准确或错误退出"})
    if verdict == Verdict.WRONG and wrong_reason not in SpotCheckItem.WrongReason.values:
        raise ValidationError({"wrong_reason": "错误退出须从列表中选择原因（三(九)）"})


def spot_check_record(
    *,
    actor: User,
    item: SpotCheckItem,
    verdict: str,
    wrong_reason: str = "",
    note: str = "",
    checked_on: datetime.date,
) -> SpotCheckItem:
    """A checker's verdict on one sampled household; it may be corrected until the check is
    closed (the history keeps every version)."""
    _require_county(actor)
    with transaction.atomic():
        item = SpotCheckItem.objects.select_for_update().get(pk=item.pk)
        spot_check = SpotCheck.objects.select_for_update().get(pk=item.spot_check_id)
        if spot_check.state != SpotCheck.State.OPEN:
            raise _state_conflict("抽查已完成，结论不能再修改", spot_check.state)
        _check_verdict(verdict, wrong_reason)
        drawn_on = timezone.localdate(spot_check.drawn_at)
        if checked_on > timezone.localdate():
            raise ValidationError({"checked_on": "抽查日期不能晚于今天"})
        if checked_on < drawn_on:
            raise ValidationError(
                {"checked_on": f"抽查日期不能早于抽样日期（{drawn_on:%Y-%m-%d}）"}
            )
        item.verdict = verdict
        item.wrong_reason = wrong_reason if verdict == Verdict.WRONG else ""
        item.note = (note or "").strip()
        item.checked_on = checked_on
        item.checked_by = actor
        save_with_actor(item, actor=actor)
    return item


def spot_check_close(*, actor: User, spot_check: SpotCheck) -> SpotCheck:
    """Close the check when every sampled household has a verdict, keeping the rate and the
    limit of that day. 三(九) "错退率超过2%": strictly above the limit sends the town's round
    to re-review (exactly the limit passes); the town and the county are told either way."""
    _require_county(actor)
    with transaction.atomic():
        spot_check = SpotCheck.objects.select_for_update().get(pk=spot_check.pk)
        if spot_check.state != SpotCheck.State.OPEN:
            raise _state_conflict("抽查已完成", spot_check.state)
        items = spot_check.items.all()
        pending = items.filter(verdict=Verdict.PENDING).count()
        if pending:
            raise ApplicationError(f"还有{pending}户未录入抽查结论，不能完成抽查", field="items")
        town_round = lock_town_round(spot_check.town_round)
        limit = PolicySettings.for_year(town_round.round.year).wrong_exit_limit
        spot_check.close(
            at=timezone.now(),
            wrong=items.filter(verdict=Verdict.WRONG).count(),
            checked=items.count(),
            limit=limit,
        )
        save_with_actor(spot_check, actor=actor, reason="抽查完成")
        result = (
            f"{town_round.town}{town_round.round.label}抽查完成：错退{spot_check.wrong_count}户"
            f"/抽查{spot_check.checked_count}户，错退率{spot_check.rate}%"
        )
        if spot_check.over_limit:
            town_round.require_re_review(at=timezone.now())
            save_with_actor(town_round, actor=actor, reason=f"错退率超过{limit}%，重新审核认定")
            result += f"，超过{limit}%，须对本批次退出户重新审核认定（三(九)）"
        else:
            result += f"，未超过{limit}%"
        notify_on_commit(
            recipients=_county_and_town_q(town_round.town_id),
            message=result,
            url=reverse("identification:spot_check", args=[spot_check.pk]),
        )
    return spot_check


# --- 重新审核认定 ---------------------------------------------------------------------


def _lock_for_re_review(actor: User, case: ExitCase) -> tuple[ExitCase, TownRound]:
    if actor.role not in (Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU):
        raise PermissionDenied(MSG_RE_REVIEW_RIGHT)
    case = ExitCase.objects.select_for_update().get(pk=case.pk)
    if not Household.objects.filter(household_scope_q(actor), pk=case.household_id).exists():
        raise PermissionDenied(MSG_RE_REVIEW_RIGHT)
    town_round = lock_town_round(case.town_round)
    if town_round.state != TownRoundState.RE_REVIEW:
        raise _state_conflict(
            f"该镇本批次{town_round.get_state_display()}，不在重新审核认定中", town_round.state
        )
    if case.state != ExitState.FILED or case.re_review:
        done = case.get_re_review_display() if case.re_review else case.get_state_display()
        raise _state_conflict(f"该户已{done}，不能再重新审核认定", case.state)
    return case, town_round


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写重新审核认定意见"})
    return reason


def _finish_when_done(town_round: TownRound, actor: User) -> None:
    """The round closes again when every filed exit of it is confirmed or reverted."""
    if town_round.exit_cases.filter(state=ExitState.FILED, re_review=ReReview.PENDING).exists():
        return
    town_round.finish_re_review(at=timezone.now())
    save_with_actor(town_round, actor=actor, reason="重新审核认定完成")
    notify_on_commit(
        recipients=_county_and_town_q(town_round.town_id),
        message=f"{town_round.town}{town_round.round.label}已完成重新审核认定（三(九)）",
        url=reverse("identification:re_review", args=[town_round.pk]),
    )


def exit_case_confirm(*, actor: User, case: ExitCase, reason: str) -> ExitCase:
    """三(九) 重新审核认定: the exit stands (the case stays filed, the answer is kept)."""
    reason = _reason(reason)
    with transaction.atomic():
        case, town_round = _lock_for_re_review(actor, case)
        case.confirm_exit(reason=reason)
        save_with_actor(case, actor=actor, reason="重新审核认定：维持退出")
        _finish_when_done(town_round, actor)
    return case


def exit_case_revert(*, actor: User, case: ExitCase, reason: str) -> ExitCase:
    """三(九) 重新审核认定: the exit was wrong. The subject is monitored again and the plan and
    measures its exit closed run again (the registry tells help); refused (409) when the
    household has been identified again meanwhile."""
    reason = _reason(reason)
    with transaction.atomic():
        case, town_round = _lock_for_re_review(actor, case)
        case.revert(at=timezone.now(), reason=reason)
        save_with_actor(case, actor=actor, reason="重新审核认定：撤销退出")
        monitoring_subject_reinstate(actor=actor, subject=case.subject, reason=reason)
        _finish_when_done(town_round, actor)
    return case
