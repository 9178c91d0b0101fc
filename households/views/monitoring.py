"""Monitoring subjects (监测对象, 三(一)): the list, one subject, its risk types, filing one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from organization.audit import record_id_search

from .. import services
from ..filters import SEARCH_SUBJECTS
from ..forms import (
    MonitoringSubjectForm,
    SubjectFilterForm,
    SubjectRisksForm,
)
from ..models import MonitoringSubject
from ..selectors import can_edit_registry, monitoring_subject_list
from .common import (
    PAGE_SIZE,
    crumbs,
    form_page,
    household_or_404,
    in_scope,
    require_registry_reader,
    today,
)


@login_required
def subject_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_registry_reader(user)
    form = SubjectFilterForm(request.GET or None, user=user)
    qs = monitoring_subject_list(user=user)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            record_id_search(request, data["q"], where=SEARCH_SUBJECTS)
            qs = monitoring_subject_list(user=user, q=data["q"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("town"):
            qs = qs.filter(household__village__town=data["town"])
        if data.get("village"):
            qs = qs.filter(household__village=data["village"])
    page = Paginator(qs.order_by("-started_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "households/subject_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "nav_active": "subjects",
            "crumbs": crumbs(("监测对象", "")),
        },
    )


@login_required
def subject_detail(request: HttpRequest, subject_pk: int) -> HttpResponse:
    subject = in_scope(monitoring_subject_list(user=request.user), pk=subject_pk)
    monitored = subject.status == MonitoringSubject.Status.MONITORING
    return render(
        request,
        "households/subject_detail.html",
        {
            "subject": subject,
            "household": subject.household,
            "can_edit_risks": monitored and can_edit_registry(request.user, subject.household),
            "nav_active": "subjects",
            "crumbs": crumbs(("监测对象", reverse("households:subject_list")), (str(subject), "")),
        },
    )


def _subject_url(subject: MonitoringSubject) -> str:
    return reverse("households:subject_detail", args=[subject.pk])


def _subject_trail(subject: MonitoringSubject, title: str) -> list[tuple[str, str]]:
    return crumbs(
        ("监测对象", reverse("households:subject_list")),
        (str(subject), _subject_url(subject)),
        (title, ""),
    )


@login_required
def subject_risks_update(request: HttpRequest, subject_pk: int) -> HttpResponse:
    """Those who keep the household's registry change a monitored household's risk types."""
    user = request.user
    subject = in_scope(monitoring_subject_list(user=user), pk=subject_pk)
    if not can_edit_registry(user, subject.household):
        raise PermissionDenied(services.MSG_NO_REGISTRY_RIGHT)
    if subject.status != MonitoringSubject.Status.MONITORING:
        raise PermissionDenied("风险已消除的监测对象不再修改风险类型")
    # Bound on any POST: with every box unticked the form posts no risk type at all.
    form = SubjectRisksForm(
        request.POST if request.method == "POST" else None,
        initial={"risk_types": list(subject.risk_types.all())},
    )
    return form_page(
        request,
        form,
        household=subject.household,
        title="修改风险类型",
        intro="三(二)：因病、因残、因学、因灾、因意外事故、因产业失败、因就业不稳等。"
        "修改会记入农户的变更记录。",
        save=lambda data: services.monitoring_subject_update_risks(
            actor=user, subject=subject, **data
        ),
        done="风险类型已更新",
        then=_subject_url(subject),
        nav_active="subjects",
        trail=_subject_trail(subject, "修改风险类型"),
    )


@login_required
def subject_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The county bureau enters a household already monitored before the system existed."""
    user = request.user
    household = household_or_404(user, pk)
    if not user.is_county:
        raise PermissionDenied("只有县扶贫局可以备案监测对象")
    return form_page(
        request,
        MonitoringSubjectForm(request.POST or None, initial={"started_on": today()}),
        household=household,
        title="备案监测对象",
        intro="三(一)：监测对象分为脱贫不稳定户、边缘易致贫户、突发严重困难户。"
        "经识别程序纳入的监测对象由县备案时自动生成；此处用于录入系统启用前已纳入监测的农户。",
        save=lambda data: services.monitoring_subject_create(
            actor=user, household=household, **data
        ),
        done=f"{household.head_name}户已纳入监测对象",
        then=_subject_url,
        nav_active="subjects",
    )
