"""The API documents what each step answers: who may take it, the rule, the 400/403/409 bodies,
generated from the permission table; and documents comparison-hits as what it returns."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from identification.models import CaseState
from identification.tests.factories import walk

STEPS = [
    "verify",
    "deliberate",
    "compare",
    "publicize-village",
    "approve-town",
    "file",
    "conclude-publicity",
    "reject",
    "withdraw",
    "objections",
    "objections/{objection_pk}/uphold",
    "objections/{objection_pk}/dismiss",
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("step", STEPS)
def test_every_step_documents_who_the_rule_and_its_error_answers(schema, step):
    operation = schema["paths"][f"/api/identification-cases/{{id}}/{step}/"]["post"]
    assert "谁可以办理" in operation["description"]
    responses = operation["responses"]
    for code in ("400", "403", "404", "409"):
        assert responses[code]["description"], code
        assert "content" in responses[code], code
    assert responses["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Conflict"
    }
    assert "三(七)" in responses["400"]["description"] or step in {"reject", "withdraw"}


def test_each_step_names_its_own_roles(schema):
    paths = schema["paths"]
    assert "县扶贫局" in paths["/api/identification-cases/{id}/file/"]["post"]["description"]
    verify = paths["/api/identification-cases/{id}/verify/"]["post"]
    assert "村防贫监测员" in verify["description"]
    assert "县扶贫局" not in verify["responses"]["403"]["description"]


def test_comparison_hits_and_objections_are_documented_unpaginated(schema):
    paths = schema["paths"]
    hits = paths["/api/identification-cases/{id}/comparison-hits/"]["get"]["responses"]["200"]
    ref = hits["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(component["properties"]) == {"hits", "missing_kinds"}
    objections = paths["/api/identification-cases/{id}/objections/"]["get"]["responses"]["200"]
    assert objections["content"]["application/json"]["schema"]["type"] == "array"


def test_the_announcement_number_is_a_field_of_the_case_and_the_subject(world, api):
    case = walk(world, CaseState.FILED)
    api.force_authenticate(world.erin)
    body = api.get(f"/api/identification-cases/{case.pk}/").json()
    assert body["announcement"].startswith("〔") and body["announcement"].endswith("号")
    listed = api.get("/api/identification-cases/", {"state": "filed"}).json()["results"]
    assert listed[0]["announcement"] == body["announcement"]
    subject = api.get(f"/api/monitoring-subjects/{body['monitoring_subject']}/").json()
    assert subject["announcement"] == body["announcement"]
    open_case = walk(world, CaseState.APPLIED)
    assert api.get(f"/api/identification-cases/{open_case.pk}/").json()["announcement"] is None
