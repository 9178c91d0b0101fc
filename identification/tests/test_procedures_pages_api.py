"""The 2024 Anhui procedure through the pages and the API: its steps and names, the 409 for a
step a case's procedure lacks, the consent upload; the policy's procedure on page and API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

from households.models import RiskType
from identification.models import CaseState, IdentificationCase
from organization.models import AuditEntry, PolicySettings

from .factories import days_ago, household_ready, walk
from .test_procedures import PDF, anhui_2024

URL = "/api/identification-cases/"


def post(client, user, case, step, data):
    client.force_login(user)
    return client.post(f"/identification/{case.pk}/{step}/", data)


# --- pages ------------------------------------------------------------------------------


def test_the_application_page_asks_for_the_consent_under_the_2024_procedure(world, client):
    anhui_2024()
    household = household_ready(world.a1)
    client.force_login(world.alice)
    url = f"/identification/apply/{household.pk}/"
    page = client.get(url)
    assert "承诺授权" in page.content.decode()
    illness = RiskType.objects.get(code="illness").pk
    values = {
        "applicant": household.members.first().pk,
        "applied_on": str(days_ago(2)),
        "hardship": "因病",
        "risk_types": [illness],
        "source": "household",
    }
    refused = client.post(url, values)
    assert refused.status_code == 200
    assert "承诺授权" in refused.context["form"].errors["consent_given"][0]
    scan = SimpleUploadedFile("授权书.pdf", PDF)
    values |= {"consent_given": "on", "consent_signed_on": str(days_ago(2)), "consent_form": scan}
    assert client.post(url, values).status_code == 302
    case = household.identification_cases.get()
    assert (case.procedure, case.consent_given) == ("anhui_2024", True)
    assert case.consent_form.read() == PDF


def test_the_consent_page_refuses_a_bad_file_on_its_field_then_records_it(world, client):
    anhui_2024()
    household = household_ready(world.a1)
    case = walk(world, CaseState.APPLIED, household=household)
    IdentificationCase.objects.filter(pk=case.pk).update(consent_given=False)
    bad = SimpleUploadedFile("授权书.pdf", b"GIF89a")
    response = post(
        client,
        world.alice,
        case,
        "consent",
        {"consent_signed_on": str(days_ago(1)), "consent_form": bad},
    )
    assert response.status_code == 200
    assert "JPG、PNG图片或PDF" in response.context["form"].errors["consent_form"][0]
    good = SimpleUploadedFile("授权书.pdf", PDF)
    response = post(
        client,
        world.alice,
        case,
        "consent",
        {"consent_signed_on": str(days_ago(1)), "consent_form": good},
    )
    assert response.status_code == 302
    page = client.get(f"/identification/{case.pk}/").content.decode()
    assert "查看授权书" in page
    download = client.get(f"/identification/{case.pk}/consent/form/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditEntry.objects.filter(user=world.alice, what__contains="承诺授权书").count() == 1
    client.force_login(world.bob)  # another village: the case is not found
    assert client.get(f"/identification/{case.pk}/consent/form/").status_code == 404


def test_every_2024_step_through_its_page(world, client):
    anhui_2024()
    case = walk(world, CaseState.VERIFIED, start=40)
    page = post(client, world.alice, case, "deliberate-village", {})
    assert "民主评议" in page.content.decode() and "group" not in page.context["form"].fields
    meeting = {"held_on": str(days_ago(36)), "expected": 6, "present": 5, "approvals": 4}
    assert post(client, world.alice, case, "deliberate-village", meeting).status_code == 302
    publicity = {
        "meeting_on": str(days_ago(34)),
        "decision": "同意",
        "publicity_started_on": str(days_ago(34)),
    }
    assert post(client, world.alice, case, "publicize-village", publicity).status_code == 302
    client.force_login(world.carol)
    detail = client.get(f"/identification/{case.pk}/").content.decode()
    assert "比对结果录入前不能结束公示" in detail
    assert "/conclude/" not in detail
    client.force_login(world.erin)
    assert "信息比对" in client.get(f"/identification/{case.pk}/compare/").content.decode()
    compared = post(client, world.erin, case, "compare", {"compared_on": str(days_ago(30))})
    assert compared.status_code == 302
    client.force_login(world.carol)
    assert "/conclude/" in client.get(f"/identification/{case.pk}/").content.decode()
    assert client.post(f"/identification/{case.pk}/conclude/").status_code == 302
    review = {"meeting_on": str(days_ago(20)), "approved": "1", "opinion": "同意"}
    assert post(client, world.carol, case, "review-town", review).status_code == 302
    approval = {
        "approved_on": str(days_ago(10)),
        "category": "unstable",
        "risk_types": list(case.risk_types.values_list("pk", flat=True)),
    }
    assert post(client, world.erin, case, "approve-county", approval).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.FILED
    detail = client.get(f"/identification/{case.pk}/").content.decode()
    for name in (
        "2024年安徽省识别程序（六步）",
        "民主评议",
        "乡镇审核",
        "县级审定公告",
        "已审定公告",
    ):
        assert name in detail, name
    assert "组评议" not in detail and "镇公示中" not in detail


def test_a_step_page_the_cases_procedure_lacks_goes_back_with_the_reason(world, client):
    anhui_2024()
    case = walk(world, CaseState.VERIFIED)
    client.force_login(world.alice)
    response = client.get(f"/identification/{case.pk}/deliberate/", follow=True)
    assert response.redirect_chain[-1][0] == f"/identification/{case.pk}/"
    assert "该申请按2024年安徽省识别程序办理，没有组评议环节" in response.content.decode()


def test_the_2021_case_page_keeps_its_seven_steps(world, client):
    case = walk(world, CaseState.TOWN_REVIEWING)
    client.force_login(world.carol)
    page = client.get(f"/identification/{case.pk}/").content.decode()
    assert "2021年濉溪县识别程序（七步）" in page and "镇公示中" in page
    assert f"/identification/{case.pk}/approve-town/" in page


# --- API ----------------------------------------------------------------------------------


def act(api, user, case, step, payload, **kwargs):
    api.force_authenticate(user)
    return api.post(f"{URL}{case.pk}/{step}/", payload, **{"format": "json", **kwargs})


def test_every_2024_step_through_the_api(world, api):
    anhui_2024()
    household = household_ready(world.a1)
    api.force_authenticate(world.alice)
    created = api.post(
        URL,
        {
            "household": household.pk,
            "applicant": household.members.first().pk,
            "applied_on": str(days_ago(40)),
            "hardship": "因病",
            "risk_types": ["illness"],
            "source": "warning",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    body = created.data
    assert (body["procedure"], body["procedure_display"]) == (
        "anhui_2024",
        "2024年安徽省识别程序（六步）",
    )
    assert body["state_display"] == "已申请（待入户核查）" and body["consent_given"] is False
    case = IdentificationCase.objects.get(pk=body["id"])
    scan = SimpleUploadedFile("授权书.pdf", PDF)
    consent = act(
        api,
        world.alice,
        case,
        "consent",
        {"consent_signed_on": str(days_ago(40)), "consent_form": scan},
        format="multipart",
    )
    assert consent.status_code == 200, consent.data
    assert consent.data["has_consent_form"] is True
    verify = {
        "checked_on": str(days_ago(38)),
        "team": [
            {"role": "village_committee", "user": world.alice.pk},
            {"role": "work_team", "name": "周某"},
        ],
        "findings": "入户核实",
        "passed": True,
        "medical_burden": True,
    }
    assert act(api, world.alice, case, "verify", verify).status_code == 200
    meeting = {"held_on": str(days_ago(36)), "expected": 6, "present": 6, "approvals": 4}
    response = act(api, world.alice, case, "deliberate-village", meeting)
    assert response.status_code == 200 and response.data["state"] == "deliberated"
    assert response.data["timeline"][-1]["step"] == "民主评议"
    publicity = {
        "meeting_on": str(days_ago(34)),
        "decision": "同意",
        "publicity_started_on": str(days_ago(34)),
    }
    assert act(api, world.alice, case, "publicize-village", publicity).status_code == 200
    early = act(api, world.carol, case, "conclude-publicity", {})
    assert early.status_code == 409 and "信息比对" in early.data["detail"]
    compared = act(api, world.erin, case, "compare", {"compared_on": str(days_ago(30))})
    assert compared.status_code == 200 and compared.data["state"] == "village_publicizing"
    assert act(api, world.carol, case, "conclude-publicity", {}).data["state"] == "town_reviewing"
    review = {"meeting_on": str(days_ago(20)), "approved": True, "opinion": "同意"}
    assert act(api, world.carol, case, "review-town", review).data["state"] == "county_filing"
    approval = {"approved_on": str(days_ago(10)), "category": "unstable", "risk_types": ["illness"]}
    done = act(api, world.erin, case, "approve-county", approval)
    assert done.status_code == 200, done.data
    assert done.data["state_display"] == "已审定公告"
    assert done.data["announcement"] == f"〔{days_ago(10).year}〕1号"
    listed = api.get(URL, {"procedure": "anhui_2024"}).json()["results"]
    assert [row["id"] for row in listed] == [case.pk]
    assert api.get(URL, {"procedure": "suixi_2021"}).json()["results"] == []


def test_the_api_answers_409_naming_the_procedure_for_a_step_it_lacks(world, api):
    anhui_2024()
    anhui_case = walk(world, CaseState.VERIFIED)
    meeting = {"group": world.groups[world.a1.pk].pk, "held_on": str(days_ago(70))}
    response = act(
        api,
        world.alice,
        anhui_case,
        "deliberate",
        {**meeting, "expected": 6, "present": 6, "approvals": 6},
    )
    assert response.status_code == 409
    assert response.data == {
        "detail": "该申请按2024年安徽省识别程序办理，没有组评议环节",
        "procedure": "anhui_2024",
    }
    # Before the body is read: even an empty body gets the 409, not a 400.
    assert act(api, world.alice, anhui_case, "deliberate", {}).status_code == 409
    for year in range(days_ago(120).year, days_ago(0).year + 1):
        PolicySettings.objects.filter(year=year).update(identification_procedure="suixi_2021")
    old_case = walk(world, CaseState.TOWN_REVIEWING)
    response = act(api, world.carol, old_case, "review-town", {})
    assert response.status_code == 409
    assert response.data["detail"] == "该申请按2021年濉溪县识别程序办理，没有乡镇审核环节"
    # The 2024 case kept its procedure after the year's setting went back.
    response = act(
        api,
        world.alice,
        anhui_case,
        "deliberate-village",
        {"held_on": str(days_ago(70)), "expected": 6, "present": 6, "approvals": 6},
    )
    assert response.status_code == 200 and response.data["procedure"] == "anhui_2024"


def test_a_role_the_2024_table_does_not_name_is_refused_before_its_body_is_read(world, api):
    anhui_2024()
    case = walk(world, CaseState.TOWN_REVIEWING)
    response = act(api, world.alice, case, "review-town", {})
    assert response.status_code == 403
    assert "乡镇审核须由镇（园区）干部办理" in response.data["detail"]


def test_the_api_refuses_a_consent_scan_of_another_type(world, api):
    anhui_2024()
    household = household_ready(world.a1)
    case = walk(world, CaseState.APPLIED, household=household)
    scan = SimpleUploadedFile("授权书.jpg", b"not an image")
    response = act(
        api,
        world.alice,
        case,
        "consent",
        {"consent_signed_on": str(days_ago(1)), "consent_form": scan},
        format="multipart",
    )
    assert response.status_code == 400
    assert "JPG、PNG图片或PDF" in str(response.data)


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(
    ("path", "procedures"),
    [
        ("deliberate", ["suixi_2021"]),
        ("approve-town", ["suixi_2021"]),
        ("file", ["suixi_2021"]),
        ("consent", ["anhui_2024"]),
        ("deliberate-village", ["anhui_2024"]),
        ("review-town", ["anhui_2024"]),
        ("approve-county", ["anhui_2024"]),
        ("verify", ["suixi_2021", "anhui_2024"]),
        ("compare", ["suixi_2021", "anhui_2024"]),
        ("publicize-village", ["suixi_2021", "anhui_2024"]),
    ],
)
def test_the_schema_says_which_procedure_each_step_belongs_to(schema, path, procedures):
    operation = schema["paths"][f"/api/identification-cases/{{id}}/{path}/"]["post"]
    assert operation["x-procedures"] == procedures
    for key, label in (
        ("suixi_2021", "2021年濉溪县识别程序"),
        ("anhui_2024", "2024年安徽省识别程序"),
    ):
        assert (label in operation["description"]) is True
        if key not in procedures:
            assert "没有此步骤" in operation["description"]
    assert "409" in operation["responses"]


# --- the policy page and API name the year's procedure --------------------------------------


def test_the_policy_page_and_api_show_the_years_procedure(world, client, api):
    year = days_ago(0).year
    anhui_2024()
    client.force_login(world.alice)
    page = client.get(f"/policy/{year}/").content.decode()
    assert "识别程序" in page and "2024年安徽省识别程序（六步）" in page
    api.force_authenticate(world.alice)
    assert api.get(f"/api/policy/{year}/").json()["identification_procedure"] == "anhui_2024"
    api.force_authenticate(world.erin)
    response = api.patch(
        f"/api/policy/{year}/", {"identification_procedure": "suixi_2021"}, format="json"
    )
    assert response.status_code == 200, response.data
    policy = PolicySettings.objects.get(year=year)
    assert policy.identification_procedure == "suixi_2021"
    assert policy.history.first().history_user == world.erin
