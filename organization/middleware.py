"""A one-time password is spent before anything else is done with it."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# The REST API answers in JSON; a redirect to a page would only confuse its clients.
API_PREFIX = "/api/"


class PasswordChangeRequiredMiddleware:
    """Sends a signed-in person whose account still has its one-time password (new, or reset
    by an editor: ``User.must_change_password``) to the password page, from every page but
    that one, signing out and static files. The API is not redirected.

    Listed after the authentication and message middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._exempt(request.path_info)
        ):
            target = reverse("password_change")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        if path.startswith(API_PREFIX) or path.startswith(settings.STATIC_URL):
            return True
        return path in {reverse("password_change"), reverse("logout")}


class SessionIdleMiddleware:
    """A signed-in session ends after ``SESSION_COOKIE_AGE`` seconds without a request (and,
    with ``SESSION_EXPIRE_AT_BROWSER_CLOSE``, when the browser closes).

    Django counts a session's age from its last save; saving on every request would write the
    session table once per page. Instead the session is marked (and so saved) when more than
    ``SESSION_RENEW_SECONDS`` passed since it was last renewed: the idle time is then between
    ``SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS`` and ``SESSION_COOKIE_AGE``."""

    KEY = "_renewed_at"

    @classmethod
    def mark_signed_in(cls, sender, request=None, **kwargs) -> None:
        session = getattr(request, "session", None)
        if session is not None:
            session[cls.KEY] = int(time.time())

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                session[self.KEY] = now
        return self.get_response(request)
