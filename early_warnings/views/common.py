"""What every warnings page shares: role checks, paging, 404s, crumbs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from organization.models import Role

from ..models import Clue, Upload, Warning, period_start, period_validator

PAGE_SIZE = 50


def require_roles(request: HttpRequest, *roles: str) -> None:
    if request.user.role not in roles:
        raise PermissionDenied("您的角色不能使用此页面")


def paginate(request: HttpRequest, qs) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def get_or_404(getter: Callable, **kwargs):
    try:
        return getter(**kwargs)
    except (Warning.DoesNotExist, Clue.DoesNotExist, Upload.DoesNotExist, ValueError):
        raise Http404 from None


def period_param(request: HttpRequest, default: str) -> str:
    period = request.GET.get("period", "").strip()
    try:
        period_validator(period)
        period_start(period)
    except ValidationError:
        return default
    return period


def crumbs(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    return [("部门预警", reverse("early_warnings:home")), *pairs]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    target = {
        Role.DEPARTMENT_STAFF: "early_warnings:upload_list",
        Role.TOWN_OFFICIAL: "early_warnings:town_inbox",
        Role.VILLAGE_MONITOR: "early_warnings:village_inbox",
        Role.COUNTY_BUREAU: "early_warnings:county",
    }.get(request.user.role)
    if target is None:
        raise PermissionDenied("您的角色不能使用预警功能")
    return redirect(target)
