"""Answers that every page shares, in the site's own words."""

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse, QueryDict
from django.shortcuts import render

# The REST API answers a wrong method itself (DRF: 405 with a JSON body in Chinese).
API_PREFIX = "/api/"


class MethodNotAllowedPageMiddleware:
    """A page opened with a method it does not take (a bookmarked or refreshed ``require_POST``
    address, say) gets Django's empty ``HttpResponseNotAllowed``: a blank screen. Show it like
    the 403 and 404 pages instead, keeping the status 405 and the ``Allow`` header.

    Listed after ``CsrfViewMiddleware`` so that the header's sign-out form rendered here still
    gets its CSRF cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not isinstance(response, HttpResponseNotAllowed)
            or response.content
            or request.path_info.startswith(API_PREFIX)
        ):
            return response
        allowed = response["Allow"]
        methods = {method.strip() for method in allowed.split(",")}
        page = render(request, "405.html", {"only_submit": "GET" not in methods}, status=405)
        page["Allow"] = allowed
        return page


# --- bad input: one place answers it, before any view sees it ------------------------------

# A backslash-u escape of NUL in a JSON text, not preceded by an escaped backslash.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
NUL_MESSAGE = "请求中含有空字符（\\0），请删除后重新提交。"


def input_limit_message(exc: Exception) -> str:
    """The Chinese message for a body Django refused to read, naming the limit."""
    if isinstance(exc, TooManyFieldsSent):
        return (
            f"提交的字段过多：一次最多 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个字段"
            "（批量操作请分批提交，或以 JSON 列表提交）。"
        )
    if isinstance(exc, TooManyFilesSent):
        return f"上传的文件过多：一次最多 {settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个文件。"
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return f"请求内容过大：除上传的文件外，一次最多 {limit_mb:g} MB。"


INPUT_LIMIT_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """400 in the client's language: JSON for the API, the site's page for pages. Django logs
    it as a warning ("Bad Request: …"), with no traceback."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": message}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "400.html", {"message": message}, status=400)


def _strings(query: QueryDict) -> list[str]:
    return [text for key, values in query.lists() for text in (key, *values)]


def _has_nul(values: list[str]) -> bool:
    return any("\x00" in value for value in values)


class RequestInputMiddleware:
    """Refuse, once for every page and API call, input no view should ever see:

    - a NUL character in a query parameter, form field or JSON string (PostgreSQL cannot
      store one in text and answers an error for any query that carries it);
    - a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, more fields than
      ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` or files than ``DATA_UPLOAD_MAX_NUMBER_FILES``.

    Each answers 400 with a Chinese message (JSON for the API, a page otherwise) and is
    logged as a warning without a traceback: it is the client's error, not the server's.
    Uploaded files are not inspected (a spreadsheet may hold any bytes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refused = self.refused(request)
        except INPUT_LIMIT_ERRORS as exc:
            return bad_request(request, input_limit_message(exc))
        if refused:
            return bad_request(request, refused)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        # A view that reads the body itself (a multipart upload) meets the same limits.
        if isinstance(exception, INPUT_LIMIT_ERRORS):
            return bad_request(request, input_limit_message(exception))
        return None

    @staticmethod
    def refused(request: HttpRequest) -> str | None:
        if _has_nul(_strings(request.GET)):
            return NUL_MESSAGE
        if request.method in {"GET", "HEAD", "OPTIONS"}:
            return None
        if request.content_type == "multipart/form-data":
            fields = request.POST
            if _has_nul(_strings(fields)):
                return NUL_MESSAGE
            return None
        body = request.body
        if b"\x00" in body:
            return NUL_MESSAGE
        if request.content_type == "application/x-www-form-urlencoded":
            fields = request.POST  # parsed here so that too many fields are refused here
            if _has_nul(_strings(fields)):
                return NUL_MESSAGE
        elif _JSON_NUL.search(body):
            return NUL_MESSAGE
        return None
