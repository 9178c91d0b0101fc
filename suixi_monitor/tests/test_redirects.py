"""A form's ``next`` sends the user back into this site only, never to another."""

from __future__ import annotations

import pytest
from django.urls import reverse

from early_warnings.tests.helpers import make_warning

ELSEWHERE = [
    "https://evil.example/login/",
    "//evil.example/login/",
    "/\\evil.example/login/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_assigning_a_warning_never_redirects_to_another_site(world, client, target):
    warning = make_warning(world.a1)
    client.force_login(world.carol)
    response = client.post(f"/warnings/w/{warning.pk}/assign/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("early_warnings:town_inbox")


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_bulk_assignment_never_redirects_to_another_site(world, client, target):
    warning = make_warning(world.a1)
    client.force_login(world.carol)
    response = client.post("/warnings/town/assign/", {"ids": [warning.pk], "next": target})
    assert response["Location"] == reverse("early_warnings:town_inbox")


@pytest.mark.parametrize("target", ELSEWHERE)
def test_marking_notifications_read_never_redirects_to_another_site(world, client, target):
    client.force_login(world.alice)
    response = client.post("/notifications/read/", {"next": target})
    assert response["Location"] == reverse("notifications")


def test_a_path_of_this_site_is_followed(world, client):
    warning = make_warning(world.a1)
    client.force_login(world.carol)
    response = client.post(f"/warnings/w/{warning.pk}/assign/", {"next": "/warnings/town/?page=2"})
    assert response["Location"] == "/warnings/town/?page=2"
