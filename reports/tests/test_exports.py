"""三(十) ledger exports: the file, masking, neutralised cells, the log entry, the background
job and who may fetch its file; the same through the API."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households import id_numbers
from organization.models import AuditEntry, Notification
from reports import services
from reports.models import LedgerExport

from .support import FORMULA_NAME, ledger_world, sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def lw(world):
    return ledger_world(world)


@pytest.fixture
def small(settings):
    settings.LEDGER_EXPORT_SYNC_ROWS = 100


@pytest.fixture
def large(settings):
    settings.LEDGER_EXPORT_SYNC_ROWS = 1


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def export(client, kind, **filters):
    return client.post(reverse("reports:ledger_export", args=[kind]), filters)


def test_a_small_export_downloads_at_once_with_the_pages_rows(world, lw, client, small):
    client.force_login(world.carol)
    response = export(client, "registry")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = sheet_rows(content(response))
    assert rows[1][:4] == ("镇（园区）", "村", "户主", "户主身份证号")
    assert {row[2] for row in rows[2:]} == {
        "张大", "李二", lw.exit.household.head_name, "'" + FORMULA_NAME,
    }  # fmt: skip


def test_cells_that_look_like_formulas_are_written_as_text(world, lw, client, small):
    client.force_login(world.erin)
    rows = sheet_rows(content(export(client, "registry", village=world.a2.pk)))
    assert rows[2][2] == "'" + FORMULA_NAME


def test_the_file_masks_id_numbers_as_the_page_does(world, lw, client, small):
    whole = lw.alleviated.household.members.get(relation="head").id_number
    client.force_login(world.grace)
    (row,) = sheet_rows(content(export(client, "unstable")))[2:]
    assert row[3] == id_numbers.mask(whole)
    client.force_login(world.alice)
    rows = sheet_rows(content(export(client, "unstable", q="张大")))[2:]
    assert rows[0][3] == whole


def test_every_export_is_logged_with_the_ledger_filters_and_rows(world, lw, client, small):
    client.force_login(world.erin)
    export(client, "unstable", town=world.town_a.pk, status="monitoring", q="张")
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT)
    assert entry.user == world.erin
    assert entry.what == "脱贫不稳定户台账"
    assert entry.detail == "镇：甲镇；状态：监测中；搜索：张"
    assert entry.rows == 1
    assert entry.path == reverse("reports:ledger_export", args=["unstable"])


def test_department_staff_cannot_export(world, lw, client):
    client.force_login(world.frank)
    assert export(client, "registry").status_code == 403
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT).exists()


# --- the background job -------------------------------------------------------------------


def test_a_large_export_runs_as_a_job_once_committed(
    world, lw, client, large, django_capture_on_commit_callbacks
):
    client.force_login(world.carol)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = export(client, "registry", town=world.town_a.pk)
    assert len(callbacks) == 1
    job = LedgerExport.objects.get()
    assert response.url == reverse("reports:export_job", args=[job.pk])
    assert job.status == "done" and job.progress == 100 and job.rows_total == 4
    page = client.get(response.url).content.decode()
    assert reverse("reports:export_download", args=[job.pk]) in page
    rows = sheet_rows(content(client.get(reverse("reports:export_download", args=[job.pk]))))
    assert len(rows) == 2 + 4
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT)
    assert (entry.user, entry.what, entry.detail, entry.rows) == (
        world.carol, "农户总台账", "镇：甲镇", 4,
    )  # fmt: skip
    assert Notification.objects.filter(recipient=world.carol).exists()


def test_a_job_shows_its_progress_until_done(world, lw, client, large):
    client.force_login(world.carol)
    export(client, "registry")  # captured by no one: the job stays queued
    job = LedgerExport.objects.get()
    page = client.get(reverse("reports:export_job", args=[job.pk])).content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404


def test_running_a_job_again_changes_nothing(world, lw, large, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        started = services.ledger_export_start(
            actor=world.erin,
            kind="registry",
            filters=services.LedgerFilters(),
            requester=services.Requester(path="/x/"),
        )
    again = services.ledger_export_run(job_id=started.job.pk)
    assert again.status == "done" and again.attempts == 1
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT).count() == 1


@pytest.mark.parametrize("other", ["alice", "erin", "dave"])
def test_another_users_job_answers_404(
    world, lw, client, large, other, django_capture_on_commit_callbacks
):
    client.force_login(world.carol)
    with django_capture_on_commit_callbacks(execute=True):
        export(client, "registry")
    job = LedgerExport.objects.get()
    client.force_login(getattr(world, other))
    assert client.get(reverse("reports:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404


# --- the API ------------------------------------------------------------------------------


def api_export(api, kind, **body):
    return api.post(f"/api/ledgers/{kind}/export/", body, format="json")


def test_api_small_export_answers_the_file(world, lw, api, small):
    api.force_authenticate(world.alice)
    response = api_export(api, "marginal")
    assert response.status_code == 200
    assert [row[2] for row in sheet_rows(content(response))[2:]] == ["李二"]
    assert AuditEntry.objects.get().what == "边缘易致贫户台账"


def test_api_large_export_answers_202_then_its_status_and_file(
    world, lw, api, large, django_capture_on_commit_callbacks
):
    api.force_authenticate(world.erin)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_export(api, "unstable", town=world.town_a.pk)
    assert response.status_code == 202
    job = response.json()["id"]
    status = api.get("/api/ledgers/unstable/export/", {"job": job}).json()
    assert status["status"] == "done" and status["rows_total"] == 2
    assert status["filters"] == {"town": world.town_a.pk}
    file = api.get(f"/api/ledgers/unstable/export/{job}/file/")
    assert file.status_code == 200 and len(sheet_rows(content(file))) == 4


def test_api_another_users_job_answers_404(
    world, lw, api, large, django_capture_on_commit_callbacks
):
    api.force_authenticate(world.erin)
    with django_capture_on_commit_callbacks(execute=True):
        job = api_export(api, "registry").json()["id"]
    api.force_authenticate(world.carol)
    assert api.get("/api/ledgers/registry/export/", {"job": job}).status_code == 404
    assert api.get(f"/api/ledgers/registry/export/{job}/file/").status_code == 404
    api.force_authenticate(world.erin)
    assert api.get("/api/ledgers/unstable/export/", {"job": job}).status_code == 404


def test_api_refuses_a_town_outside_the_scope_and_a_department(world, lw, api):
    api.force_authenticate(world.alice)
    response = api_export(api, "registry", town=world.town_b.pk)
    assert response.status_code == 400 and "town" in response.json()
    assert api.get("/api/ledgers/registry/export/").status_code == 400
    assert api_export(api, "nothing").status_code == 404
    api.force_authenticate(world.frank)
    assert api_export(api, "registry").status_code == 403


def test_a_stalled_export_is_queued_again_and_written(
    world, lw, large, django_capture_on_commit_callbacks
):
    started = services.ledger_export_start(
        actor=world.erin,
        kind="registry",
        filters=services.LedgerFilters(),
        requester=services.Requester(),
    )  # its queueing never ran: a lost message
    later = timezone.now() + datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.ledger_exports_requeue_stalled(now=later) == 1
    started.job.refresh_from_db()
    assert started.job.status == "done"
