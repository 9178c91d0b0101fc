"""Signing in: a lockout after repeated wrong passwords (on the sign-in page, the admin's and
the API's), API tokens that are hashed, expire and end, and sessions that end when idle or
when the browser closes."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from organization import services
from organization.middleware import SessionIdleMiddleware

LIMIT = settings.AXES_FAILURE_LIMIT


def _page_login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _admin_login(client, username, password, **extra):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, **extra
    )


def _api_login(api, username, password, **extra):
    return api.post(
        "/api/auth/token/", {"username": username, "password": password}, format="json", **extra
    )


# --- lockout -------------------------------------------------------------------------


def test_the_defaults_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@pytest.mark.parametrize("login", [_page_login, _admin_login])
def test_repeated_wrong_passwords_lock_the_username_on_the_pages(client, world, login):
    world.erin.is_staff = True
    world.erin.save()
    for _ in range(LIMIT - 1):
        assert login(client, "erin", "wrong").status_code == 200
    locked = login(client, "erin", "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "暂停登录15分钟" in text and "后再试" in text
    # Even the right password is refused while the lock lasts.
    again = login(client, "erin", world.password)
    assert again.status_code == 429 and "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_api_token_endpoint(api, world):
    for _ in range(LIMIT - 1):
        assert _api_login(api, "alice", "wrong").status_code == 400
    locked = _api_login(api, "alice", "wrong")
    assert locked.status_code == 429
    assert "请于" in locked.json()["detail"] and "后再试" in locked.json()["detail"]
    refused = _api_login(api, "alice", world.password)
    assert refused.status_code == 429 and "token" not in refused.json()


def test_failures_count_across_the_three_doors(client, api, world):
    for _ in range(2):
        _page_login(client, "alice", "wrong")
        _api_login(api, "alice", "wrong")
    assert _admin_login(client, "alice", "wrong").status_code == 429


def test_the_lock_holds_one_username_at_one_address(client, world):
    for _ in range(LIMIT):
        _page_login(client, "alice", "wrong")
    # Another person at the same computer, and the same person elsewhere, still sign in.
    assert _page_login(client, "bob", world.password).status_code == 302
    assert _page_login(client, "alice", world.password, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_lock_ends_after_its_time(client, world):
    from axes.models import AccessAttempt

    for _ in range(LIMIT):
        _page_login(client, "alice", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _page_login(client, "alice", world.password).status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, world):
    for _ in range(LIMIT - 1):
        _page_login(client, "alice", "wrong")
    assert _page_login(client, "alice", world.password).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        assert _page_login(client, "alice", "wrong").status_code == 200


# --- API tokens ----------------------------------------------------------------------


def test_a_token_has_an_expiry_and_is_stored_only_as_a_hash(api, world):
    before = timezone.now()
    body = _api_login(api, "alice", world.password).json()
    assert set(body) == {"token", "expiry"}
    stored = AuthToken.objects.get(user=world.alice)
    assert body["token"] not in {stored.digest, stored.token_key}
    expiry = stored.expiry - before
    assert timedelta(hours=9, minutes=59) < expiry <= timedelta(hours=10, seconds=5)


def test_signing_in_again_gives_a_new_token(api, world):
    first = _api_login(api, "alice", world.password).json()["token"]
    second = _api_login(api, "alice", world.password).json()["token"]
    assert first != second


def test_an_expired_token_is_refused(api, world):
    token = _api_login(api, "alice", world.password).json()["token"]
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/villages/").status_code in {401, 403}


def test_logging_out_revokes_the_token(api, world):
    token = _api_login(api, "alice", world.password).json()["token"]
    other = _api_login(api, "alice", world.password).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post("/api/auth/logout/").status_code == 204
    assert api.get("/api/villages/").status_code in {401, 403}
    # Another device's token is not this one.
    api.credentials(HTTP_AUTHORIZATION=f"Token {other}")
    assert api.get("/api/villages/").status_code == 200


def test_changing_ones_password_revokes_every_token(api, world):
    token = _api_login(api, "alice", world.password).json()["token"]
    services.user_change_own_password(actor=world.alice, password="Huaibei#2024x")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/villages/").status_code in {401, 403}
    assert not AuthToken.objects.filter(user=world.alice).exists()


def test_any_new_password_revokes_the_tokens(world):
    AuthToken.objects.create(user=world.alice)
    AuthToken.objects.create(user=world.bob)
    world.alice.set_password("Huaibei#2024x")
    world.alice.save()
    assert not AuthToken.objects.filter(user=world.alice).exists()
    assert AuthToken.objects.filter(user=world.bob).exists()
    # Saving other fields leaves the tokens alone.
    world.bob.phone = "13800000000"
    world.bob.save()
    assert AuthToken.objects.filter(user=world.bob).exists()


# --- sessions ------------------------------------------------------------------------


def test_a_session_ends_with_the_browser_and_after_two_idle_hours(client, world):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE == 2 * 3600
    response = _page_login(client, "alice", world.password)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]
    session = Session.objects.get()
    left = session.expire_date - timezone.now()
    assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)


def test_an_idle_session_is_signed_out(client, world):
    _page_login(client, "alice", world.password)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_session_is_not_written_on_every_request(client, world):
    _page_login(client, "alice", world.password)
    client.get(reverse("home"))
    marked = client.session[SessionIdleMiddleware.KEY]
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=30))
    client.get(reverse("home"))
    assert client.session[SessionIdleMiddleware.KEY] == marked
    assert Session.objects.get().expire_date - timezone.now() < timedelta(minutes=31)


def test_a_session_in_use_is_renewed(client, world):
    _page_login(client, "alice", world.password)
    session = client.session
    session[SessionIdleMiddleware.KEY] = int(time.time()) - settings.SESSION_RENEW_SECONDS - 1
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=30))
    response = client.get(reverse("home"))
    assert not response.get("Location", "").startswith(reverse("login"))
    left = Session.objects.get().expire_date - timezone.now()
    assert left > timedelta(hours=1, minutes=59)
