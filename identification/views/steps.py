"""One form per step: parse, call the service, show a refused rule as a form error."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from households.models import Household, MonitoringSubject
from households.selectors import can_edit_registry, household_scope_q
from organization.audit import Kind as AuditKind
from organization.audit import record_access
from organization.models import PolicySettings
from suixi_monitor.exceptions import ConflictError
from suixi_monitor.forms import conflict_message, run_action, run_service

from .. import downloads, forms, notices, selectors, services
from ..models import IdentificationCase, Objection
from ..models.case import OPEN_STATES
from ..services import permissions
from .cases import NAV, _case, _crumbs

# --- steps -------------------------------------------------------------------------


def _step(
    request,
    case: IdentificationCase,
    form,
    run: Callable[[], object],
    *,
    title: str = "",
    step: str = "",
    template: str = "identification/step_form.html",
    done: str = "已保存",
    detail: str = "identification:detail",
    trail=_crumbs,
    **context,
):
    """A step's page: the form, the service run on a valid POST, back to the case's page.
    ``step`` names the identification step: a step the case's procedure does not have goes
    back to the case page with the refusal, and the page is titled as the procedure names it.
    ``detail`` and ``trail`` name the case page and the breadcrumbs of an exit case."""
    if step:
        try:
            title = title or permissions.case_step(case, step)[1].title
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect(detail, case.pk)
    if request.method == "POST" and form.is_valid():
        run_service(form, run)
        if conflict := conflict_message(form):
            # The case moved on meanwhile: its page shows where it stands now.
            messages.error(request, conflict)
            return redirect(detail, case.pk)
        if not form.errors:
            messages.success(request, done)
            return redirect(detail, case.pk)
    case_url = reverse(detail, args=[case.pk])
    return render(
        request,
        template,
        {
            **NAV,
            "case": case,
            "form": form,
            "title": title,
            "back_url": case_url,
            "crumbs": trail((f"{case.household.head_name}户", case_url), (title, "")),
            **context,
        },
    )


def _policy():
    return PolicySettings.current()


@login_required
def case_apply(request, household_pk: int):
    household = get_object_or_404(
        Household.objects.filter(household_scope_q(request.user)), pk=household_pk
    )
    if not can_edit_registry(request.user, household):
        raise PermissionDenied
    # The form offers the consent (承诺授权) where this year's procedure asks for it; the
    # service judges by the year of the application date.
    procedure = permissions.PROCEDURES[_policy().identification_procedure]
    form = forms.ApplyForm(
        request.POST or None,
        request.FILES or None,
        household=household,
        consent=procedure.step("consent") is not None,
        initial=forms.ApplyForm.prefill(request.GET) if request.method == "GET" else None,
    )
    if request.method == "POST" and form.is_valid():
        case = run_service(
            form, services.case_apply, actor=request.user, household=household, **form.cleaned_data
        )
        if case is not None:
            messages.success(request, "识别申请已登记，请组织入户核查")
            return redirect("identification:detail", case.pk)
    return render(
        request,
        "identification/apply_form.html",
        {
            **NAV,
            "household": household,
            "form": form,
            "in_scope": household.in_identification_scope(),
            "verdict": household.identification_scope(),
            # The other refusals of 三(七)1, shown before the form is filled in.
            "open_case": household.identification_cases.filter(state__in=OPEN_STATES).first(),
            "monitored": household.monitoring_subjects.filter(
                status=MonitoringSubject.Status.MONITORING
            ).exists(),
            "title": "户申请",
            "procedure": procedure,
            "crumbs": _crumbs(
                (f"{household.head_name}户", reverse("households:detail", args=[household.pk])),
                ("户申请", ""),
            ),
        },
    )


@login_required
def case_verify(request, pk: int):
    case = _case(request, pk)
    candidates = selectors.team_candidates(user=request.user, household=case.household)
    form = forms.VerifyForm(request.POST or None, candidates=candidates, actor=request.user)

    def run():
        team = form.team()
        if form.errors:
            return
        services.case_verify(actor=request.user, case=case, team=team, **form.step_data())

    today = timezone.localdate()
    return _step(
        request,
        case,
        form,
        run,
        step="verify",
        template="identification/verify_form.html",
        done="村初核已录入",
        preview=selectors.criteria_preview(case.household, today),
        policy=_policy(),
    )


@login_required
def case_deliberate(request, pk: int):
    case = _case(request, pk)
    form = forms.DeliberateForm(request.POST or None, case=case)
    policy = _policy()
    return _step(
        request,
        case,
        form,
        lambda: services.case_record_deliberation(
            actor=request.user, case=case, **form.cleaned_data
        ),
        step="deliberate",
        template="identification/deliberate_form.html",
        done="组评议已录入",
        policy=policy,
        quorum=selectors.fraction_label(policy.quorum_numerator, policy.quorum_denominator),
        share=selectors.fraction_label(policy.pass_numerator, policy.pass_denominator),
    )


@login_required
def case_deliberate_village(request, pk: int):
    """Anhui 2024 民主评议: one meeting at the village, quorum and votes as 三(七)3."""
    case = _case(request, pk)
    form = forms.DeliberateForm(request.POST or None, case=case, village=True)
    policy = _policy()
    return _step(
        request,
        case,
        form,
        lambda: services.case_record_village_deliberation(
            actor=request.user, case=case, **form.cleaned_data
        ),
        step="deliberate_village",
        template="identification/deliberate_form.html",
        done="民主评议已录入",
        policy=policy,
        village_meeting=True,
        quorum=selectors.fraction_label(policy.quorum_numerator, policy.quorum_denominator),
        share=selectors.fraction_label(policy.pass_numerator, policy.pass_denominator),
    )


@login_required
def case_consent(request, pk: int):
    """Anhui 2024 承诺授权: the household's signed consent, before the home check."""
    case = _case(request, pk)
    form = forms.ConsentForm(request.POST or None, request.FILES or None)
    return _step(
        request,
        case,
        form,
        lambda: services.case_record_consent(
            actor=request.user,
            case=case,
            signed_on=form.cleaned_data["consent_signed_on"],
            form=form.cleaned_data.get("consent_form"),
        ),
        step="consent",
        done="承诺授权已登记",
        rule=permissions.CONSENT.rule,
    )


@login_required
def consent_form_download(request, pk: int):
    """The scan of a case's signed consent, to those who see the case; each look is logged."""
    case = _case(request, pk)
    if not case.consent_form:
        raise Http404
    return downloads.consent_form_response(request, case)


@login_required
def case_compare(request, pk: int):
    case = _case(request, pk)
    # 三(七)4: the departments' records are the county's until it has fed the result back.
    if not selectors.may_see_comparison_data(request.user):
        raise PermissionDenied(selectors.MSG_HITS_BEFORE_COMPARISON)
    result = selectors.comparison_hits(case)
    if request.method == "GET":
        record_access(
            request,
            kind=AuditKind.COMPARISON,
            what=selectors.comparison_audit_label(case),
            rows=len(result.hits),
        )
    form = forms.CompareForm(request.POST or None, hits=result.hits)
    return _step(
        request,
        case,
        form,
        lambda: services.case_compare(
            actor=request.user,
            case=case,
            compared_on=form.cleaned_data["compared_on"],
            conclusion=form.cleaned_data["conclusion"],
            judgements=form.judgements(),
        ),
        step="compare",
        template="identification/compare_form.html",
        done="信息比对已完成，结果已反馈镇村",
        result=result,
        members=case.household.members.all(),
    )


@login_required
def case_publicize_village(request, pk: int):
    case = _case(request, pk)
    form = forms.PublicizeVillageForm(request.POST or None)
    policy = _policy()
    return _step(
        request,
        case,
        form,
        lambda: services.case_publicize_village(actor=request.user, case=case, **form.cleaned_data),
        step="publicize_village",
        done="村公示已开始",
        rule=(
            f"民主评议通过后，村两委研究确定，在村内公示{policy.village_publicity_days}日；"
            "公示期间由县扶贫局进行信息比对，比对结果录入且期满无异议后由系统自动上报乡镇审核。"
            if case.procedure_definition.compares_during_publicity
            else f"三(七)5：村两委根据比对结果研究确定，在村内公示{policy.village_publicity_days}日；"
            "公示天数从登记的开始日期起算，期满无异议由系统自动上报到镇。"
        ),
        comparison=case.comparisons.prefetch_related(
            "hits__member", "hits__dataset", "datasets"
        ).first(),
    )


@login_required
def case_approve_town(request, pk: int):
    case = _case(request, pk)
    form = forms.ApproveTownForm(request.POST or None)
    policy = _policy()
    form.fields["publicity_days"].initial = policy.town_publicity_days
    return _step(
        request,
        case,
        form,
        lambda: services.case_approve_town(actor=request.user, case=case, **form.cleaned_data),
        step="approve_town",
        done="镇审定已录入",
        rule=f"三(七)6：镇领导小组会议审定（会议日期不早于村公示期满之日），审定通过后公示不少于"
        f"{policy.town_publicity_days}天；对情况存在疑问的，请及时组织复核。",
        comparison=case.comparisons.prefetch_related(
            "hits__member", "hits__dataset", "datasets"
        ).first(),
    )


@login_required
def case_review_town(request, pk: int):
    """Anhui 2024 乡镇审核: after the village publicity; no town publicity follows."""
    case = _case(request, pk)
    form = forms.ReviewTownForm(request.POST or None)
    return _step(
        request,
        case,
        form,
        lambda: services.case_review_town(actor=request.user, case=case, **form.cleaned_data),
        step="review_town",
        done="乡镇审核已录入",
        rule=permissions.REVIEW_TOWN.rule,
        comparison=case.comparisons.prefetch_related(
            "hits__member", "hits__dataset", "datasets"
        ).first(),
    )


@login_required
def case_approve_county(request, pk: int):
    """Anhui 2024 县级审定公告: the monitoring subject and the numbered announcement."""
    case = _case(request, pk)
    form = forms.ApproveCountyForm(
        request.POST or None, initial={"risk_types": list(case.risk_types.all())}
    )
    return _step(
        request,
        case,
        form,
        lambda: services.case_approve_county(actor=request.user, case=case, **form.cleaned_data),
        step="approve_county",
        done="已审定公告并纳入监测对象",
        rule=permissions.APPROVE_COUNTY.rule,
    )


@login_required
def case_file(request, pk: int):
    case = _case(request, pk)
    form = forms.FileForm(request.POST or None, initial={"risk_types": list(case.risk_types.all())})
    return _step(
        request,
        case,
        form,
        lambda: services.case_file(actor=request.user, case=case, **form.cleaned_data),
        step="file",
        done="已备案并纳入监测对象",
        rule="三(七)7：镇公示期满无异议后县扶贫局备案，纳入监测对象并发布公告（公告号按年度顺序编号）。",
    )


@login_required
def case_reject(request, pk: int):
    case = _case(request, pk)
    form = forms.ReasonForm(request.POST or None)
    return _step(
        request,
        case,
        form,
        lambda: services.case_reject(actor=request.user, case=case, **form.cleaned_data),
        step="reject",
        title="不予通过",
        done="已作不予通过处理",
        rule="不予通过后申请终止，当前环节和原因记入办理记录。",
    )


@login_required
def case_withdraw(request, pk: int):
    case = _case(request, pk)
    form = forms.ReasonForm(request.POST or None)
    return _step(
        request,
        case,
        form,
        lambda: services.case_withdraw(actor=request.user, case=case, **form.cleaned_data),
        step="withdraw",
        title="农户撤回申请",
        done="申请已撤回",
        rule="农户书面申请撤回后申请终止；以后仍可重新申请。",
    )


@login_required
@require_POST
def case_conclude(request, pk: int):
    case = _case(request, pk)
    if run_action(request, services.publicity_conclude, case=case, actor=request.user):
        messages.success(request, "公示已结束，转入下一环节")
    return redirect("identification:detail", case.pk)


@login_required
def objection_lodge(request, pk: int):
    try:
        case = selectors.case_get(user=request.user, pk=pk)
    except IdentificationCase.DoesNotExist:
        return _objection_lodge_from_notice(request, pk)
    form = forms.ObjectionForm(request.POST or None)
    return _step(
        request,
        case,
        form,
        lambda: services.objection_lodge(actor=request.user, case=case, **form.cleaned_data),
        title="登记公示异议",
        done="异议已登记，待镇处理；异议处理前公示不能结束",
        rule="公示期间收到的异议须登记；异议未处理前公示不能结束。异议成立的退回重新入户核查（复核）。",
    )


def _objection_lodge_from_notice(request, pk: int):
    """A user of the town lodges an objection to a case publicised to them (三(七)5/6).

    The case is outside their scope, so the page shows only the masked notice row
    and leads back to the 本镇公示中 list, never to the case page (404 for them).
    """
    try:
        case = selectors.publicity_rows(user=request.user).get(pk=pk)
    except IdentificationCase.DoesNotExist:
        raise Http404 from None
    form = forms.ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run_service(
                form, services.objection_lodge, actor=request.user, case=case, **form.cleaned_data
            )
            over = conflict_message(form) is not None
        except IdentificationCase.DoesNotExist:  # no longer publicised to this user
            over = True
        if over:
            messages.error(request, "该户的公示已结束，不能再提出异议")
            return redirect("identification:publicity")
        if not form.errors:
            messages.success(request, "异议已登记，待镇处理；异议处理前公示不能结束")
            return redirect("identification:publicity")
    return render(
        request,
        "identification/objection_public_form.html",
        {
            **NAV,
            "row": notices.publicity_row(case),
            "form": form,
            "crumbs": _crumbs(
                ("本镇公示中", reverse("identification:publicity")), ("提出异议", "")
            ),
        },
    )


@login_required
def publicity_list(request):
    """本镇公示中: every case publicised to the user, as the printed notices show it."""
    rows = [
        (case.pk, notices.publicity_row(case))
        for case in selectors.publicity_rows(user=request.user)
    ]
    return render(
        request,
        "identification/publicity_list.html",
        {**NAV, "rows": rows, "crumbs": _crumbs(("本镇公示中", ""))},
    )


@login_required
def objection_decide(request, pk: int):
    try:
        objection = selectors.objection_get(user=request.user, pk=pk)
    except Objection.DoesNotExist:
        raise Http404 from None
    case = objection.case
    form = forms.ObjectionDecisionForm(request.POST or None)

    def run():
        service = (
            services.objection_uphold
            if form.cleaned_data["decision"] == "uphold"
            else services.objection_dismiss
        )
        service(actor=request.user, objection=objection, reason=form.cleaned_data["reason"])

    return _step(
        request,
        case,
        form,
        run,
        title="处理公示异议",
        done="异议已处理",
        objection=objection,
        rule="异议成立的，申请退回“已申请”重新入户核查（复核），原有记录保留；异议不成立的须写明理由。",
    )
