"""Clues (三(四)3 协防): entered by the bureau or a town, routed, assigned and verified."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from organization.models import Role
from suixi_monitor.forms import run_action, run_service

from .. import forms, selectors, services
from ..models import State
from .common import crumbs, get_or_404, paginate, require_roles


@login_required
def clue_list(request: HttpRequest) -> HttpResponse:
    require_roles(request, Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL, Role.VILLAGE_MONITOR)
    county_only = request.GET.get("county") == "1"
    filters = selectors.ClueFilters(
        state=request.GET.get("state", "") if request.GET.get("state") in State.values else "",
        county_only=county_only,
    )
    return render(
        request,
        "early_warnings/clue_list.html",
        {
            "page": paginate(request, selectors.clue_list(user=request.user, filters=filters)),
            "filters": filters,
            "states": State.choices,
            "can_create": request.user.role in {Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL},
            "nav_active": "warnings",
            "crumbs": crumbs(("协防线索", "")),
        },
    )


@login_required
def clue_new(request: HttpRequest) -> HttpResponse:
    require_roles(request, Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL)
    form = forms.ClueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        clue = run_service(form, services.clue_create, actor=request.user, **form.cleaned_data)
        if clue is not None:
            messages.success(request, "线索已登记。")
            return redirect("early_warnings:clue_detail", clue.pk)
    return render(
        request,
        "early_warnings/clue_form.html",
        {
            "form": form,
            "nav_active": "warnings",
            "crumbs": crumbs(("协防线索", reverse("early_warnings:clue_list")), ("登记线索", "")),
        },
    )


@login_required
def clue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    clue = get_or_404(selectors.clue_get, user=user, pk=pk)
    verify_form = forms.ClueVerifyForm(
        request.POST if request.POST.get("do") == "verify" else None, user=user
    )
    assign_form = forms.VillageChoiceForm(
        request.POST if request.POST.get("do") == "assign" else None,
        user=user,
        initial={"village": clue.village_id},
    )
    route_form = forms.RouteForm(request.POST if request.POST.get("do") == "route" else None)
    action = request.POST.get("do")
    done = None
    if action == "verify" and verify_form.is_valid():
        done = run_service(
            verify_form, services.clue_verify, actor=user, clue=clue, **verify_form.cleaned_data
        )
    elif action == "assign" and assign_form.is_valid():
        done = run_service(
            assign_form,
            services.item_assign,
            actor=user,
            item=clue,
            village=assign_form.cleaned_data["village"],
        )
    elif action == "route" and route_form.is_valid():
        done = run_service(
            route_form, services.clue_route, actor=user, clue=clue, **route_form.cleaned_data
        )
    elif action == "close":
        done = run_action(request, services.item_close, actor=user, item=clue)
    if done:
        messages.success(request, "已保存。")
        return redirect("early_warnings:clue_detail", pk)
    return render(
        request,
        "early_warnings/clue_detail.html",
        {
            "clue": clue,
            "verify_form": verify_form,
            "assign_form": assign_form,
            "route_form": route_form,
            "may": selectors.item_permissions(user, clue),
            "nav_active": "warnings",
            "crumbs": crumbs(("协防线索", reverse("early_warnings:clue_list")), (clue.name, "")),
        },
    )
