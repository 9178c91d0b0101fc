"""The members of a household: add, correct, delete (the head's name follows its member)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import services
from ..forms import MemberForm
from ..models import Member
from ..selectors import member_list
from .common import (
    apply_errors,
    household_crumbs,
    household_or_404,
    in_scope,
    require_editor,
)


def member_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in MemberForm.Meta.fields}


@login_required
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = household_or_404(user, pk)
    require_editor(user)
    form = MemberForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_create(actor=user, household=household, **member_fields(form))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已添加家庭成员{form.cleaned_data['name']}")
            return redirect("households:detail", pk=household.pk)
    return _member_page(request, household, form, "添加家庭成员")


def _member_page(request, household, form, title) -> HttpResponse:
    return render(
        request,
        "households/simple_form.html",
        {
            "form": form,
            "household": household,
            "title": title,
            "nav_active": "households",
            "crumbs": household_crumbs(household, (title, "")),
        },
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
    form = MemberForm(request.POST or None, instance=member, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=user, member=member, **member_fields(form))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"家庭成员{member.name}的信息已保存")
            return redirect("households:detail", pk=household.pk)
    return _member_page(request, household, form, f"修改家庭成员：{member.name}")


@login_required
def member_delete(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = request.user
    member = _member(user, pk, member_pk)
    require_editor(user)
    household = member.household
    if request.method == "POST":
        try:
            services.member_delete(actor=user, member=member)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
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
