"""Bad input never answers 500 and never logs a traceback: it is the client's error (400),
said in Chinese, as JSON to the API and as the site's page to a browser."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from django.conf import settings

from households.models import Member
from identification.models import CaseState
from identification.tests.factories import household_ready, walk
from suixi_monitor.log_filters import ClientErrorFilter

NUL = "空字符"


def _no_error_logged(caplog) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("path", ["/api/warnings/", "/api/clues/", "/api/households/"])
def test_a_nul_in_a_query_parameter_is_400_in_chinese(world, api, path, caplog):
    api.force_authenticate(world.erin)
    response = api.get(path, {"period": "\x00", "q": "a\x00b"})
    assert response.status_code == 400
    assert NUL in response.json()["detail"]
    _no_error_logged(caplog)


def test_a_nul_inside_a_json_string_is_400(world, api):
    household = household_ready(world.a1)
    api.force_authenticate(world.alice)
    body = {
        "household": household.pk,
        "applicant": household.head.pk,
        "applied_on": "2024-01-05",
        "hardship": "因病",
        "risk_types": ["illness\x00"],
    }
    response = api.post("/api/identification-cases/", body, format="json")
    assert response.status_code == 400
    assert NUL in response.json()["detail"]


def test_a_nul_in_a_form_field_is_400(world, api):
    api.force_authenticate(world.erin)
    response = api.post(
        "/api/monitoring-subjects/",
        "household=1&category=edge&risk_types=a%00b",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert NUL in response.json()["detail"]


def test_a_nul_on_a_page_answers_the_chinese_400_page(world, client):
    client.force_login(world.alice)
    response = client.get("/households/", {"q": "\x00"})
    assert response.status_code == 400
    assert NUL in response.content.decode()
    assert "请求有误" in response.content.decode()


def test_an_escaped_backslash_before_u0000_is_not_a_nul(world, api):
    api.force_authenticate(world.alice)
    response = api.post(
        "/api/identification-cases/",
        b'{"hardship": "C:\\\\u0000"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "detail" not in response.json() or NUL not in response.json()["detail"]


def test_a_role_that_may_not_file_is_refused_before_its_risk_types_are_looked_up(world, api):
    case = walk(world, CaseState.COUNTY_FILING)
    api.force_authenticate(world.carol)
    body = {"filed_on": "2024-01-05", "category": "edge", "risk_types": ["no-such-risk"]}
    response = api.post(f"/api/identification-cases/{case.pk}/file/", body, format="json")
    assert response.status_code == 403
    assert "县备案须由" in response.json()["detail"]


def test_a_non_numeric_case_id_is_404_for_objections(world, api):
    api.force_authenticate(world.carol)
    body = {"content": "有异议", "lodged_on": "2024-01-05"}
    assert api.post("/api/identification-cases/AAA/objections/", body).status_code == 404
    assert api.get("/api/identification-cases/AAA/objections/").status_code == 404


def test_a_null_member_row_is_400_naming_the_row(world, api):
    api.force_authenticate(world.alice)
    body = {"village": world.a1.pk, "head_name": "张三", "address": "甲一村", "members": [None]}
    response = api.post("/api/households/", body, format="json")
    assert response.status_code == 400
    assert "members[0]" in response.json()


def test_too_many_form_fields_is_400_naming_the_limit(world, api, caplog):
    api.force_authenticate(world.carol)
    body = "&".join(f"ids={i}" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5))
    response = api.post(
        "/api/warnings/assign-bulk/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert str(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS) in response.json()["detail"]
    _no_error_logged(caplog)


def test_an_oversized_json_body_is_400_in_chinese_without_a_traceback(world, api, caplog):
    api.force_authenticate(world.alice)
    body = json.dumps({"hardship": "x" * (5 * 1024 * 1024)})
    response = api.post("/api/identification-cases/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "请求内容过大" in response.json()["detail"]
    _no_error_logged(caplog)
    assert any(r.levelno == logging.WARNING for r in caplog.records)


def test_an_oversized_page_form_answers_the_chinese_page(world, client, caplog):
    client.force_login(world.alice)
    response = client.post("/households/new/", {"head_name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 400
    assert "请求内容过大" in response.content.decode()
    _no_error_logged(caplog)


def test_publicity_days_over_the_maximum_names_the_requests_field(world, api):
    case = walk(world, CaseState.TOWN_REVIEWING)
    api.force_authenticate(world.carol)
    body = {
        "meeting_on": str(case.publicities.get().due_on),
        "approved": True,
        "opinion": "同意",
        "publicity_started_on": str(case.publicities.get().due_on),
        "publicity_days": 100000,
    }
    response = api.post(f"/api/identification-cases/{case.pk}/approve-town/", body, format="json")
    assert response.status_code == 400
    assert "publicity_days" in response.json()
    assert "days" not in response.json()


def test_a_member_cannot_be_moved_to_another_household_by_an_edit(world, api):
    household = household_ready(world.a1)
    other = household_ready(world.a1)
    member = household.members.exclude(relation=Member.Relation.HEAD).first()
    api.force_authenticate(world.alice)
    response = api.patch(f"/api/members/{member.pk}/", {"household": other.pk}, format="json")
    assert response.status_code == 400
    assert "household" in response.json()
    member.refresh_from_db()
    assert member.household_id == household.pk
    # Naming its own household (a client sending the whole object back) is fine.
    same = api.patch(f"/api/members/{member.pk}/", {"household": household.pk}, format="json")
    assert same.status_code == 200


def test_django_security_errors_are_logged_as_warnings_without_a_traceback():
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    assert any(isinstance(f, ClientErrorFilter) for f in handler.filters)
    try:
        raise ValueError("Invalid HTTP_HOST header")
    except ValueError:
        record = logging.getLogger("django.security.DisallowedHost").makeRecord(
            "django.security.DisallowedHost",
            logging.ERROR,
            __file__,
            1,
            "bad host",
            (),
            sys.exc_info(),
        )
    assert handler.filter(record)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
