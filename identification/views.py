"""Pages of identification: queues, one form per step, the case with its timeline, notices.

Thin (STYLE.md rule 6): a view reads through a scoped selector (another
scope's case is 404), parses a form, calls the step's service, and shows a
refused rule as a form error and a wrong state as a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from households.models import Household
from households.selectors import can_edit_registry, household_scope_q
from organization.models import PolicySettings, Role
from organization.selectors import town_list, village_list
from suixi_monitor.exceptions import ApplicationError, ConflictError

from . import forms, notices, selectors, services, spreadsheets
from .models import CaseState, IdentificationCase, Objection, Publicity
from .models.case import OPEN_STATES, PUBLICIZING_STATES

NAV = {"nav_active": "identification"}
PROCEDURE = [
    (value, label)
    for value, label in CaseState.choices
    if value not in {CaseState.REJECTED, CaseState.WITHDRAWN}
]


def _case(request, pk: int) -> IdentificationCase:
    try:
        return selectors.case_get(user=request.user, pk=pk)
    except IdentificationCase.DoesNotExist:
        raise Http404 from None


def _crumbs(*items) -> list[tuple[str, str]]:
    return [("识别纳入", reverse("identification:list")), *items]


# --- what the user may do next -----------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    danger: bool = False

    def url(self, case: IdentificationCase) -> str:
        return reverse(f"identification:{self.name}", args=[case.pk])


def case_actions(case: IdentificationCase, user) -> list[Action]:
    role = user.role
    actions: list[Action] = []
    step = {
        (CaseState.APPLIED, Role.VILLAGE_MONITOR): Action("verify", "录入村初核"),
        (CaseState.COMPARED, Role.VILLAGE_MONITOR): Action("publicize_village", "村研究确定并公示"),
        (CaseState.TOWN_REVIEWING, Role.TOWN_OFFICIAL): Action("approve_town", "镇审定"),
        (CaseState.COUNTY_FILING, Role.COUNTY_BUREAU): Action("file", "县备案"),
        (CaseState.DELIBERATED, Role.COUNTY_BUREAU): Action("compare", "信息比对"),
    }.get((case.state, role))
    if step:
        actions.append(step)
    if case.state == CaseState.VERIFIED:
        required = services.deliberation_required(case)
        if required and role == Role.VILLAGE_MONITOR:
            actions.append(Action("deliberate", "录入组评议"))
        if not required and role == Role.COUNTY_BUREAU:
            actions.append(Action("compare", "信息比对"))
    if case.state in PUBLICIZING_STATES:
        actions.append(Action("objection_lodge", "登记异议"))
        if role in {Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}:
            actions.append(Action("conclude", "公示期满，结束公示"))
    if role in services.REJECT_ROLES.get(case.state, set()):
        actions.append(Action("reject", "不予通过", danger=True))
    if case.state in OPEN_STATES and role in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL}:
        actions.append(Action("withdraw", "农户撤回申请", danger=True))
    return actions


# --- lists -------------------------------------------------------------------------


QUEUES_BY_ROLE = {
    Role.VILLAGE_MONITOR: ["village", "publicizing", "open"],
    Role.TOWN_OFFICIAL: ["town", "publicizing", "open"],
    Role.COUNTY_BUREAU: ["compare", "filing", "publicizing", "open"],
    Role.HELPER: ["open"],
}


@login_required
def case_list(request):
    if request.user.role == Role.DEPARTMENT_STAFF:
        return redirect("identification:datasets")
    towns = town_list(user=request.user)
    form = forms.CaseFilterForm(request.GET or None, towns=towns)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.CaseFilters(
        q=data.get("q") or "",
        town=data.get("town"),
        state=data.get("state") or "",
        source=data.get("source") or "",
        overdue=data.get("overdue"),
        queue=data.get("queue") or "",
    )
    qs = selectors.case_list(user=request.user, filters=filters).order_by("state_changed_at", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    cutoff = selectors.overdue_cutoff()
    rows = [
        {
            "case": case,
            "days": selectors.days_waiting(case),
            "overdue": selectors.case_is_overdue(case, cutoff),
        }
        for case in page
    ]
    if request.user.role == Role.COUNTY_BUREAU:
        counts = selectors.hit_counts([row["case"] for row in rows])
        for row in rows:
            row["hits"] = counts[row["case"].pk]
    queues = [(key, selectors.QUEUES[key][0]) for key in QUEUES_BY_ROLE.get(request.user.role, [])]
    open_objections = selectors.objection_list(user=request.user, open_only=True)
    return render(
        request,
        "identification/case_list.html",
        {
            **NAV,
            "form": form,
            "page": page,
            "rows": rows,
            "queues": queues,
            "queue": filters.queue,
            "open_objections": open_objections if request.user.role != Role.VILLAGE_MONITOR else [],
            "overdue_days": PolicySettings.current().case_overdue_days,
            "crumbs": _crumbs(("识别申请", "")),
        },
    )


@login_required
def case_detail(request, pk: int):
    case = _case(request, pk)
    comparison = case.comparisons.prefetch_related("hits__member", "hits__dataset").first()
    return render(
        request,
        "identification/case_detail.html",
        {
            **NAV,
            "case": case,
            "procedure": PROCEDURE,
            "timeline": selectors.case_timeline(case),
            "actions": case_actions(case, request.user),
            "comparison": comparison,
            "publicity": case.publicities.filter(outcome=Publicity.Outcome.RUNNING).first(),
            "objections": case.objections.select_related("lodged_by", "decided_by"),
            "can_decide": request.user.role in {Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU},
            "overdue": selectors.case_is_overdue(case),
            "days": selectors.days_waiting(case),
            "today": timezone.localdate(),
            "crumbs": _crumbs((f"{case.household.head_name}户", "")),
        },
    )


# --- steps -------------------------------------------------------------------------


def _apply_errors(form, error: Exception) -> None:
    """A refused rule shows as a form error, on its field when the service named one."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    elif isinstance(error, ApplicationError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    else:
        form.add_error(None, error.messages)


def _step(
    request,
    case: IdentificationCase,
    form,
    run: Callable[[], object],
    *,
    title: str,
    template: str = "identification/step_form.html",
    done: str = "已保存",
    **context,
):
    if request.method == "POST" and form.is_valid():
        try:
            run()
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("identification:detail", case.pk)
        except (ApplicationError, ValidationError) as error:
            _apply_errors(form, error)
        else:
            if not form.errors:
                messages.success(request, done)
                return redirect("identification:detail", case.pk)
    return render(
        request,
        template,
        {
            **NAV,
            "case": case,
            "form": form,
            "title": title,
            "crumbs": _crumbs(
                (f"{case.household.head_name}户", reverse("identification:detail", args=[case.pk])),
                (title, ""),
            ),
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
    form = forms.ApplyForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_apply(actor=request.user, household=household, **form.cleaned_data)
        except ConflictError as error:
            form.add_error(None, error.message)
        except (ApplicationError, ValidationError) as error:
            _apply_errors(form, error)
        else:
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
            "title": "户申请",
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
        title="村初核（入户核查）",
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
        title="组评议",
        template="identification/deliberate_form.html",
        done="组评议已录入",
        policy=policy,
        quorum=selectors.fraction_label(policy.quorum_numerator, policy.quorum_denominator),
        share=selectors.fraction_label(policy.pass_numerator, policy.pass_denominator),
    )


@login_required
def case_compare(request, pk: int):
    case = _case(request, pk)
    result = selectors.comparison_hits(case)
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
        title="信息比对",
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
        title="村研究确定并公示",
        done="村公示已开始",
        rule=f"三(七)5：村两委根据比对结果研究确定，在村内公示{policy.village_publicity_days}日；"
        "公示天数从登记的开始日期起算，期满无异议由系统自动上报到镇。",
        comparison=case.comparisons.prefetch_related("hits__member", "hits__dataset").first(),
    )


@login_required
def case_approve_town(request, pk: int):
    case = _case(request, pk)
    form = forms.ApproveTownForm(request.POST or None)
    policy = _policy()
    return _step(
        request,
        case,
        form,
        lambda: services.case_approve_town(actor=request.user, case=case, **form.cleaned_data),
        title="镇审定",
        done="镇审定已录入",
        rule=f"三(七)6：镇领导小组会议审定（会议日期不早于村公示期满之日），审定通过后公示不少于"
        f"{policy.town_publicity_days}天；对情况存在疑问的，请及时组织复核。",
        comparison=case.comparisons.prefetch_related("hits__member", "hits__dataset").first(),
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
        title="县备案",
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
        title="农户撤回申请",
        done="申请已撤回",
        rule="农户书面申请撤回后申请终止；以后仍可重新申请。",
    )


@login_required
@require_POST
def case_conclude(request, pk: int):
    case = _case(request, pk)
    try:
        services.publicity_conclude(case=case, actor=request.user)
    except PermissionDenied:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "公示已结束，转入下一环节")
    return redirect("identification:detail", case.pk)


@login_required
def objection_lodge(request, pk: int):
    case = _case(request, pk)
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


# --- comparison data sets -----------------------------------------------------------


@login_required
def dataset_list(request):
    if not selectors.can_upload_datasets(request.user):
        raise PermissionDenied
    form = forms.DatasetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            dataset, created = services.dataset_upload(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                as_of=form.cleaned_data["as_of"],
                file_name=upload.name,
                content=upload.read(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if created:
                messages.success(
                    request, f"已导入{dataset.get_kind_display()}数据 {dataset.row_count} 条"
                )
            else:
                messages.info(request, "该文件此前已上传，未重复导入")
            return redirect("identification:datasets")
    return render(
        request,
        "identification/dataset_list.html",
        {
            **NAV,
            "form": form,
            "datasets": selectors.dataset_list(user=request.user)[:200],
            "latest": selectors.latest_datasets()
            if request.user.role == Role.COUNTY_BUREAU
            else [],
            "crumbs": _crumbs(("比对数据", "")),
        },
    )


# --- notices -----------------------------------------------------------------------


def _notice_response(request, notice: notices.Notice, target: str):
    if request.GET.get("format") == "xlsx":
        content = spreadsheets.notice_workbook(
            title=notice.title,
            subtitle=" ".join(
                filter(
                    None,
                    [
                        notice.number,
                        notice.subtitle,
                        f"公示时间：{notice.period}。" if notice.period else "",
                    ],
                )
            ),
            headers=notices.HEADERS,
            rows=notice.table(),
            footer=[notice.closing, f"{notice.issuer}    {notice.issued_on:%Y年%m月%d日}"],
        )
        services.notice_export_log(
            actor=request.user,
            kind=notice.title,
            target=target,
            file_format="xlsx",
            row_count=len(notice.rows),
        )
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{_quote(notice.title)}.xlsx"
        )
        return response
    services.notice_export_log(
        actor=request.user,
        kind=notice.title,
        target=target,
        file_format="html",
        row_count=len(notice.rows),
    )
    return render(
        request, "identification/notice.html", {**NAV, "notice": notice, "headers": notices.HEADERS}
    )


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


@login_required
def notice_village(request, village_pk: int):
    village = get_object_or_404(village_list(user=request.user), pk=village_pk)
    return _notice_response(
        request, notices.village_notice(user=request.user, village=village), str(village)
    )


@login_required
def notice_town(request, town_pk: int):
    town = get_object_or_404(town_list(user=request.user), pk=town_pk)
    return _notice_response(request, notices.town_notice(user=request.user, town=town), str(town))


@login_required
def announcement_list(request):
    announcements = selectors.announcement_list(user=request.user)
    return render(
        request,
        "identification/announcement_list.html",
        {
            **NAV,
            "announcements": announcements.prefetch_related("filings")[:200],
            "villages": village_list(user=request.user)[:300]
            if request.user.role != Role.COUNTY_BUREAU
            else [],
            "towns": town_list(user=request.user),
            "crumbs": _crumbs(("公示与公告", "")),
        },
    )


@login_required
def announcement_detail(request, pk: int):
    announcement = get_object_or_404(selectors.announcement_list(user=request.user), pk=pk)
    return _notice_response(
        request,
        notices.announcement_notice(user=request.user, announcement=announcement),
        announcement.label,
    )
