"""The plan pages (一户一方案、一人一措施, 三(八)1-2): the list, one plan with its measures,
reviews, history and suggestions, and the forms that call the services. Thin: every object
comes through the scoped selectors (another scope's answers 404), every write through a
service (its refusal comes back on the form), who may press which button is
``assistance.permissions``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from households.models import MonitoringSubject
from households.selectors import monitoring_subject_list
from households.views.common import MSG_NOT_FOUND, PAGE_SIZE, require_registry_reader, today
from organization.models import PolicySettings
from suixi_monitor.forms import run_action, run_service

from .. import permissions, services
from ..forms.plans import (
    ActivateForm,
    MeasureCompleteForm,
    MeasureForm,
    MeasureStartForm,
    MeasureStopForm,
    PlanFilterForm,
    PlanForm,
    ReviewForm,
)
from ..models import (
    OPEN_PLAN_STATES,
    AssistancePlan,
    Measure,
    MeasureKind,
    MeasureState,
    PlanState,
)
from ..selectors import measure_list
from ..selectors import plans as selectors
from ..services.plans import members_without_development
from ..suggestions import suggest

NAV = {"nav_active": "help"}


def _plan(request: HttpRequest, pk: Any) -> AssistancePlan:
    try:
        return selectors.plan_get(user=request.user, pk=pk)
    except AssistancePlan.DoesNotExist:
        raise Http404(MSG_NOT_FOUND) from None


def _measure(request: HttpRequest, pk: Any) -> Measure:
    try:
        return measure_list(user=request.user).get(pk=pk)
    except Measure.DoesNotExist:
        raise Http404(MSG_NOT_FOUND) from None


def _subject(request: HttpRequest, pk: Any) -> MonitoringSubject:
    try:
        return monitoring_subject_list(user=request.user).get(pk=pk)
    except MonitoringSubject.DoesNotExist:
        raise Http404(MSG_NOT_FOUND) from None


def plan_url(plan: AssistancePlan, anchor: str = "") -> str:
    return reverse("assistance:plan_detail", args=[plan.pk]) + anchor


def _crumbs(plan: AssistancePlan | None = None, *more) -> list[tuple[str, str]]:
    trail = [("帮扶方案", reverse("assistance:plan_list"))]
    if plan is not None:
        trail.append((f"{plan.subject.household.head_name}户", plan_url(plan)))
    return [*trail, *more]


def _form_page(
    request: HttpRequest,
    form,
    *,
    plan: AssistancePlan,
    title: str,
    save: Callable[[dict], Any],
    done: str,
    then: str,
    intro: str = "",
    submit: str = "保存",
    extra: dict | None = None,
) -> HttpResponse:
    """A valid POST goes to ``save`` (the service); its refusal comes back on the form."""
    if request.method == "POST" and form.is_valid():
        run_service(form, save, form.cleaned_data)
        if not form.errors:
            messages.success(request, done)
            return redirect(then)
    return render(
        request,
        "assistance/plan_action_form.html",
        {
            **NAV,
            "form": form,
            "plan": plan,
            "household": plan.subject.household,
            "title": title,
            "intro": intro,
            "submit": submit,
            "cancel": then,
            "crumbs": _crumbs(plan, (title, "")),
            **(extra or {}),
        },
    )


# --- the household page's button ---------------------------------------------------------


def plan_button(user, household) -> tuple[str, str] | None:
    """For ``households.views.register_detail_action``: the household's open plan, or a new
    one where the household is monitored and the user may draft (三(八)1 一户一方案)."""
    if not user.is_authenticated or user.role == "department_staff":
        return None
    plan = (
        AssistancePlan.objects.filter(subject__household=household, state__in=OPEN_PLAN_STATES)
        .only("pk", "state")
        .first()
    )
    if plan is not None:
        return (f"帮扶方案（{plan.get_state_display()}）", plan_url(plan))
    if not permissions.can(user, "plan_draft"):
        return None
    subject = (
        household.monitoring_subjects.filter(status=MonitoringSubject.Status.MONITORING)
        .only("pk")
        .first()
    )
    if subject is None:
        return None
    return ("制定帮扶方案", reverse("assistance:plan_create", args=[subject.pk]))


# --- the list and the figures --------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_registry_reader(user)
    day = today()
    form = PlanFilterForm(request.GET or None, user=user)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.PlanFilters(
        state=data.get("state") or "",
        town=data["town"].pk if data.get("town") else None,
        village=data["village"].pk if data.get("village") else None,
        overdue=bool(data.get("overdue")),
        q=data.get("q") or "",
    )
    qs = selectors.plan_search(user=user, filters=filters, today=day).order_by("-made_on", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/plan_list.html",
        {
            **NAV,
            "form": form,
            "page": page,
            "today": day,
            "to_confirm": selectors.plans_to_confirm(user).count(),
            "overdue": selectors.plans_overdue_for_review(user, day).count(),
            "can_activate": permissions.can(user, "plan_activate"),
            "crumbs": _crumbs(),
        },
    )


@login_required
def plan_stats(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_registry_reader(user)
    day = today()
    by_state = {}
    for row in selectors.measures_by_kind_and_state(user):
        entry = by_state.setdefault(
            row["kind_id"], {"name": row["kind__name"], "states": {}, "n": 0, "amount": 0}
        )
        entry["states"][row["state"]] = row["n"]
        entry["n"] += row["n"]
        entry["amount"] += row["amount"]
    return render(
        request,
        "assistance/plan_stats.html",
        {
            **NAV,
            "coverage": selectors.county_plan_coverage(user, day),
            "kinds": [
                {
                    **e,
                    "cells": [(label, e["states"].get(s, 0)) for s, label in MeasureState.choices],
                }
                for e in by_state.values()
            ],
            "states": MeasureState.choices,
            "to_confirm": selectors.plans_to_confirm(user).count(),
            "overdue": selectors.plans_overdue_for_review(user, day).count(),
            "crumbs": _crumbs(None, ("帮扶统计", "")),
        },
    )


# --- one plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    name: str
    label: str
    danger: bool = False


# Which step each measure state offers; who may press it is the permission table.
MEASURE_STEPS = {
    MeasureState.PLANNED: [
        Button("measure_start", "开始实施"),
        Button("measure_stop", "停止", True),
    ],
    MeasureState.IN_PROGRESS: [
        Button("measure_complete", "完成"),
        Button("measure_stop", "停止", True),
    ],
}


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = _plan(request, pk)
    is_open = plan.state != PlanState.CLOSED
    measures = list(
        plan.measures.select_related("kind", "member", "department").order_by("kind__order", "id")
    )
    may_progress = is_open and permissions.can(user, "measure_progress")
    may_edit = is_open and permissions.can(user, "measure_edit")
    rows = [
        {
            "measure": m,
            "steps": MEASURE_STEPS.get(m.state, []) if may_progress else [],
            "editable": may_edit,
        }
        for m in measures
    ]
    day = today()
    draft = plan.state == PlanState.DRAFT
    suggestions = suggest(plan.subject, on=day, measures=measures) if draft else []
    gaps = members_without_development(plan, day) if draft else []
    return render(
        request,
        "assistance/plan_detail.html",
        {
            **NAV,
            "plan": plan,
            "household": plan.subject.household,
            "risk_types": list(plan.risk_types.all()),
            "rows": rows,
            "reviews": plan.reviews.select_related("reviewer"),
            "history": selectors.plan_history(plan),
            "suggestions": suggestions,
            "gaps": gaps,
            "overdue": plan.state == PlanState.ACTIVE
            and plan.next_review_on is not None
            and plan.next_review_on < day,
            "can_edit": is_open and permissions.can(user, "plan_draft"),
            "can_activate": draft and permissions.can(user, "plan_activate"),
            "can_review": plan.state == PlanState.ACTIVE and permissions.can(user, "plan_review"),
            "can_add_measure": may_edit,
            "review_months": PolicySettings.current(day).plan_review_months,
            "crumbs": _crumbs(plan)[:-1] + [(f"{plan.subject.household.head_name}户", "")],
        },
    )


def _plan_initial(plan: AssistancePlan) -> dict:
    fields = ("made_on", "help_unit", *services.plans.PLAN_TEXT_FIELDS)
    return {
        **{name: getattr(plan, name) for name in fields},
        "risk_types": list(plan.risk_types.values_list("pk", flat=True)),
    }


def _plan_form_page(request, form, *, subject, plan, title, save, then_default) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, save, dict(form.cleaned_data))
        if not form.errors:
            messages.success(request, "帮扶方案已保存")
            return redirect(plan_url(saved))
    day = today()
    measures = list(plan.measures.all()) if plan is not None else []
    return render(
        request,
        "assistance/plan_form.html",
        {
            **NAV,
            "form": form,
            "plan": plan,
            "subject": subject,
            "household": subject.household,
            "title": title,
            "suggestions": suggest(subject, on=day, measures=measures),
            "cancel": then_default,
            "crumbs": _crumbs(plan, (title, "")),
        },
    )


@login_required
def plan_create(request: HttpRequest, subject_pk: int) -> HttpResponse:
    user = request.user
    subject = _subject(request, subject_pk)
    permissions.require(user, "plan_draft")
    existing = subject.plans.filter(state__in=OPEN_PLAN_STATES).first()
    if existing is not None:
        messages.info(request, "该监测对象已有帮扶方案（一户一方案），请在原方案上修改")
        return redirect(plan_url(existing))
    initial = {"risk_types": list(subject.risk_types.values_list("pk", flat=True))}
    form = PlanForm(request.POST or None, initial=initial)

    def save(data: dict) -> AssistancePlan:
        return services.plan_create(actor=user, subject=subject, **data)

    return _plan_form_page(
        request,
        form,
        subject=subject,
        plan=None,
        title="制定帮扶方案",
        save=save,
        then_default=reverse("households:detail", args=[subject.household_id]),
    )


@login_required
def plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = _plan(request, pk)
    permissions.require(user, "plan_draft")
    form = PlanForm(request.POST or None, initial=_plan_initial(plan))

    def save(data: dict) -> AssistancePlan:
        return services.plan_update(actor=user, plan=plan, **data)

    return _plan_form_page(
        request,
        form,
        subject=plan.subject,
        plan=plan,
        title="修改帮扶方案",
        save=save,
        then_default=plan_url(plan),
    )


@login_required
def plan_activate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = _plan(request, pk)
    permissions.require(user, "plan_activate")
    form = ActivateForm(request.POST or None)
    months = PolicySettings.current(today()).plan_review_months
    return _form_page(
        request,
        form,
        plan=plan,
        title="确认帮扶方案",
        intro=f"确认后方案开始实施，每 {months} 个月评估一次（三(八)1）。"
        "有劳动能力的成员须有产业、就业或公益性岗位措施，或在方案中写明原因（三(八)2）。",
        save=lambda d: services.plan_activate(actor=user, plan=plan, on=d["activated_on"]),
        done="帮扶方案已确认",
        then=plan_url(plan),
        submit="确认方案",
    )


@login_required
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = _plan(request, pk)
    permissions.require(user, "plan_review")
    form = ReviewForm(request.POST or None)
    return _form_page(
        request,
        form,
        plan=plan,
        title="方案评估",
        intro="评估措施落实情况和家庭变化（三(八)1“及时掌握动态变化”），评估后自动顺延下次评估日期。",
        save=lambda d: services.plan_review(
            actor=user, plan=plan, on=d["reviewed_on"], conclusion=d["conclusion"]
        ),
        done="方案评估已记录",
        then=plan_url(plan, "#reviews"),
    )


# --- measures ------------------------------------------------------------------------------


@login_required
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = _plan(request, pk)
    permissions.require(user, "measure_edit")
    initial = {
        key: request.GET[key] for key in ("kind", "member") if request.GET.get(key, "").isdigit()
    }
    form = MeasureForm(request.POST or None, household=plan.subject.household, initial=initial)
    return _form_page(
        request,
        form,
        plan=plan,
        title="添加帮扶措施",
        intro="一人一措施：为某一成员或全户安排一项措施（三(八)1）。",
        save=lambda d: services.measure_create(actor=user, plan=plan, **d),
        done="帮扶措施已添加",
        then=plan_url(plan, "#measures"),
    )


@login_required
@require_POST
def measure_add_suggested(request: HttpRequest, pk: int) -> HttpResponse:
    """One click on a suggestion: the kind for the member (or the whole household), with the
    suggestion's reason as its content; the details are filled in afterwards."""
    user = request.user
    plan = _plan(request, pk)
    permissions.require(user, "measure_edit")
    kind_id = request.POST.get("kind", "")
    kind = MeasureKind.objects.filter(pk=kind_id).first() if kind_id.isdigit() else None
    member = None
    if request.POST.get("member", "").isdigit():
        member = plan.subject.household.members.filter(pk=request.POST["member"]).first()
        if member is None:
            raise Http404(MSG_NOT_FOUND)
    if kind is None:
        raise Http404(MSG_NOT_FOUND)
    if run_action(
        request,
        services.measure_create,
        actor=user,
        plan=plan,
        kind=kind,
        member=member,
        description=request.POST.get("reason", "")[:300],
    ):
        messages.success(request, f"已添加措施“{kind.name}”，请补充责任部门、日期等")
    return redirect(plan_url(plan, "#measures"))


@login_required
def measure_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    measure = _measure(request, pk)
    plan = _plan(request, measure.plan_id)
    permissions.require(user, "measure_edit")
    fields = ("kind", "member", "description", "department", "responsible_person")
    fields += ("started_on", "planned_end_on", "amount", "result")
    initial = {name: getattr(measure, name) for name in fields}
    form = MeasureForm(
        request.POST or None,
        household=plan.subject.household,
        current_kind=measure.kind,
        initial=initial,
    )
    return _form_page(
        request,
        form,
        plan=plan,
        title=f"修改帮扶措施：{measure}",
        save=lambda d: services.measure_update(actor=user, measure=measure, **d),
        done="帮扶措施已保存",
        then=plan_url(plan, "#measures"),
    )


def _measure_step(request, pk, *, form_class, title, save, done, intro=""):
    user = request.user
    measure = _measure(request, pk)
    plan = _plan(request, measure.plan_id)
    permissions.require(user, "measure_progress")
    form = form_class(request.POST or None)
    return _form_page(
        request,
        form,
        plan=plan,
        title=f"{title}：{measure}",
        intro=intro,
        save=lambda d: save(user, measure, d),
        done=done,
        then=plan_url(plan, "#measures"),
        submit=title,
        extra={"measure": measure},
    )


@login_required
def measure_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _measure_step(
        request,
        pk,
        form_class=MeasureStartForm,
        title="开始实施",
        save=lambda user, m, d: services.measure_start(actor=user, measure=m, on=d["on"]),
        done="措施已开始实施",
    )


@login_required
def measure_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _measure_step(
        request,
        pk,
        form_class=MeasureCompleteForm,
        title="标记完成",
        save=lambda user, m, d: services.measure_complete(
            actor=user, measure=m, on=d["on"], result=d["result"]
        ),
        done="措施已完成",
    )


@login_required
def measure_stop(request: HttpRequest, pk: int) -> HttpResponse:
    return _measure_step(
        request,
        pk,
        form_class=MeasureStopForm,
        title="停止措施",
        intro="停止须写明原因，如本人外出务工、政策条件不再符合。",
        save=lambda user, m, d: services.measure_stop(
            actor=user, measure=m, on=d["on"], reason=d["reason"]
        ),
        done="措施已停止",
    )
