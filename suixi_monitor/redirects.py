"""Where a form may send the user back to: a ``next`` of this site only, never another."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The request's ``next`` (form, else query) when it points into this site, else ``default``.

    A ``next`` naming another host (``https://evil.example``, ``//evil.example``,
    ``/\\evil.example``) or another scheme (``javascript:``) is ignored: an open redirect would
    let a link in a phishing message land on a look-alike sign-in page after a real action.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
