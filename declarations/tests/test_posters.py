"""The posters: one A4 sheet per village with a QR code (segno, inline SVG) that opens the
public page for that village; a random token, stable once printed."""

import re

import pytest

from declarations.models import PosterCode

pytestmark = pytest.mark.django_db


def _tokens(html: str) -> list[str]:
    return re.findall(r"/declare/v/([\w-]+)/", html)


def test_a_town_prints_all_its_villages(client, world):
    client.force_login(world.carol)
    page = client.get("/declarations/posters/print/", {"town": world.town_a.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="poster"') == 2
    assert "甲一村" in html and "甲二村" in html and "乙一村" not in html
    assert html.count("<svg") == 2 and "扫码申报" in html
    assert len(set(_tokens(html))) == 2


def test_the_qr_token_is_random_and_stays_the_same(client, world):
    client.force_login(world.erin)
    first = _tokens(
        client.get("/declarations/posters/print/", {"village": world.a1.pk}).content.decode()
    )
    again = _tokens(
        client.get("/declarations/posters/print/", {"village": world.a1.pk}).content.decode()
    )
    assert first == again
    token = first[0]
    assert str(world.a1.pk) != token and len(token) >= 16
    assert PosterCode.objects.get(village=world.a1).token == token


def test_the_qr_code_opens_the_public_page_for_that_village(client, world):
    client.force_login(world.erin)
    token = _tokens(
        client.get("/declarations/posters/print/", {"village": world.a2.pk}).content.decode()
    )[0]
    client.logout()
    page = client.get(f"/declare/v/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "申报到：<strong>甲镇 甲二村</strong>" in html
    assert f'<option value="{world.a2.pk}" data-town="{world.town_a.pk}" selected>' in html


def test_an_unknown_token_is_404(client):
    assert client.get("/declare/v/not-a-token/").status_code == 404


def test_a_town_cannot_print_another_towns_villages(client, world):
    client.force_login(world.dave)
    assert client.get("/declarations/posters/print/", {"village": world.a1.pk}).status_code == 404
    assert client.get("/declarations/posters/print/", {"town": world.town_a.pk}).status_code == 404
    assert client.get("/declarations/posters/print/", {"town": "x" * 40}).status_code == 404


def test_the_county_sees_every_town_on_the_poster_page(client, world):
    client.force_login(world.erin)
    html = client.get("/declarations/posters/").content.decode()
    assert "甲镇" in html and "乙镇" in html


def test_a_village_monitor_does_not_print(client, world):
    client.force_login(world.alice)
    assert client.get("/declarations/posters/").status_code == 403
