"""The public page (一码申报): no sign-in, phone first. It takes a declaration and, with a
receipt code and the phone number, tells its status and nothing else."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from organization.models import PolicySettings
from suixi_monitor.forms import run_service

from .. import selectors, services
from ..forms import CONSENT_TEXT, DeclarationForm, StatusForm
from ..models import PosterCode
from ..throttles import STATUS_THROTTLES, SUBMIT_THROTTLES, throttled

MSG_TOO_LARGE = "提交的内容过长，请精简“简要说明”后重新提交"
MSG_NO_FILES = "本页面不接收文件"
MSG_NOT_FOUND = "未查询到该回执码的申报，请核对回执码和手机号"


def body_refusal(request: HttpRequest) -> str | None:
    """The public forms are a few short fields: a larger body, or a file, is refused unread."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.DECLARATION_MAX_BODY_BYTES:
        return MSG_TOO_LARGE
    if request.content_type == "multipart/form-data" and request.FILES:
        return MSG_NO_FILES  # parsed only once the body is known to be small
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def declare(request: HttpRequest, token: str | None = None) -> HttpResponse:
    village = None
    if token is not None:
        code = PosterCode.objects.filter(token=token).select_related("village__town").first()
        if code is None:
            raise Http404
        village = code.village
    initial = {"village": village.pk, "town": village.town_id} if village else {}
    context = {
        "village": village,
        "consent_text": CONSENT_TEXT,
        "status_form": StatusForm(auto_id="status_%s"),
        "answer_days": PolicySettings.current().declaration_answer_working_days,
    }
    if request.method == "POST" and (refusal := body_refusal(request)):
        return _page(request, context, DeclarationForm(initial=initial), refusal, status=400)
    action = request.POST.get("do") if request.method == "POST" else None
    form = DeclarationForm(request.POST if action == "declare" else None, initial=initial)
    if action == "declare":
        if refusal := throttled(request, SUBMIT_THROTTLES):
            return _page(request, context, form, refusal, status=429)
        if form.is_valid():
            result = run_service(form, services.declaration_submit, **form.submission())
            if result is not None:
                declaration, created = result
                context.update(receipt=declaration.receipt_code, merged=not created)
                return render(request, "declarations/public_receipt.html", context)
    elif action == "status":
        context["status_form"] = status_form = StatusForm(request.POST, auto_id="status_%s")
        if refusal := throttled(request, STATUS_THROTTLES):
            return _page(request, context, form, refusal, status=429, anchor="status")
        if status_form.is_valid():
            found = selectors.declaration_status(**status_form.cleaned_data)
            context["status"] = found.public_status if found else None
            context["status_missing"] = found is None
            context["anchor"] = "status"
    return _page(request, context, form)


def _page(request, context, form, refusal: str = "", *, status: int = 200, anchor: str = ""):
    context = {**context, "form": form, "refusal": refusal}
    if anchor:
        context["anchor"] = anchor
    return render(request, "declarations/public.html", context, status=status)
