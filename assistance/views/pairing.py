"""Pairing pages (帮扶结对, 三(三), 三(八)1): pair a subject's household, end a pairing, the
subjects still waiting for a helper. Thin: the rules are ``assistance.services.pairing``'s."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from households.models import Household, MonitoringSubject, Status2020
from households.selectors import monitoring_subject_list
from households.views.common import PAGE_SIZE, crumbs, household_url, in_scope, today
from organization.models import Role
from suixi_monitor.forms import run_service

from .. import permissions
from ..forms.pairing import AssignmentEndForm, PairForm
from ..selectors import assignment_list
from ..selectors.pairing import (
    open_assignments,
    proposed_helper,
    unpaired_count_by_town,
    unpaired_subject_list,
)
from ..services.pairing import assignment_end as end_assignment
from ..services.pairing import household_pair

NAV = {"nav_active": "help"}
MSG_UNPAIRED_ROLES = "待结对清单供村、镇（园区）和县扶贫局查看"


def pair_button(user, household: Household) -> tuple[str, str] | None:
    """For ``households.views.register_detail_action``: a monitored household's pairing page,
    for those who pair (the town or the county)."""
    if not permissions.can(user, "pair"):
        return None
    subject = (
        household.monitoring_subjects.filter(status=MonitoringSubject.Status.MONITORING)
        .only("pk")
        .first()
    )
    if subject is None:
        return None
    return "帮扶结对", reverse("assistance:pair", args=[subject.pk])


@login_required
def pair(request: HttpRequest, subject_pk: int) -> HttpResponse:
    user = request.user
    subject = in_scope(monitoring_subject_list(user=user), pk=subject_pk)
    permissions.require(user, "pair")
    if subject.status != MonitoringSubject.Status.MONITORING:
        raise PermissionDenied("风险已消除的监测对象不再办理结对")
    household = subject.household
    alleviated = household.status_2020 == Status2020.POVERTY_ALLEVIATED
    original = proposed_helper(subject) if alleviated else None
    initial = {"helper": original.helper_id} if original else {}
    form = PairForm(
        request.POST or None, household=household, alleviated=alleviated, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        created = run_service(
            form, household_pair, actor=user, subject=subject, **form.service_data()
        )
        if created is not None:
            names = "、".join(str(a.helper) for a in created)
            messages.success(request, f"已结对：{names}")
            return redirect("assistance:pair", subject.pk)
    current = open_assignments().filter(household=household).select_related("helper", "help_unit")
    return render(
        request,
        "assistance/pair_form.html",
        {
            **NAV,
            "subject": subject,
            "household": household,
            "alleviated": alleviated,
            "original": original,
            "current": current,
            "form": form,
            "crumbs": crumbs(
                ("待结对监测对象", reverse("assistance:unpaired")),
                (f"{household.head_name}户", household_url(household)),
                ("帮扶结对", ""),
            ),
        },
    )


@login_required
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assignment = in_scope(assignment_list(user=user), pk=pk)
    permissions.require(user, "pair")
    household = assignment.household
    if assignment.ended_on is not None:
        messages.error(request, "该结对已解除")
        return redirect(household_url(household))
    form = AssignmentEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            end_assignment,
            actor=user,
            assignment=assignment,
            on=data["ended_on"],
            reason=data["reason"],
        )
        if done is not None:
            messages.success(request, f"已解除与{assignment.helper}的结对")
            return redirect(household_url(household))
    return render(
        request,
        "assistance/assignment_end_form.html",
        {
            **NAV,
            "assignment": assignment,
            "household": household,
            "form": form,
            "crumbs": crumbs(
                (f"{household.head_name}户", household_url(household)),
                ("解除结对", ""),
            ),
        },
    )


@login_required
def unpaired(request: HttpRequest) -> HttpResponse:
    """The town's subjects with no open pairing, waiting longest first (三(八)1); the county
    sees the count per town and, for one town, its list."""
    user = request.user
    if user.role not in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}:
        raise PermissionDenied(MSG_UNPAIRED_ROLES)
    context: dict = {**NAV, "towns": None, "page": None, "crumbs": crumbs(("待结对监测对象", ""))}
    qs = unpaired_subject_list(user=user)
    if user.is_county:
        towns = list(unpaired_count_by_town(user=user))
        context["towns"] = towns
        context["total"] = sum(t.n_unpaired for t in towns)
        town = request.GET.get("town")
        if not (town and town.isdigit()):
            return render(request, "assistance/unpaired_list.html", context)
        context["town"] = next((t for t in towns if t.pk == int(town)), None)
        qs = qs.filter(household__village__town_id=int(town))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    day = today()
    context.update(
        page=page,
        rows=[(s, (day - s.started_on).days) for s in page],
        can_pair=permissions.can(user, "pair"),
    )
    return render(request, "assistance/unpaired_list.html", context)
