"""A failed CSRF check (a form left open too long, or signed out in another tab) is explained
in the site's own words, not on Django's bare page that speaks of DEBUG."""

from django.test import Client
from django.urls import reverse


def test_an_expired_form_says_so_in_chinese_and_saves_nothing(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    response = client.post(reverse("households:create"), {"head_name": "过期户"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期，本次提交未保存" in page
    assert "DEBUG" not in page
    assert "回到首页" in page


def test_signing_in_from_a_stale_login_page_says_so_in_chinese(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
