"""The exit pages (三(九)): the list, a case with its steps and timeline, each step's form, the
village's proposals from its subjects with the conditions shown, the town's evaluation
meeting for several cases at once. Thin: selectors read, services write, and the exit
permission table decides which buttons a user is offered."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from households.models import MonitoringSubject
from households.selectors import kept_village_scope_q
from organization.models import PolicySettings, Role
from organization.selectors import village_list
from suixi_monitor.forms import conflict_message, run_action, run_service

from .. import exit_forms as forms
from .. import forms as case_forms
from .. import selectors, services
from ..exit_conditions import exit_conditions
from ..models import EXIT_STEP_ORDER, ExitCase, ExitState, Objection, Publicity, TownRound
from ..selectors import exits as exit_selectors
from ..services import exit_permissions as steps
from ..services.exit_permissions import EXITS
from .steps import _step

NAV = {"nav_active": "exits"}
PROCEDURE = [(value, ExitState(value).label) for value in EXIT_STEP_ORDER]


def _crumbs(*items) -> list[tuple[str, str]]:
    return [("退出", reverse("exits:list")), *items]


def _case(request, pk: int) -> ExitCase:
    try:
        return exit_selectors.exit_case_get(user=request.user, pk=pk)
    except ExitCase.DoesNotExist:
        raise Http404 from None


def _exit_step(request, case, form, run, **kwargs):
    return _step(
        request, case, form, run, detail="exits:detail", trail=_crumbs, **{**NAV, **kwargs}
    )


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    danger: bool = False


BUTTONS: dict[str, tuple[str, bool]] = {
    "verify": ("录入入户核实", False),
    "evaluate": ("镇评估会议", False),
    "publicize": ("开始镇公示", False),
    "objection_lodge": ("登记异议", False),
    "conclude": ("公示期满，结束公示", False),
    "file": ("县备案", False),
    "return": ("退回村级", True),
    "withdraw": ("撤回退出申报", True),
}


def exit_actions(case: ExitCase, user, *, conclude_ready: bool) -> list[Action]:
    """The buttons of the steps ``user`` may take now (the exit permission table)."""
    return [
        Action(step.name, *BUTTONS[step.name])
        for step in EXITS.steps_now(case, user.role)
        if step.name in BUTTONS and (step.name != "conclude" or conclude_ready)
    ]


# --- lists --------------------------------------------------------------------------------


@login_required
def exit_list(request):
    villages = village_list(user=request.user)
    form = forms.ExitFilterForm(request.GET or None, villages=villages)
    data = form.cleaned_data if form.is_valid() else {}
    filters = exit_selectors.ExitFilters(
        round=data.get("round"),
        village=data.get("village"),
        state=data.get("state") or "",
        q=data.get("q") or "",
    )
    qs = exit_selectors.exit_case_list(user=request.user, filters=filters).order_by(
        "state_changed_at", "pk"
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "identification/exits/list.html",
        {
            **NAV,
            "form": form,
            "page": page,
            "open_objections": exit_selectors.exit_objection_list(
                user=request.user, open_only=True
            ),
            "can_decide": EXITS.may_take(request.user.role, steps.OBJECTION_DECIDE),
            "can_propose": EXITS.may_take(request.user.role, steps.PROPOSE),
            "can_evaluate": EXITS.may_take(request.user.role, steps.EVALUATE),
            "crumbs": _crumbs(("退出申报", "")),
        },
    )


@login_required
def exit_detail(request, pk: int):
    case = _case(request, pk)
    publicity = case.publicities.filter(outcome=Publicity.Outcome.RUNNING).first()
    today = timezone.localdate()
    objections = list(case.objections.select_related("lodged_by", "decided_by"))
    open_objection = any(o.status == Objection.Status.OPEN for o in objections)
    conclude_ready = bool(publicity and publicity.has_run_on(today) and not open_objection)
    return render(
        request,
        "identification/exits/detail.html",
        {
            **NAV,
            "case": case,
            "procedure": PROCEDURE,
            "timeline": exit_selectors.exit_timeline(case),
            "actions": exit_actions(case, request.user, conclude_ready=conclude_ready),
            "publicity": publicity,
            "publicity_ran": bool(publicity and publicity.has_run_on(today)),
            "open_objection": open_objection,
            "objections": objections,
            "can_decide": EXITS.may_take(request.user.role, steps.OBJECTION_DECIDE),
            "crumbs": _crumbs((f"{case.household.head_name}户", "")),
        },
    )


# --- the village's proposals ------------------------------------------------------------------


@login_required
def exit_propose_list(request):
    """The village's monitored subjects with each exit condition (三(九)) as it stands today."""
    if not EXITS.may_take(request.user.role, steps.PROPOSE):
        raise PermissionDenied("村级上报拟退出须由村防贫监测员办理")
    today = timezone.localdate()
    town_id = request.user.village.town_id if request.user.village_id else None
    return render(
        request,
        "identification/exits/propose_list.html",
        {
            **NAV,
            "rows": exit_selectors.proposable_subjects(user=request.user, on=today),
            "town_round": exit_selectors.open_town_round(town_id=town_id, on=today)
            if town_id
            else None,
            "policy": PolicySettings.current(),
            "crumbs": _crumbs(("上报拟退出", "")),
        },
    )


@login_required
def exit_propose(request, subject_pk: int):
    subject = get_object_or_404(
        MonitoringSubject.objects.filter(kept_village_scope_q(request.user)),
        pk=subject_pk,
    )
    form = forms.ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = run_service(
            form, services.exit_propose, actor=request.user, subject=subject, **form.cleaned_data
        )
        if case is not None:
            messages.success(request, "已上报拟退出，请组织入户核实")
            return redirect("exits:detail", case.pk)
    today = timezone.localdate()
    return render(
        request,
        "identification/exits/propose_form.html",
        {
            **NAV,
            "subject": subject,
            "form": form,
            "conditions": exit_conditions(subject, today),
            "crumbs": _crumbs(
                ("上报拟退出", reverse("exits:propose_list")),
                (f"{subject.household.head_name}户", ""),
            ),
        },
    )


# --- steps --------------------------------------------------------------------------------


@login_required
def exit_verify(request, pk: int):
    case = _case(request, pk)
    candidates = selectors.team_candidates(user=request.user, household=case.household)
    form = forms.ExitVerifyForm(request.POST or None, candidates=candidates, actor=request.user)

    def run():
        team = form.team()
        if form.errors:
            return
        services.exit_verify(actor=request.user, case=case, team=team, **form.step_data())

    policy = PolicySettings.current()
    return _exit_step(
        request,
        case,
        form,
        run,
        title="入户核实",
        template="identification/exits/verify_form.html",
        done="入户核实已录入，待镇评估",
        rule=f"三(九)：核实组不少于{policy.home_check_team_min}人；人均纯收入不低于"
        f"{policy.income_line}元，义务教育、基本医疗、住房安全和饮水安全均有保障，"
        "并核实帮扶措施落实情况。风险未消除的，请退回或撤回。",
    )


@login_required
def exit_evaluate_rounds(request):
    """The town's rounds with verified cases waiting for its evaluation meeting."""
    if not EXITS.may_take(request.user.role, steps.EVALUATE):
        raise PermissionDenied("镇评估须由镇（园区）干部办理")
    rounds = exit_selectors.town_rounds_to_evaluate(user=request.user)
    if len(rounds) == 1:
        return redirect("exits:evaluate", rounds[0].pk)
    return render(
        request,
        "identification/exits/evaluate_rounds.html",
        {**NAV, "rounds": rounds, "crumbs": _crumbs(("镇评估", ""))},
    )


@login_required
def exit_evaluate(request, town_round_pk: int):
    """三(九) 镇组织评估: one meeting, a result for each verified case of the round."""
    if not EXITS.may_take(request.user.role, steps.EVALUATE):
        raise PermissionDenied("镇评估须由镇（园区）干部办理")
    town_round = get_object_or_404(
        TownRound.objects.select_related("round", "town").filter(town_id=request.user.town_id or 0),
        pk=town_round_pk,
    )
    cases = exit_selectors.evaluable_cases(user=request.user, town_round=town_round)
    form = forms.EvaluateForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        results = [
            services.EvaluationResult(case=case, passed=passed, reason=reason)
            for case, passed, reason in form.results()
        ]
        if not results:
            form.add_error(None, "请至少评估一户")
        else:
            run_service(
                form,
                services.exit_evaluate,
                actor=request.user,
                town_round=town_round,
                results=results,
                held_on=form.cleaned_data["held_on"],
                present=form.cleaned_data["present"],
                note=form.cleaned_data["note"],
            )
            if conflict := conflict_message(form):
                messages.error(request, conflict)
                return redirect("exits:evaluate", town_round.pk)
            if not form.errors:
                messages.success(request, f"评估会议已录入（{len(results)}户）")
                return redirect(f"{reverse('exits:list')}?round={town_round.round_id}")
    return render(
        request,
        "identification/exits/evaluate_form.html",
        {
            **NAV,
            "town_round": town_round,
            "form": form,
            "crumbs": _crumbs(
                ("镇评估", reverse("exits:evaluate_rounds")), (str(town_round.round), "")
            ),
        },
    )


@login_required
def exit_publicize(request, pk: int):
    case = _case(request, pk)
    policy = PolicySettings.current()
    form = forms.ExitPublicizeForm(
        request.POST or None, initial={"days": policy.exit_publicity_days}
    )
    return _exit_step(
        request,
        case,
        form,
        lambda: services.exit_publicize(actor=request.user, case=case, **form.cleaned_data),
        title="镇公示",
        done="退出镇公示已开始",
        rule=f"三(九)：镇组织评估公示，公示不少于{policy.exit_publicity_days}天；"
        "期满无异议由系统自动报县备案，公示期间可登记异议。",
    )


@login_required
@require_POST
def exit_conclude(request, pk: int):
    case = _case(request, pk)
    if run_action(request, services.publicity_conclude, case=case, actor=request.user):
        messages.success(request, "公示已结束，待县备案")
    return redirect("exits:detail", case.pk)


@login_required
def exit_file(request, pk: int):
    case = _case(request, pk)
    form = forms.ExitFileForm(request.POST or None)
    return _exit_step(
        request,
        case,
        form,
        lambda: services.exit_file(actor=request.user, case=case, **form.cleaned_data),
        title="县备案",
        done="已备案退出，该户标注风险消除",
        rule="三(九)：报县扶贫局备案。备案之日标注风险消除，帮扶方案关闭，针对性帮扶措施停止"
        "（小额信贷、公益性岗位、雨露计划等退出后继续执行的措施除外）。",
    )


def _reason_step(service, *, title: str, done: str, rule: str):
    """A step that takes only a reason: return to the village, withdraw."""

    @login_required
    def view(request, pk: int):
        case = _case(request, pk)
        form = case_forms.ReasonForm(request.POST or None)
        return _exit_step(
            request,
            case,
            form,
            lambda: service(actor=request.user, case=case, **form.cleaned_data),
            title=title,
            done=done,
            rule=rule,
        )

    return view


exit_return = _reason_step(
    services.exit_return,
    title="退回村级",
    done="已退回村级",
    rule="退回后由村级重新入户核实；退回环节和原因记入办理记录。",
)
exit_withdraw = _reason_step(
    services.exit_withdraw,
    title="撤回退出申报",
    done="退出申报已撤回，该户继续监测",
    rule="撤回后退出申报终止，该户继续作为监测对象；以后的批次仍可重新上报。",
)


@login_required
def exit_objection_lodge(request, pk: int):
    try:
        case = exit_selectors.exit_case_get(user=request.user, pk=pk)
    except ExitCase.DoesNotExist:
        # The town publicity is posted for the town (三(九) 公示): a user of the town may
        # object to a case publicised to them though it stays outside their scope.
        case = get_object_or_404(exit_selectors.exit_objectable_list(user=request.user), pk=pk)
    form = case_forms.ObjectionForm(request.POST or None)
    return _exit_step(
        request,
        case,
        form,
        lambda: services.objection_lodge(actor=request.user, case=case, **form.cleaned_data),
        title="登记公示异议",
        done="异议已登记，待镇处理；异议处理前公示不能结束",
        rule="公示期间收到的异议须登记；异议成立的，退回村级重新入户核实。",
    )


@login_required
def exit_objection_decide(request, pk: int):
    try:
        objection = exit_selectors.exit_objection_list(user=request.user).get(pk=pk)
    except Objection.DoesNotExist:
        raise Http404 from None
    form = case_forms.ObjectionDecisionForm(request.POST or None)
    form.fields["decision"].choices = [
        ("dismiss", "异议不成立，继续公示"),
        ("uphold", "异议成立，退回村级重新入户核实"),
    ]

    def run():
        service = (
            services.objection_uphold
            if form.cleaned_data["decision"] == "uphold"
            else services.objection_dismiss
        )
        service(actor=request.user, objection=objection, reason=form.cleaned_data["reason"])

    return _exit_step(
        request,
        objection.exit_case,
        form,
        run,
        title="处理公示异议",
        done="异议已处理",
        objection=objection,
        rule="异议成立的，退回村级重新入户核实，原有记录保留；异议不成立的须写明理由。",
    )


def household_exit_button(user, household):
    """The household page's link to its exit case: open, or the last one filed."""
    if user.role not in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}:
        return None
    case = household.exit_cases.order_by("-id").only("pk", "state").first()
    if case is None:
        return None
    label = (
        "退出备案记录"
        if case.state == ExitState.FILED
        else f"退出申报（{case.get_state_display()}）"
    )
    return (label, reverse("exits:detail", args=[case.pk]))
