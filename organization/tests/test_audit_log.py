"""The audit log of personal data: every export and download of it, every look at comparison
data and every search by ID number is recorded (who, when, which); the county reviews the
entries on a page and in the API; nobody changes or deletes one through the app."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from early_warnings.tests.helpers import person, upload_rows
from households.tests.factories import HouseholdFactory, MemberFactory
from identification.models import CaseState
from identification.tests.factories import dataset_with, walk
from organization.audit import looks_like_id_number, record_access
from organization.models import AuditEntry

Kind = AuditEntry.Kind


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _only(**fields) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(**fields))
    assert len(entries) == 1, entries
    return entries[0]


# --- what is recorded ------------------------------------------------------------------


@pytest.mark.parametrize("term", ["340621199001011234", "34062119", "3406211990010112 3x"])
def test_id_shaped_terms_are_recognised(term):
    assert looks_like_id_number(term)


@pytest.mark.parametrize("term", ["", "张三", "3406", "13a4062119900101"])
def test_names_and_short_numbers_are_not_id_searches(term):
    assert not looks_like_id_number(term)


def test_a_household_search_by_id_number_is_recorded_on_the_page_and_in_the_api(client, api, world):
    member = MemberFactory(household=HouseholdFactory(village=world.a1))
    client.force_login(world.alice)
    assert client.get(reverse("households:list"), {"q": member.id_number}).status_code == 200
    entry = _only(user=world.alice)
    assert (entry.kind, entry.detail, entry.what) == (Kind.ID_SEARCH, member.id_number, "农户台账")
    assert entry.path == reverse("households:list") and entry.ip_address == "127.0.0.1"
    api.force_authenticate(world.carol)
    assert api.get("/api/households/", {"q": member.id_number[:10]}).status_code == 200
    assert _only(user=world.carol).detail == member.id_number[:10]
    # A search by name is not a search by ID number.
    client.get(reverse("households:list"), {"q": "张"})
    assert AuditEntry.objects.count() == 2


def test_a_subject_search_by_id_number_is_recorded_on_the_page_and_in_the_api(client, api, world):
    client.force_login(world.alice)
    client.get(reverse("households:subject_list"), {"q": "340621199001011234"})
    assert _only(user=world.alice).what == "监测对象"
    api.force_authenticate(world.carol)
    api.get("/api/monitoring-subjects/", {"q": "340621199001011234"})
    assert _only(user=world.carol).kind == Kind.ID_SEARCH


def test_an_id_number_search_in_the_admin_is_recorded(client, world):
    world.carol.is_staff = True
    world.carol.save()
    world.carol.user_permissions.add(Permission.objects.get(codename="view_member"))
    client.force_login(world.carol)
    client.get(reverse("admin:households_member_changelist"), {"q": "340621199001011234"})
    assert _only(user=world.carol).what == "管理后台：家庭成员"


def test_a_public_notice_export_is_recorded(client, world):
    walk(world, CaseState.VILLAGE_PUBLICIZING, start=14)
    client.force_login(world.alice)
    url = reverse("identification:notice_village", args=[world.a1.pk])
    assert client.get(url, {"format": "xlsx"}).status_code == 200
    entry = _only(user=world.alice)
    assert entry.kind == Kind.EXPORT and entry.detail == "xlsx" and entry.rows == 1
    assert world.a1.name in entry.what


def test_an_error_report_download_is_recorded_on_the_page_and_in_the_api(client, api, world):
    zhang = person(world.a1, name="张三")
    may = datetime.date(2026, 5, 20)
    upload = upload_rows(
        world.frank, [["张三", zhang.id_number, "YB01", 12000, may], ["李四", "1", "YB01", 1, may]]
    )
    client.force_login(world.frank)
    assert client.get(reverse("early_warnings:upload_errors", args=[upload.pk])).status_code == 200
    api.force_authenticate(world.frank)
    assert api.get(f"/api/uploads/{upload.pk}/errors/").status_code == 200
    entries = AuditEntry.objects.filter(user=world.frank, kind=Kind.DOWNLOAD)
    assert entries.count() == 2
    assert {e.rows for e in entries} == {1} and all("错误明细" in e.what for e in entries)


def test_a_look_at_comparison_data_is_recorded(api, world):
    case = walk(world, CaseState.DELIBERATED, start=60)
    dataset_with(case.household.members.first())
    api.force_authenticate(world.erin)
    assert api.get(f"/api/identification-cases/{case.pk}/comparison-hits/").status_code == 200
    entry = _only(user=world.erin)
    assert entry.kind == Kind.COMPARISON and entry.rows == 1
    assert case.household.head_name in entry.what


# --- append-only -------------------------------------------------------------------------


def test_an_entry_cannot_be_changed_or_deleted(rf, world):
    request = rf.get("/x/")
    request.user = world.erin
    entry = record_access(request, kind=Kind.EXPORT, what="村公示名单")
    entry.what = "改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(what="改")
    assert AuditEntry.objects.get().what == "村公示名单"


def test_the_admin_shows_entries_read_only(client, world):
    from organization.tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    request_entry = AuditEntry.objects.create(user=world.alice, kind=Kind.EXPORT, what="名单")
    client.force_login(root)
    change = reverse("admin:organization_auditentry_change", args=[request_entry.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"what": "改"}).status_code == 403
    delete = reverse("admin:organization_auditentry_delete", args=[request_entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:organization_auditentry_add")).status_code == 403
    assert AuditEntry.objects.get().what == "名单"


# --- review ------------------------------------------------------------------------------


@pytest.fixture
def entries(world):
    rows = [
        (world.alice, Kind.ID_SEARCH, "农户台账", datetime.datetime(2026, 5, 1, 9)),
        (world.alice, Kind.EXPORT, "村公示名单", datetime.datetime(2026, 5, 2, 23, 30)),
        (world.carol, Kind.DOWNLOAD, "错误明细", datetime.datetime(2026, 5, 3, 8)),
    ]
    made = []
    for user, kind, what, at in rows:
        entry = AuditEntry.objects.create(user=user, kind=kind, what=what)
        # ``at`` is the time of creation; the app's queryset refuses updates, a test places
        # entries in time through the plain one.
        QuerySet(AuditEntry).filter(pk=entry.pk).update(at=timezone.make_aware(at))
        made.append(entry.pk)
    return made


def test_the_county_reviews_the_log_on_a_page_by_user_kind_and_date(client, world, entries):
    client.force_login(world.erin)
    url = reverse("audit_log")

    def shown(**query):
        return [e.what for e in client.get(url, query).context["page"]]

    page = client.get(url).content.decode()
    assert "村公示名单" in page and "错误明细" in page
    assert shown(who="alice") == ["村公示名单", "农户台账"]
    assert shown(kind=Kind.DOWNLOAD) == ["错误明细"]
    # A day of the county's clock: 23:30 on 2 May is 2 May.
    assert shown(date_from="2026-05-02", date_to="2026-05-02") == ["村公示名单"]


def test_the_county_reviews_the_log_in_the_api(api, world, entries):
    api.force_authenticate(world.erin)
    body = api.get("/api/audit-log/").json()
    assert body["count"] == 3 and "results" in body
    assert [r["what"] for r in body["results"]] == ["错误明细", "村公示名单", "农户台账"]
    mine = api.get("/api/audit-log/", {"user": world.alice.pk, "kind": Kind.EXPORT}).json()
    assert [r["username"] for r in mine["results"]] == ["alice"]
    dated = api.get("/api/audit-log/", {"date_from": "2026-05-03"}).json()
    assert [r["what"] for r in dated["results"]] == ["错误明细"]
    assert api.get("/api/audit-log/", {"kind": "nonsense"}).status_code == 400


def test_the_log_cannot_be_changed_through_the_api(api, world, entries):
    api.force_authenticate(world.erin)
    pk = entries[0]
    assert api.delete(f"/api/audit-log/{pk}/").status_code == 405
    assert api.patch(f"/api/audit-log/{pk}/", {"what": "改"}).status_code == 405
    assert api.post("/api/audit-log/", {"what": "新"}).status_code == 405


@pytest.mark.parametrize("who", ["alice", "carol", "frank"])
def test_only_the_county_reviews_the_log(client, api, world, entries, who):
    user = getattr(world, who)
    client.force_login(user)
    assert client.get(reverse("audit_log")).status_code == 403
    api.force_authenticate(user)
    assert api.get("/api/audit-log/").status_code == 403
