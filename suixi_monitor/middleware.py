"""Answers that every page shares, in the site's own words."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
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
