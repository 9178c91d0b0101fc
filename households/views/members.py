"""The members of a household: add, correct, delete (the head's name follows its member)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from suixi_monitor.forms import run_action

from .. import services
from ..forms import MemberForm
from ..models import Member
from ..selectors import member_list
from .common import (
    form_page,
    household_crumbs,
    household_or_404,
    household_url,
    in_scope,
    require_editor,
)


@login_required
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = household_or_404(user, pk)
    require_editor(user)
    return form_page(
        request,
        MemberForm(request.POST or None, household=household),
        household=household,
        title="添加家庭成员",
        save=lambda data: services.member_create(actor=user, household=household, **data),
        done=lambda data: f"已添加家庭成员{data['name']}",
        then=household_url(household),
    )


def _member(user, household_pk, member_pk) -> Member:
    return in_scope(
        member_list(user=user).select_related("household"), pk=member_pk, household_id=household_pk
    )


@login_required
def member_update(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = request.user
    member = _member(user, pk, member_pk)
    require_editor(user)
    household = member.household
    return form_page(
        request,
        MemberForm(request.POST or None, instance=member, household=household),
        household=household,
        title=f"修改家庭成员：{member.name}",
        save=lambda data: services.member_update(actor=user, member=member, **data),
        done=lambda data: f"家庭成员{data['name']}的信息已保存",
        then=household_url(household),
    )


@login_required
def member_delete(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = request.user
    member = _member(user, pk, member_pk)
    require_editor(user)
    household = member.household
    if request.method == "POST":
        if run_action(request, services.member_delete, actor=user, member=member):
            messages.success(request, f"已删除家庭成员{member.name}")
        return redirect("households:detail", pk=household.pk)
    return render(
        request,
        "households/member_confirm_delete.html",
        {
            "member": member,
            "household": household,
            "nav_active": "households",
            "crumbs": household_crumbs(household, (f"删除家庭成员：{member.name}", "")),
        },
    )
