"""The answer to a locked sign-in (django-axes' ``AXES_LOCKOUT_CALLABLE``): in Chinese, saying
when to try again; JSON for the API, a page for the sign-in pages."""

from __future__ import annotations

from axes.helpers import get_client_username, get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from .middleware import API_PREFIX

LOCKED_STATUS = 429


def lockout_message(request: HttpRequest, credentials: dict | None = None) -> str:
    """Every further attempt during the lock starts its time again, so the lock ends
    ``AXES_COOLOFF_TIME`` from now."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    until = timezone.localtime(timezone.now() + cool_off)
    username = get_client_username(request, credentials) or ""
    who = f"账号“{username}”" if username else "该账号"
    return (
        f"密码连续输错次数过多，{who}在本机已暂停登录{minutes}分钟，"
        f"请于{until:%H:%M}后再试；忘记密码请联系管理员重置。"
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    message = lockout_message(request, credentials)
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=LOCKED_STATUS)
    return render(
        request, "registration/locked_out.html", {"message": message}, status=LOCKED_STATUS
    )
