"""Comparison data sets (三(七)4) read by a worker: the page and the API queue the file, the
task reads it and writes the data set all or nothing, and every role sees its own uploads.

Tests run Celery eagerly (settings_test), so a queued task runs when its transaction's
``on_commit`` callbacks do: ``committed()`` below.
"""

import datetime
import io
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from identification import services, spreadsheets
from identification.models import ComparisonDataset, ComparisonRecord, DatasetUpload
from organization.models import Role
from organization.tests.factories import UserFactory, department

from .factories import DatasetFactory, days_ago, household_ready

GAVE_UP = "文件连续3次导致处理进程异常退出，已停止处理，请另存为 xlsx 后重新上传或联系县扶贫局"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_MAX_ATTEMPTS = 3


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs the queued task (eager) when the block's transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def health(world):
    """卫健 department staff: another department than frank's 医保."""
    return UserFactory(
        username="hank", role=Role.DEPARTMENT_STAFF, department=department("weijian")
    )


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def vehicles(world, plate: str = "皖F12345") -> bytes:
    member = household_ready(world.a1).members.first()
    return xlsx([["身份证号", "姓名", "车牌号"], [member.id_number, member.name, plate]])


def bad_rows(world) -> bytes:
    member = household_ready(world.a1).members.first()
    return xlsx(
        [
            ["身份证号", "姓名"],
            [member.id_number, member.name],
            [3.40621199001011e17, "甲"],  # Excel kept it as a number: digits lost
            ["340621199001011235", "乙"],  # wrong check digit
        ]
    )


def named(content: bytes, name: str = "车辆.xlsx") -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def post_page(client, user, content: bytes, *, kind="vehicle", name="车辆.xlsx"):
    client.force_login(user)
    return client.post(
        reverse("identification:datasets"),
        {"kind": kind, "as_of": str(days_ago(3)), "file": named(content, name)},
    )


def post_api(api, user, content: bytes, *, kind="vehicle", name="车辆.xlsx"):
    api.force_authenticate(user)
    return api.post(
        "/api/comparison-datasets/",
        {"kind": kind, "as_of": str(days_ago(3)), "file": named(content, name)},
        format="multipart",
    )


def stored(world, content: bytes, *, actor=None) -> DatasetUpload:
    """A file stored and queued, its task not run yet."""
    upload, _ = services.dataset_upload_create(
        actor=actor or world.frank,
        kind="vehicle",
        as_of=days_ago(3),
        file=ContentFile(content, name="车辆.xlsx"),
    )
    return upload


def page_url(upload: DatasetUpload) -> str:
    return reverse("identification:dataset_upload", args=[upload.pk])


def errors_url(upload: DatasetUpload) -> str:
    return reverse("identification:dataset_upload_errors", args=[upload.pk])


# --- the page -------------------------------------------------------------------------


def test_the_page_stores_the_file_and_sends_the_uploader_to_its_progress(world, client):
    response = post_page(client, world.frank, vehicles(world))
    upload = DatasetUpload.objects.get()
    assert response["Location"] == page_url(upload)
    page = client.get(page_url(upload)).content.decode()
    assert upload.status == DatasetUpload.Status.QUEUED
    assert 'http-equiv="refresh"' in page and "排队中" in page and 'class="progress"' in page
    assert not ComparisonDataset.objects.exists()  # nothing is read in the request


def test_department_staff_upload_on_the_page_and_the_worker_imports_it(world, client, committed):
    with committed():
        response = post_page(client, world.frank, vehicles(world), kind="public_payroll")
    upload = DatasetUpload.objects.get()
    assert response["Location"] == page_url(upload)
    page = client.get(response["Location"]).content.decode()
    assert "文件已上传，正在后台导入" in page
    assert 'http-equiv="refresh"' not in page and "导入记录" in page
    dataset = ComparisonDataset.objects.get()
    assert (upload.status, upload.dataset, upload.attempts) == ("done", dataset, 1)
    assert (dataset.kind, dataset.department, dataset.row_count) == (
        "public_payroll",
        world.frank.department,
        1,
    )
    assert dataset.records.get().detail == "车牌号：皖F12345"
    listing = client.get(reverse("identification:datasets")).content.decode()
    assert "上传记录" in listing and page_url(upload) in listing
    assert world.frank.notifications.filter(message__contains="已导入财政供养人员比对数据 1 条")


def test_the_data_set_keeps_who_uploaded_it_in_its_history(world, committed):
    with committed():
        stored(world, vehicles(world))
    record = ComparisonDataset.objects.get().history.get()
    assert (record.history_type, record.history_user) == ("+", world.frank)


def test_a_file_with_bad_rows_writes_nothing_and_lists_every_row_error(world, client, committed):
    with committed():
        post_page(client, world.erin, bad_rows(world))
    upload = DatasetUpload.objects.get()
    assert (upload.status, upload.rows_total, upload.rows_valid, upload.rows_error) == (
        "failed",
        3,
        1,
        2,
    )
    assert [(e["row"], e["column"]) for e in upload.errors] == [(3, "身份证号"), (4, "身份证号")]
    assert "后几位已丢失" in upload.errors[0]["reason"]
    assert not ComparisonDataset.objects.exists() and not ComparisonRecord.objects.exists()
    page = client.get(page_url(upload)).content.decode()
    assert "文件被拒绝，未写入任何数据" in page and "2行有错误" in page
    assert "错误明细" in page and errors_url(upload) in page
    report = load_workbook(io.BytesIO(client.get(errors_url(upload)).content)).active
    assert [row[0] for row in report.iter_rows(min_row=3, values_only=True)] == ["3", "4"]
    # Each refused row's own cells stand under the file's own header.
    assert [cell.value for cell in report[2]] == ["位置", "错误原因", "身份证号", "姓名"]
    assert [cell.value for cell in report[4]][2:] == ["340621199001011235", "乙"]
    assert world.erin.notifications.filter(message__contains="未导入").exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_whole(world, client, committed):
    with committed():
        post_page(client, world.frank, b"PK\x03\x04 not really")
    upload = DatasetUpload.objects.get()
    assert (upload.status, upload.file_error) == ("failed", "文件已损坏，无法打开")
    assert upload.errors == [] and not ComparisonDataset.objects.exists()


def test_a_wrong_kind_of_file_or_too_big_a_file_is_refused_before_it_is_stored(
    world, client, settings
):
    response = post_page(client, world.frank, b"%PDF", name="车辆.pdf")
    assert "请上传 xlsx、xls、ods 或 csv 文件" in response.content.decode()
    settings.SPREADSHEET_MAX_BYTES = 10
    response = post_page(client, world.frank, b"x" * 11, name="车辆.csv")
    assert "请分批上传" in response.content.decode()
    assert not DatasetUpload.objects.exists()


# --- the API --------------------------------------------------------------------------


def test_the_api_answers_202_with_the_upload_to_poll_then_reports_it_done(world, api, committed):
    with committed():
        response = post_api(api, world.frank, vehicles(world))
    assert response.status_code == 202, response.data
    assert response.data["status"] == "queued"  # the answer leaves before the worker starts
    assert response["Location"] == response.data["url"]
    assert response.data["url"].endswith(f"/api/comparison-dataset-uploads/{response.data['id']}/")
    polled = api.get(response.data["url"]).data
    assert (polled["status"], polled["progress"], polled["rows_valid"]) == ("done", 100, 1)
    assert polled["dataset"] == ComparisonDataset.objects.get().pk and polled["errors"] == []
    assert api.get("/api/comparison-datasets/").data["count"] == 1


def test_the_api_reports_every_row_error_and_serves_the_report(world, api, committed):
    with committed():
        response = post_api(api, world.erin, bad_rows(world))
    assert response.status_code == 202
    polled = api.get(response.data["url"]).data
    assert (polled["status"], polled["rows_error"]) == ("failed", 2)
    assert [e["row"] for e in polled["errors"]] == [3, 4]
    report = api.get(f"/api/comparison-dataset-uploads/{polled['id']}/errors/")
    assert report.status_code == 200 and report["Content-Type"].endswith("sheet")
    assert not ComparisonDataset.objects.exists()


def test_the_api_refuses_a_future_date_and_another_kind_of_file(world, api):
    api.force_authenticate(world.frank)
    response = api.post(
        "/api/comparison-datasets/",
        {"kind": "vehicle", "as_of": str(days_ago(-1)), "file": named(b"x", "a.csv")},
        format="multipart",
    )
    assert response.status_code == 400 and "不能晚于今天" in str(response.data)
    response = post_api(api, world.frank, b"x", name="车辆.pdf")
    assert response.status_code == 400 and "xlsx" in str(response.data["file"])
    assert not DatasetUpload.objects.exists()


# --- the same file twice ----------------------------------------------------------------


def test_the_same_file_twice_is_one_data_set_and_points_at_the_first_upload(
    world, client, api, committed
):
    content = vehicles(world)
    with committed():
        first = post_api(api, world.frank, content)
    again = post_api(api, world.frank, content)
    assert (again.status_code, again.data["id"]) == (200, first.data["id"])
    response = post_page(client, world.frank, content)
    assert response["Location"] == page_url(DatasetUpload.objects.get())
    assert "该文件此前已上传，未重复导入" in client.get(response["Location"]).content.decode()
    assert ComparisonDataset.objects.count() == 1 and ComparisonRecord.objects.count() == 1


def test_the_same_file_while_the_first_is_still_queued_is_the_same_upload(world):
    content = vehicles(world)
    first = stored(world, content)
    assert stored(world, content) == first
    assert DatasetUpload.objects.count() == 1


def test_the_same_file_from_the_county_points_at_the_departments_upload(world, committed):
    content = vehicles(world)
    with committed():
        first = stored(world, content)
    assert stored(world, content, actor=world.erin) == first


def test_the_same_file_from_another_department_is_refused_without_showing_theirs(
    world, api, health
):
    content = vehicles(world)
    stored(world, content)
    response = post_api(api, health, content)
    assert response.status_code == 400
    assert "已由其他部门" in str(response.data["file"])
    assert DatasetUpload.objects.count() == 1


def test_the_same_file_for_another_kind_is_another_data_set(world, committed):
    content = vehicles(world)
    with committed():
        stored(world, content)
        services.dataset_upload_create(
            actor=world.frank,
            kind="business",
            as_of=days_ago(3),
            file=ContentFile(content, "b.xlsx"),
        )
    assert sorted(ComparisonDataset.objects.values_list("kind", flat=True)) == [
        "business",
        "vehicle",
    ]


def test_after_a_refusal_the_same_file_may_be_uploaded_again(world, committed):
    content = bad_rows(world)
    with committed():
        first = stored(world, content)
    with committed():
        second = stored(world, content)
    assert first != second
    assert list(DatasetUpload.objects.values_list("status", flat=True)) == ["failed", "failed"]


def test_a_file_whose_data_set_was_imported_before_uploads_existed_is_not_imported_again(
    world, committed
):
    content = vehicles(world)
    upload = stored(world, content)
    earlier = DatasetFactory(kind="vehicle", sha256=upload.sha256, row_count=1)
    services.dataset_upload_ingest(upload_id=upload.pk)
    upload.refresh_from_db()
    assert (upload.status, upload.dataset) == ("done", earlier)
    assert not ComparisonRecord.objects.exists() and ComparisonDataset.objects.count() == 1


# --- scope: every role -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["alice", "carol", "dave", "grace"])
def test_villages_towns_and_helpers_are_refused_data_set_pages_and_uploads(
    world, client, api, name
):
    upload = stored(world, vehicles(world))
    user = getattr(world, name)
    client.force_login(user)
    assert client.get(reverse("identification:datasets")).status_code == 403
    assert client.get(page_url(upload)).status_code == 403
    assert client.get(errors_url(upload)).status_code == 403
    assert post_api(api, user, vehicles(world, "皖F00001")).status_code == 403
    assert api.get("/api/comparison-dataset-uploads/").data["count"] == 0
    assert api.get(f"/api/comparison-dataset-uploads/{upload.pk}/").status_code == 404
    assert DatasetUpload.objects.count() == 1


def test_department_staff_see_their_own_uploads_and_not_another_departments(
    world, client, api, health
):
    theirs = stored(world, vehicles(world, "皖F00002"), actor=health)
    own = stored(world, vehicles(world))
    client.force_login(world.frank)
    assert client.get(page_url(own)).status_code == 200
    assert client.get(page_url(theirs)).status_code == 404
    assert client.get(errors_url(theirs)).status_code == 404
    assert page_url(theirs) not in client.get(reverse("identification:datasets")).content.decode()
    api.force_authenticate(world.frank)
    assert [u["id"] for u in api.get("/api/comparison-dataset-uploads/").data["results"]] == [
        own.pk
    ]
    assert api.get(f"/api/comparison-dataset-uploads/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/comparison-dataset-uploads/{theirs.pk}/errors/").status_code == 404


def test_the_county_sees_every_upload(world, client, api, health):
    uploads = [
        stored(world, vehicles(world, "皖F00002"), actor=health),
        stored(world, vehicles(world)),
    ]
    client.force_login(world.erin)
    for upload in uploads:
        assert client.get(page_url(upload)).status_code == 200
    api.force_authenticate(world.erin)
    assert api.get("/api/comparison-dataset-uploads/").data["count"] == 2


# --- attempts (suixi_monitor/jobs.py) ---------------------------------------------------


def killed_workers(upload: DatasetUpload, times: int) -> None:
    """What ``times`` attempts that ended with the worker process killed leave behind."""
    DatasetUpload.objects.filter(pk=upload.pk).update(
        status="running", attempts=times, started_at=timezone.now(), progress=5
    )


def test_each_attempt_is_counted_and_committed_before_the_file_is_read(world, monkeypatch):
    upload = stored(world, vehicles(world))
    seen = []
    read_dataset = spreadsheets.read_dataset

    def reading(path, file_name):
        seen.append(DatasetUpload.objects.values_list("status", "attempts").get(pk=upload.pk))
        return read_dataset(path, file_name)

    monkeypatch.setattr(spreadsheets, "read_dataset", reading)
    killed_workers(upload, 2)
    done = services.dataset_upload_ingest(upload_id=upload.pk)
    assert seen == [("running", 3)]
    assert (done.status, done.attempts) == ("done", 3)


def test_a_file_that_killed_the_worker_three_times_is_refused_unread_and_the_uploader_told(
    world, monkeypatch
):
    upload = stored(world, vehicles(world))
    read_dataset = mock.Mock()
    monkeypatch.setattr(spreadsheets, "read_dataset", read_dataset)
    killed_workers(upload, 3)
    refused = services.dataset_upload_ingest(upload_id=upload.pk)
    assert (refused.status, refused.attempts, refused.file_error) == ("failed", 3, GAVE_UP)
    assert not read_dataset.called and not ComparisonDataset.objects.exists()
    assert world.frank.notifications.filter(message__contains=GAVE_UP).count() == 1


def test_stalled_uploads_go_to_a_worker_again_within_their_attempts(world, monkeypatch, committed):
    stalled = stored(world, vehicles(world))
    spent = stored(world, vehicles(world, "皖F00003"))
    running = stored(world, vehicles(world, "皖F00004"))
    killed_workers(stalled, 1)
    killed_workers(spent, 3)
    killed_workers(running, 1)
    three_hours_ago = timezone.now() - datetime.timedelta(hours=3)
    DatasetUpload.objects.exclude(pk=running.pk).update(started_at=three_hours_ago)
    queued = []
    monkeypatch.setattr(services.datasets, "queue_dataset_ingest", queued.append)
    with committed():
        assert services.dataset_uploads_requeue_stalled() == 1
    assert queued == [stalled.pk]
    spent.refresh_from_db()
    assert (spent.status, spent.file_error) == ("failed", GAVE_UP)


def test_the_beat_schedule_requeues_stalled_uploads_every_hour(settings):
    (entry,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "identification.requeue_stalled_dataset_uploads"
    ]
    assert len(entry["schedule"].hour) == 24 and len(entry["schedule"].minute) == 1
