"""Each department's warning indicators, kept by the county bureau (thresholds are data)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from organization.models import Role
from suixi_monitor.forms import run_service

from .. import forms, selectors, services
from .common import crumbs, require_roles


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "early_warnings/indicator_list.html",
        {
            "indicators": selectors.indicator_list(user=request.user),
            "can_edit": request.user.is_county,
            "nav_active": "warnings",
            "crumbs": crumbs(("预警指标", "")),
        },
    )


@login_required
def indicator_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The county bureau keeps each department's indicators (三(四)2: their rules are data)."""
    require_roles(request, Role.COUNTY_BUREAU)
    indicator = None
    if pk is not None:
        indicator = selectors.indicator_list(user=request.user).filter(pk=pk).first()
        if indicator is None:
            raise Http404
    form = forms.IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if run_service(
            form, services.indicator_save, actor=request.user, indicator=indicator, **fields
        ):
            messages.success(request, "预警指标已保存。")
            return redirect("early_warnings:indicators")
    return render(
        request,
        "early_warnings/indicator_form.html",
        {
            "form": form,
            "indicator": indicator,
            "nav_active": "warnings",
            "crumbs": crumbs(
                ("预警指标", reverse("early_warnings:indicators")),
                (str(indicator) if indicator else "新增指标", ""),
            ),
        },
    )
