"""The villages', towns' and county's pages: the scoped list, a declaration with its answers,
the county's figures per town, and the posters to print."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from households.models import Member
from organization.audit import record_id_search
from organization.models import PolicySettings, Role
from suixi_monitor.forms import run_action, run_service

from .. import selectors, services
from ..forms import AcceptForm, DeclarationFilterForm, DeclineForm, HouseholdFromDeclarationForm
from ..models import Declaration
from ..poster import qr_svg

PAGE_SIZE = 50


def _require(request: HttpRequest, roles) -> None:
    if request.user.role not in roles:
        raise PermissionDenied("您的角色不能使用此页面")


def _crumbs(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    return [("自主申报", reverse("declarations:list")), *pairs]


@login_required
def declaration_list(request: HttpRequest) -> HttpResponse:
    _require(request, selectors.READING_ROLES)
    form = DeclarationFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    if filters.q:
        record_id_search(request, filters.q, where="自主申报")
    qs = selectors.declaration_list(user=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    warn = selectors.warn_working_days(today)
    for declaration in page:
        declaration.clock = selectors.clock_of(declaration, today, warn=warn)
    return render(
        request,
        "declarations/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "reset_url": reverse("declarations:list"),
            "nav_active": "declarations",
            "crumbs": _crumbs(),
        },
    )


ACTIONS = {
    "check": None,
    "accept": AcceptForm,
    "decline": DeclineForm,
    "household": HouseholdFromDeclarationForm,
}


@login_required
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, selectors.READING_ROLES)
    user = request.user
    try:
        declaration = selectors.declaration_get(user=user, pk=pk)
    except Declaration.DoesNotExist:
        raise Http404 from None
    action = request.POST.get("do") if request.method == "POST" else None
    if action is not None and (action not in ACTIONS or not selectors.can_answer(user)):
        raise PermissionDenied("您不能办理该自主申报")

    def bound(name):
        return request.POST if action == name else None

    accept_form = AcceptForm(bound("accept"))
    decline_form = DeclineForm(bound("decline"))
    household_form = HouseholdFromDeclarationForm(bound("household"), village=declaration.village)
    done = None
    if action == "check":
        done = run_action(
            request, services.declaration_start_checking, actor=user, declaration=declaration
        )
    elif action == "accept" and accept_form.is_valid():
        done = run_service(
            accept_form, services.declaration_accept, actor=user, declaration=declaration,
            **accept_form.cleaned_data,
        )  # fmt: skip
    elif action == "decline" and decline_form.is_valid():
        done = run_service(
            decline_form, services.declaration_decline, actor=user, declaration=declaration,
            **decline_form.cleaned_data,
        )  # fmt: skip
    elif action == "household" and household_form.is_valid():
        done = run_service(
            household_form, services.declaration_create_household, actor=user,
            declaration=declaration, **household_form.cleaned_data,
        )  # fmt: skip
    if done:
        messages.success(request, "已保存。")
        return redirect("declarations:detail", pk)
    declaration = selectors.declaration_get(user=user, pk=pk) if action else declaration
    registered = declaration.household or _registered_household(declaration)
    return render(
        request,
        "declarations/detail.html",
        {
            "d": declaration,
            "clock": selectors.clock_of(declaration),
            "late": selectors.answered_late(declaration),
            "registered": registered,
            "may_answer": selectors.can_answer(user) and declaration.is_open,
            "accept_form": accept_form,
            "decline_form": decline_form,
            "household_form": household_form,
            "nav_active": "declarations",
            "crumbs": _crumbs((f"{declaration.name}（{declaration.receipt_code}）", "")),
        },
    )


def _registered_household(declaration: Declaration):
    member = Member.objects.filter(id_number=declaration.id_number).select_related("household")
    found = member.first()
    return found.household if found else None


@login_required
def declaration_stats(request: HttpRequest) -> HttpResponse:
    _require(request, {Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL})
    rows = selectors.declaration_stats(user=request.user)
    return render(
        request,
        "declarations/stats.html",
        {
            "rows": rows,
            "nav_active": "declarations",
            "crumbs": _crumbs(("各镇办理情况", "")),
        },
    )


@login_required
def poster_index(request: HttpRequest) -> HttpResponse:
    _require(request, selectors.POSTER_ROLES)
    villages = list(selectors.poster_villages(user=request.user))
    towns: dict = {}
    for village in villages:
        towns.setdefault(village.town, []).append(village)
    return render(
        request,
        "declarations/poster_index.html",
        {
            "towns": towns.items(),
            "nav_active": "declarations",
            "crumbs": _crumbs(("申报二维码海报", "")),
        },
    )


@login_required
def poster_print(request: HttpRequest) -> HttpResponse:
    """A4 sheets, one per village: all of a town's villages, or one village."""
    _require(request, selectors.POSTER_ROLES)
    villages = selectors.poster_villages(user=request.user)
    town, village = request.GET.get("town", ""), request.GET.get("village", "")
    if town.isdigit() and len(town) < 19:
        villages = villages.filter(town_id=int(town))
    elif village.isdigit() and len(village) < 19:
        villages = villages.filter(pk=int(village))
    else:
        raise Http404
    villages = list(villages)
    if not villages:
        raise Http404
    tokens = services.poster_codes_ensure(villages=villages)
    sheets = []
    for each in villages:
        url = request.build_absolute_uri(reverse("declare:village", args=[tokens[each.pk]]))
        sheets.append({"village": each, "url": url, "qr": qr_svg(url)})
    answer_days = PolicySettings.current().declaration_answer_working_days
    return render(
        request, "declarations/poster_print.html", {"sheets": sheets, "answer_days": answer_days}
    )
