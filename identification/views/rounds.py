"""Pages of the exit rounds (三(十)), the county's spot check and the town's re-review (三(九)).

The county opens rounds, draws and records spot checks and reads the rates; a town reads its
own part of each round, its spot check's result, and re-reviews a round sent back to it.
Every read goes through the scoped selectors: another scope's round, check or case is 404.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from organization.models import Role
from suixi_monitor.forms import conflict_message, run_action, run_service

from .. import forms, services
from ..models import ReReview, SpotCheck, TownRoundState
from ..selectors import exit_rounds as selectors

NAV = {"nav_active": "exit_rounds"}
OFFICES = (Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL)


def _require_office(request) -> None:
    """These pages are the county's and the towns' (三(九)); others have none."""
    if request.user.role not in OFFICES:
        raise PermissionDenied


def _get(selector, request, pk):
    try:
        return selector(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def _crumbs(*items) -> list[tuple[str, str]]:
    return [("退出批次", reverse("identification:round_list")), *items]


def _form_errors(request, form) -> None:
    """A row's form posted from a list page: its refusal stands above the list."""
    messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))


def _render(request, template: str, context: dict):
    return render(request, f"identification/{template}", {**NAV, **context})


@login_required
def round_list(request):
    _require_office(request)
    form = forms.RoundOpenForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if request.user.role != Role.COUNTY_BUREAU:
            raise PermissionDenied
        if form.is_valid():
            exit_round = run_service(
                form, services.exit_round_open, actor=request.user, **form.cleaned_data
            )
            if exit_round is not None:
                messages.success(request, f"{exit_round.label}已开启")
                return redirect("identification:round_detail", exit_round.pk)
    rounds = list(selectors.exit_round_list(user=request.user))
    for exit_round in rounds:
        counts = Counter(town_round.state for town_round in exit_round.towns)
        exit_round.state_counts = [
            (label, counts[value]) for value, label in TownRoundState.choices if counts[value]
        ]
    return _render(
        request,
        "round_list.html",
        {
            "rounds": rounds,
            "form": form if request.user.role == Role.COUNTY_BUREAU else None,
            "crumbs": _crumbs(),
        },
    )


@login_required
def round_detail(request, pk: int):
    _require_office(request)
    exit_round = _get(selectors.exit_round_get, request, pk)
    rates = {
        row.town_round.pk: row
        for row in selectors.wrong_exit_rates(user=request.user, year=exit_round.year)
        if row.town_round.round_id == exit_round.pk
    }
    rows = [(town_round, rates.get(town_round.pk)) for town_round in exit_round.towns]
    return _render(
        request,
        "round_detail.html",
        {
            "round": exit_round,
            "rows": rows,
            "draw_form": forms.SpotCheckDrawForm(),
            "may_draw": request.user.role == Role.COUNTY_BUREAU,
            "crumbs": _crumbs((exit_round.label, "")),
        },
    )


@login_required
@require_POST
def spot_check_draw(request, pk: int):
    town_round = _get(selectors.town_round_get, request, pk)
    form = forms.SpotCheckDrawForm(request.POST)
    if form.is_valid():
        spot_check = run_service(
            form,
            services.spot_check_draw,
            actor=request.user,
            town_round=town_round,
            seed=form.cleaned_data["seed"],
        )
        if spot_check is not None:
            messages.success(
                request, f"已抽取{spot_check.sample_size}户，抽样种子 {spot_check.seed}"
            )
            return redirect("identification:spot_check", spot_check.pk)
    _form_errors(request, form)
    return redirect("identification:round_detail", town_round.round_id)


def _spot_check_page(request, spot_check: SpotCheck, *, failed=None):
    items = list(selectors.spot_check_items(spot_check))
    may_record = (
        request.user.role == Role.COUNTY_BUREAU and spot_check.state == SpotCheck.State.OPEN
    )
    for item in items:
        if failed is not None and failed[0] == item.pk:
            item.form = failed[1]
        elif may_record:
            item.form = forms.SpotCheckVerdictForm(
                initial={
                    "verdict": item.verdict or None,
                    "wrong_reason": item.wrong_reason,
                    "note": item.note,
                    "checked_on": item.checked_on or timezone.localdate(),
                },
                prefix=f"item{item.pk}",
            )
    town_round = spot_check.town_round
    return _render(
        request,
        "spot_check.html",
        {
            "check": spot_check,
            "items": items,
            "may_record": may_record,
            "pending": sum(1 for item in items if not item.verdict),
            "crumbs": _crumbs(
                (
                    town_round.round.label,
                    reverse("identification:round_detail", args=[town_round.round_id]),
                ),
                (f"{town_round.town}抽查", ""),
            ),
        },
    )


@login_required
def spot_check_detail(request, pk: int):
    _require_office(request)
    return _spot_check_page(request, _get(selectors.spot_check_get, request, pk))


@login_required
@require_POST
def spot_check_record(request, pk: int):
    item = _get(selectors.spot_check_item_get, request, pk)
    form = forms.SpotCheckVerdictForm(request.POST, prefix=f"item{item.pk}")
    if form.is_valid():
        run_service(
            form, services.spot_check_record, actor=request.user, item=item, **form.cleaned_data
        )
        if conflict := conflict_message(form):
            messages.error(request, conflict)
        elif not form.errors:
            messages.success(request, f"第{item.position}户抽查结论已保存")
            return redirect("identification:spot_check", item.spot_check_id)
    spot_check = selectors.spot_check_get(user=request.user, pk=item.spot_check_id)
    return _spot_check_page(request, spot_check, failed=(item.pk, form))


@login_required
@require_POST
def spot_check_close(request, pk: int):
    spot_check = _get(selectors.spot_check_get, request, pk)
    if run_action(request, services.spot_check_close, actor=request.user, spot_check=spot_check):
        spot_check.refresh_from_db()
        if spot_check.over_limit:
            messages.warning(request, "错退率超过上限，该镇本批次已转入重新审核认定（三(九)）")
        else:
            messages.success(request, "抽查已完成")
    return redirect("identification:spot_check", spot_check.pk)


@login_required
def rates(request):
    _require_office(request)
    year = request.GET.get("year", "")
    rows = selectors.wrong_exit_rates(
        user=request.user, year=int(year) if year.isdigit() and len(year) == 4 else None
    )
    return _render(
        request,
        "exit_rates.html",
        {"rows": rows, "year": year, "crumbs": _crumbs(("错退率", ""))},
    )


# --- 重新审核认定 ---------------------------------------------------------------------


@login_required
def re_review(request, pk: int):
    _require_office(request)
    town_round = _get(selectors.town_round_get, request, pk)
    cases = list(selectors.re_review_cases_of(user=request.user, town_round=town_round))
    open_ = town_round.state == TownRoundState.RE_REVIEW
    for case in cases:
        if open_ and case.state == "filed" and not case.re_review:
            case.form = forms.ReReviewForm(prefix=f"case{case.pk}")
    return _render(
        request,
        "re_review.html",
        {
            "town_round": town_round,
            "cases": cases,
            "progress": selectors.re_review_progress(town_round),
            "crumbs": _crumbs(
                (
                    town_round.round.label,
                    reverse("identification:round_detail", args=[town_round.round_id]),
                ),
                (f"{town_round.town}重新审核认定", ""),
            ),
        },
    )


@login_required
@require_POST
def re_review_decide(request, pk: int):
    case = _get(selectors.re_review_case_get, request, pk)
    form = forms.ReReviewForm(request.POST, prefix=f"case{case.pk}")
    if form.is_valid():
        decide = (
            services.exit_case_confirm
            if form.cleaned_data["decision"] == ReReview.CONFIRMED
            else services.exit_case_revert
        )
        if run_service(
            form, decide, actor=request.user, case=case, reason=form.cleaned_data["reason"]
        ):
            decision = ReReview(form.cleaned_data["decision"]).label
            messages.success(request, f"{case.household.head_name}户：{decision}")
            return redirect("identification:re_review", case.town_round_id)
    _form_errors(request, form)
    return redirect("identification:re_review", case.town_round_id)
