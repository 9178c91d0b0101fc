"""Rate limits of the public declaration page and API, one set for both.

DRF's ``SimpleRateThrottle`` counts in Django's cache; the API lists these classes and the
page calls ``throttled`` with the same ones. The rates are settings
(``DECLARATION_THROTTLE_RATES``), read on each request. Addresses are the ones django-axes
locks on (``organization.audit.client_ip``): a client cannot pick its own by sending a
forwarding header the proxy does not set.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle

from organization.audit import client_ip
from organization.services import is_mobile, normalize_phone

MSG_THROTTLED = "提交过于频繁，请{wait}后再试。如有急事，请直接联系所在村委会。"


class _DeclarationThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return settings.DECLARATION_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        # Rates are settings: read them now, not when the class was first made.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class _ByAddress(_DeclarationThrottle):
    def get_cache_key(self, request, view) -> str | None:
        ip = client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ip} if ip else None


class _ByPhone(_DeclarationThrottle):
    def get_cache_key(self, request, view) -> str | None:
        if request.method == "GET":
            data = getattr(request, "query_params", request.GET)
        else:
            data = getattr(request, "data", request.POST)
        if not hasattr(data, "get"):
            return None  # a body that is no form or object is refused by the serializer
        phone = normalize_phone(str(data.get("phone", ""))[:40])
        if not is_mobile(phone):
            return None  # refused by the form anyway; counted per address
        return self.cache_format % {"scope": self.scope, "ident": phone}


class SubmitByAddress(_ByAddress):
    scope = "declaration_ip"


class SubmitByPhone(_ByPhone):
    scope = "declaration_phone"


class StatusByAddress(_ByAddress):
    scope = "declaration_status_ip"


class StatusByPhone(_ByPhone):
    scope = "declaration_status_phone"


SUBMIT_THROTTLES = (SubmitByAddress, SubmitByPhone)
STATUS_THROTTLES = (StatusByAddress, StatusByPhone)


def wait_label(seconds: float | None) -> str:
    seconds = math.ceil(seconds or 60)
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        return f"{math.ceil(seconds / 60)}分钟"
    return f"{math.ceil(seconds / 3600)}小时"


def throttled(request: HttpRequest, throttles) -> str | None:
    """The Chinese refusal when any of ``throttles`` refuses the page's request, else None."""
    waits = [
        throttle.wait()
        for throttle in (cls() for cls in throttles)
        if not throttle.allow_request(request, None)
    ]
    if not waits:
        return None
    return MSG_THROTTLED.format(wait=wait_label(max(w or 0 for w in waits)))
