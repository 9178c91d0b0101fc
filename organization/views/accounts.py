"""Account pages (二; 三(三), 三(八)1 for helpers): the county bureau keeps every account, a
town official the village monitors and helpers of their town.

Every account is found through ``selectors.managed_user_list``, so another scope's account
answers 404; the services decide every write. A one-time password is shown once, in the
answer to the POST that made it: never in a URL, a message or the session.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from suixi_monitor.forms import REFUSALS, refusal_messages, run_action, run_service

from .. import services
from ..forms import OwnPasswordChangeForm, UserDeactivateForm, UserFilterForm, UserForm
from ..models import User
from ..selectors import (
    UserFilters,
    account_actions,
    can_manage_accounts,
    managed_user_list,
    outranks,
    user_history,
)

PAGE_SIZE = 50
MSG_NO_RIGHT = "您没有管理账号的权限"
MSG_NOT_FOUND = "未找到该账号，或不在您的管理范围内"
# Why a button is not offered, when its address is typed anyway.
MSG_UNAVAILABLE = {
    "deactivate": {"own": services.MSG_OWN_ACTIVE, "state": services.MSG_ALREADY_INACTIVE},
    "reactivate": {"own": services.MSG_OWN_ACTIVE, "state": services.MSG_ALREADY_ACTIVE},
    "reset_password": {"own": services.MSG_OWN_RESET, "state": ""},
}


def _require_manager(user: User) -> None:
    if not can_manage_accounts(user):
        raise PermissionDenied(MSG_NO_RIGHT)


def _account_or_404(user: User, pk: int) -> User:
    try:
        return managed_user_list(user=user).get(pk=pk)
    except User.DoesNotExist:
        raise Http404(MSG_NOT_FOUND) from None


def _crumbs(*more: tuple[str, str]) -> list[tuple[str, str]]:
    return [("用户管理", reverse("user_list")), *more]


def _account_crumbs(account: User, *more: tuple[str, str]) -> list[tuple[str, str]]:
    label = account.get_full_name() or account.username
    return _crumbs((label, reverse("user_detail", args=[account.pk])), *more)


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    """The accounts the user manages: a fixed number of queries whatever the page size."""
    _require_manager(request.user)
    form = UserFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else UserFilters()
    accounts = managed_user_list(user=request.user, filters=filters).order_by(
        "-is_active",
        F("town__code").asc(nulls_first=True),
        F("village__code").asc(nulls_first=True),
        "role",
        "username",
    )
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organization/user_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "nav_active": "users",
            "crumbs": [("用户管理", "")],
        },
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    form = UserForm(request.POST or None, editor=request.user)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            form, services.user_create, actor=request.user, **form.service_fields()
        )
        if created:
            account, password = created
            return _one_time_password_page(request, account, password, created=True)
    return render(
        request,
        "organization/user_form.html",
        {
            "form": form,
            "title": "新建账号",
            "cancel_url": reverse("user_list"),
            "nav_active": "users",
            "crumbs": _crumbs(("新建账号", "")),
        },
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request.user, pk)
    return render(
        request,
        "organization/user_detail.html",
        {
            "account": account,
            "actions": account_actions(user=request.user, target=account),
            "is_own": account.pk == request.user.pk,
            "history": user_history(user=account),
            "nav_active": "users",
            "crumbs": _crumbs((account.get_full_name() or account.username, "")),
        },
    )


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request.user, pk)
    if outranks(account, request.user):
        raise PermissionDenied(services.MSG_PRIVILEGED)
    form = UserForm(request.POST or None, instance=account, editor=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if run_service(form, services.user_update, actor=request.user, user=account, **fields):
            messages.success(request, "账号信息已保存")
            return redirect("user_detail", pk=account.pk)
    return render(
        request,
        "organization/user_form.html",
        {
            "form": form,
            "account": account,
            "title": "修改账号",
            "cancel_url": reverse("user_detail", args=[account.pk]),
            "nav_active": "users",
            "crumbs": _account_crumbs(account, ("修改账号", "")),
        },
    )


def _unavailable(request: HttpRequest, account: User, action: str) -> HttpResponse | None:
    """A typed address for a button the page does not offer: say why, on the account's page."""
    if account_actions(user=request.user, target=account)[action]:
        return None
    if outranks(account, request.user):
        raise PermissionDenied(services.MSG_PRIVILEGED)
    reasons = MSG_UNAVAILABLE[action]
    messages.error(request, reasons["own"] if account.pk == request.user.pk else reasons["state"])
    return redirect("user_detail", pk=account.pk)


@login_required
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first; an account is deactivated, never deleted."""
    account = _account_or_404(request.user, pk)
    if request.method != "POST" and (answer := _unavailable(request, account, "deactivate")):
        return answer
    form = UserDeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if run_service(
            form, services.user_deactivate, actor=request.user, user=account, reason=reason
        ):
            messages.success(request, f"已停用{account}的账号，该账号不能再登录")
            return redirect("user_detail", pk=account.pk)
    return render(
        request,
        "organization/user_confirm.html",
        {
            "account": account,
            "form": form,
            "action": "deactivate",
            "title": "停用账号",
            "nav_active": "users",
            "crumbs": _account_crumbs(account, ("停用账号", "")),
        },
    )


@login_required
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request.user, pk)
    if request.method == "POST":
        if run_action(request, services.user_reactivate, actor=request.user, user=account):
            messages.success(request, f"已启用{account}的账号")
        return redirect("user_detail", pk=account.pk)
    if answer := _unavailable(request, account, "reactivate"):
        return answer
    return render(
        request,
        "organization/user_confirm.html",
        {
            "account": account,
            "action": "reactivate",
            "title": "启用账号",
            "nav_active": "users",
            "crumbs": _account_crumbs(account, ("启用账号", "")),
        },
    )


@never_cache
@login_required
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first; the POST answers with the new one-time password, shown this once."""
    account = _account_or_404(request.user, pk)
    if request.method == "POST":
        try:
            password = services.user_reset_password(actor=request.user, user=account)
        except REFUSALS as error:
            messages.error(request, "；".join(refusal_messages(error)))
            return redirect("user_detail", pk=account.pk)
        return _one_time_password_page(request, account, password, created=False)
    if answer := _unavailable(request, account, "reset_password"):
        return answer
    return render(
        request,
        "organization/user_confirm.html",
        {
            "account": account,
            "action": "reset_password",
            "title": "重置密码",
            "nav_active": "users",
            "crumbs": _account_crumbs(account, ("重置密码", "")),
        },
    )


def _one_time_password_page(
    request: HttpRequest, account: User, password: str, *, created: bool
) -> HttpResponse:
    """Rendered in the POST's own answer and never cached: reloading or going back does not
    show the password again (the browser asks to send the form again, which makes a new one)."""
    title = "账号已新建" if created else "密码已重置"
    response = render(
        request,
        "organization/user_password.html",
        {
            "account": account,
            "password": password,
            "created": created,
            "title": title,
            "nav_active": "users",
            "crumbs": _account_crumbs(account, (title, "")),
        },
    )
    add_never_cache_headers(response)
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """One's own password (Django's page, in Chinese). A one-time password is spent here:
    until it is, every other page sends the person here (organization.middleware)."""

    form_class = OwnPasswordChangeForm
    template_name = "organization/password_change.html"

    def form_valid(self, form):
        try:
            services.user_change_own_password(
                actor=self.request.user, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            form.add_error("new_password2", error.messages)
            return self.form_invalid(form)
        # The new password ends the other sessions of this account, not this one.
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, "密码已修改，请牢记新密码")
        return redirect(self.get_success_url())

    def get_success_url(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return reverse("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            must_change=self.request.user.must_change_password,
            next=self.request.GET.get("next") or self.request.POST.get("next") or "",
            nav_active="password",
            crumbs=[("修改密码", "")],
        )
        return context
