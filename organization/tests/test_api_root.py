def test_the_api_root_lists_the_resources_of_every_app(world, api):
    api.force_authenticate(world.erin)
    listed = api.get("/api/").json()
    for name in (
        "towns",
        "policy",
        "households",
        "members",
        "identification-cases",
        "warnings",
        "uploads",
    ):
        assert name in listed


def test_a_refused_write_keeps_the_services_reason(world, api):
    from households.tests.factories import HouseholdFactory

    household = HouseholdFactory(village=world.a1)
    api.force_authenticate(world.alice)
    response = api.post(
        "/api/monitoring-subjects/",
        {
            "household": household.pk,
            "category": "marginal",
            "risk_types": [1],
            "started_on": "2021-06-01",
        },
        format="json",
    )
    assert response.status_code == 403
    assert "县扶贫局" in response.json()["detail"]


def test_a_malformed_json_body_is_refused_in_chinese(world, api):
    api.force_authenticate(world.alice)
    response = api.post("/api/households/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"] and "格式不正确" in response.json()["detail"]
