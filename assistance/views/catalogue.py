"""The catalogue of measure kinds (三(八)2 分层分类), kept by the county bureau
(permission ``catalogue``): list, add, edit; a kind in use is retired, never deleted."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from households.views.common import MSG_NOT_FOUND
from suixi_monitor.forms import run_action, run_service

from .. import permissions, services
from ..forms.plans import MeasureKindForm
from ..models import MeasureKind
from ..selectors import measure_kind_list

NAV = {"nav_active": "help"}
FIELDS = ("name", "group", "description", "continues_after_exit", "has_amount", "is_active")


def _crumbs(*more) -> list[tuple[str, str]]:
    return [("帮扶措施目录", reverse("assistance:kind_list")), *more]


def _kind(request: HttpRequest, pk) -> MeasureKind:
    try:
        return measure_kind_list(user=request.user, include_inactive=True).get(pk=pk)
    except MeasureKind.DoesNotExist:
        raise Http404(MSG_NOT_FOUND) from None


@login_required
def kind_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "catalogue")
    kinds = measure_kind_list(user=request.user, include_inactive=True).annotate(
        n_measures=Count("measures")
    )
    return render(
        request,
        "assistance/kind_list.html",
        {**NAV, "kinds": kinds, "crumbs": _crumbs()[:-1] + [("帮扶措施目录", "")]},
    )


def _form_page(request, form, *, title, save, done) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        run_service(form, save, form.cleaned_data)
        if not form.errors:
            messages.success(request, done)
            return redirect("assistance:kind_list")
    return render(
        request,
        "assistance/kind_form.html",
        {**NAV, "form": form, "title": title, "crumbs": _crumbs((title, ""))},
    )


@login_required
def kind_create(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "catalogue")
    return _form_page(
        request,
        MeasureKindForm(request.POST or None),
        title="新增措施类型",
        save=lambda d: services.measure_kind_create(actor=request.user, **d),
        done="措施类型已新增",
    )


@login_required
def kind_update(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, "catalogue")
    kind = _kind(request, pk)
    initial = {name: getattr(kind, name) for name in (*FIELDS, "order")}
    return _form_page(
        request,
        MeasureKindForm(request.POST or None, initial=initial),
        title=f"修改措施类型：{kind.name}",
        save=lambda d: services.measure_kind_update(actor=request.user, kind=kind, **d),
        done="措施类型已保存",
    )


@login_required
@require_POST
def kind_delete(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, "catalogue")
    kind = _kind(request, pk)
    if run_action(request, services.measure_kind_delete, actor=request.user, kind=kind):
        messages.success(request, f"措施类型“{kind.name}”已删除")
    return redirect("assistance:kind_list")
