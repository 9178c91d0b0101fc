"""The public page and the public API: the form, the status that tells nothing more, the
throttles per address and per phone, and the size limits."""

import pytest

from declarations import services
from declarations.models import Declaration
from households.models import RiskType
from households.tests.factories import new_id_number

from .conftest import PHONE

pytestmark = pytest.mark.django_db


def _form(world, **changes):
    return {
        "do": "declare",
        "name": "孙二娘",
        "id_number": new_id_number(),
        "phone": PHONE,
        "town": world.town_a.pk,
        "village": world.a1.pk,
        "risk_types": [RiskType.objects.get(code="illness").pk],
        "words": "丈夫突发重病",
        "consent": "on",
        **changes,
    }


def test_the_page_opens_without_signing_in_and_shows_the_consent_text(client):
    page = client.get("/declare/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "个人信息使用说明" in text and 'name="consent"' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert 'type="file"' not in text


def test_sending_the_form_answers_the_receipt_code(world, client):
    page = client.post("/declare/", _form(world))
    assert page.status_code == 200
    declaration = Declaration.objects.get()
    assert declaration.receipt_code in page.content.decode()
    assert declaration.village == world.a1


def test_without_consent_nothing_is_kept(world, client):
    form = _form(world)
    del form["consent"]
    page = client.post("/declare/", form)
    assert "请阅读并勾选同意个人信息使用说明" in page.content.decode()
    assert not Declaration.objects.exists()


def test_a_bad_id_number_is_named_as_everywhere(world, client):
    page = client.post("/declare/", _form(world, id_number="340621199001011234"))
    assert "身份证号校验位不正确" in page.content.decode()


def test_the_page_is_csrf_protected(world):
    from django.test import Client

    page = Client(enforce_csrf_checks=True).post("/declare/", _form(world))
    assert page.status_code == 403
    assert not Declaration.objects.exists()


def test_a_large_body_or_a_file_is_refused_unread(world, client, settings):
    settings.DECLARATION_MAX_BODY_BYTES = 2000
    page = client.post("/declare/", _form(world, words="难" * 1000))
    assert page.status_code == 400 and "提交的内容过长" in page.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post("/declare/", {**_form(world), "file": SimpleUploadedFile("a.txt", b"x")})
    assert page.status_code == 400 and "本页面不接收文件" in page.content.decode()
    assert not Declaration.objects.exists()


# --- the status ---------------------------------------------------------------------------


def _status(client, code, phone=PHONE):
    return client.post("/declare/", {"do": "status", "code": code, "phone": phone})


def test_the_status_shows_the_state_and_nothing_else(world, client, declare):
    declaration = declare(name="赵大山", words="老伴住院")
    services.declaration_decline(
        actor=world.alice, declaration=declaration, reason="no_risk", note="王主任入户核实"
    )
    text = _status(client, declaration.receipt_code.lower()).content.decode()
    assert "未纳入（经核实无返贫致贫风险）" in text
    for secret in ("赵大山", "老伴住院", "王主任", declaration.id_number, world.alice.last_name):
        assert secret not in text


def test_a_wrong_phone_answers_like_an_unknown_code(client, declare):
    declaration = declare()
    wrong = _status(client, declaration.receipt_code, "13800000000").content.decode()
    unknown = _status(client, "ABCDEFGH").content.decode()
    assert "未查询到该回执码的申报" in wrong and "未查询到该回执码的申报" in unknown
    assert "办理进度：" not in wrong


def test_a_repeat_from_another_phone_may_follow_it_up(world, client, declare):
    declaration = declare()
    services.declaration_submit(
        name="赵大山",
        id_number=declaration.id_number,
        phone="13600000000",
        village=world.a1,
        risk_types=[RiskType.objects.get(code="illness")],
        consent=True,
    )
    assert (
        "已受理（待核实）"
        in _status(client, declaration.receipt_code, "13600000000").content.decode()
    )


def test_the_api_status_has_only_the_state(api, world, declare):
    declaration = declare()
    services.declaration_start_checking(actor=world.alice, declaration=declaration)
    answer = api.get(
        "/api/declarations/status/", {"code": declaration.receipt_code, "phone": PHONE}
    )
    assert answer.status_code == 200
    assert answer.json() == {"status": "checking", "status_display": "核实中", "decline_reason": ""}


def test_the_api_status_answers_404_alike_for_a_wrong_pair_and_an_unknown_code(api, declare):
    declaration = declare()
    wrong = api.get(
        "/api/declarations/status/", {"code": declaration.receipt_code, "phone": "13800000000"}
    )
    unknown = api.get("/api/declarations/status/", {"code": "XXXXXXXX", "phone": PHONE})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


# --- the API submission -------------------------------------------------------------------


def _payload(world, **changes):
    return {
        "name": "孙二娘",
        "id_number": new_id_number(),
        "phone": PHONE,
        "village": world.a1.pk,
        "risk_types": [RiskType.objects.get(code="illness").pk],
        "words": "丈夫突发重病",
        "consent": True,
        **changes,
    }


def test_the_api_takes_a_declaration_without_an_account(api, world):
    answer = api.post("/api/declarations/", _payload(world), format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["merged"] is False and body["status_display"] == "已受理（待核实）"
    assert Declaration.objects.get().receipt_code == body["receipt_code"]


def test_the_api_merges_a_repeat_and_answers_the_same_code(api, world):
    payload = _payload(world)
    first = api.post("/api/declarations/", payload, format="json").json()
    again = api.post("/api/declarations/", payload, format="json")
    assert again.status_code == 200
    assert again.json()["receipt_code"] == first["receipt_code"] and again.json()["merged"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("consent", False), ("id_number", "123"), ("phone", "12345"), ("village", 10**30)],
)
def test_the_api_refuses_bad_input_with_400(api, world, field, value):
    answer = api.post("/api/declarations/", _payload(world, **{field: value}), format="json")
    assert answer.status_code == 400
    assert field in answer.json()


def test_the_api_takes_no_files(api, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = api.post(
        "/api/declarations/",
        {**_payload(world), "risk_types": 1, "file": SimpleUploadedFile("a.txt", b"x")},
        format="multipart",
    )
    assert answer.status_code in (400, 415)
    assert not Declaration.objects.exists()


def test_the_api_refuses_a_large_body(api, world, settings):
    settings.DECLARATION_MAX_BODY_BYTES = 600  # the words alone are 870 bytes of UTF-8
    answer = api.post("/api/declarations/", _payload(world, words="难" * 290), format="json")
    assert answer.status_code == 400 and "过长" in answer.json()["detail"]


def test_a_json_list_is_a_400_not_a_500(api):
    answer = api.post("/api/declarations/", [1, 2], format="json")
    assert answer.status_code == 400


# --- throttling ---------------------------------------------------------------------------


def test_the_page_is_throttled_per_address(world, client, settings):
    settings.DECLARATION_THROTTLE_RATES = {
        **settings.DECLARATION_THROTTLE_RATES,
        "declaration_ip": "2/hour",
    }
    for n in range(2):
        assert client.post("/declare/", _form(world, phone=f"1390000000{n}")).status_code == 200
    refused = client.post("/declare/", _form(world, phone="13900000009"))
    assert refused.status_code == 429
    assert "提交过于频繁" in refused.content.decode()
    assert Declaration.objects.count() == 2
    # Another address is not held back.
    other = client.post("/declare/", _form(world, phone="13900000008"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_the_page_is_throttled_per_phone_across_addresses(world, client, settings):
    settings.DECLARATION_THROTTLE_RATES = {
        **settings.DECLARATION_THROTTLE_RATES,
        "declaration_phone": "2/day",
    }
    for n in range(2):
        client.post("/declare/", _form(world), REMOTE_ADDR=f"10.0.0.{n}")
    refused = client.post("/declare/", _form(world), REMOTE_ADDR="10.0.0.7")
    assert refused.status_code == 429


def test_a_forwarded_for_header_does_not_dodge_the_address_limit(world, client, settings):
    settings.DECLARATION_THROTTLE_RATES = {
        **settings.DECLARATION_THROTTLE_RATES,
        "declaration_ip": "1/hour",
    }
    client.post("/declare/", _form(world, phone="13900000001"), HTTP_X_FORWARDED_FOR="1.1.1.1")
    refused = client.post(
        "/declare/", _form(world, phone="13900000002"), HTTP_X_FORWARDED_FOR="2.2.2.2"
    )
    assert refused.status_code == 429


def test_the_status_lookup_is_throttled(world, client, settings, declare):
    settings.DECLARATION_THROTTLE_RATES = {
        **settings.DECLARATION_THROTTLE_RATES,
        "declaration_status_ip": "3/hour",
    }
    for _ in range(3):
        assert _status(client, "ABCDEFGH").status_code == 200
    assert _status(client, "ABCDEFGH").status_code == 429


def test_the_api_answers_429_in_chinese_per_address_and_per_phone(api, world, settings):
    settings.DECLARATION_THROTTLE_RATES = {
        **settings.DECLARATION_THROTTLE_RATES,
        "declaration_ip": "2/hour",
        "declaration_phone": "1/day",
    }
    assert api.post("/api/declarations/", _payload(world), format="json").status_code == 201
    by_phone = api.post(
        "/api/declarations/", _payload(world), format="json", REMOTE_ADDR="10.1.1.1"
    )
    assert by_phone.status_code == 429
    assert "提交过于频繁" in by_phone.json()["detail"]
    api.post("/api/declarations/", _payload(world, phone="13700000001"), format="json")
    by_address = api.post("/api/declarations/", _payload(world, phone="13700000002"), format="json")
    assert by_address.status_code == 429


def test_the_api_status_is_throttled(api, settings):
    settings.DECLARATION_THROTTLE_RATES = {
        **settings.DECLARATION_THROTTLE_RATES,
        "declaration_status_phone": "2/hour",
    }
    query = {"code": "ABCDEFGH", "phone": PHONE}
    for _ in range(2):
        assert api.get("/api/declarations/status/", query).status_code == 404
    assert api.get("/api/declarations/status/", query).status_code == 429
