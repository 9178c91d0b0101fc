"""The re-delivery cap on department files (suixi_monitor/jobs.py): each attempt is counted
before the file is read, and a file that used every attempt is refused, never requeued.

The cap through a real worker whose reader kills its own process is in ``test_worker.py``.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from early_warnings import services, spreadsheets
from early_warnings.models import Upload

from .helpers import person, xlsx_bytes

MAY = datetime.date(2026, 5, 20)
GAVE_UP = "文件连续3次导致处理进程异常退出，已停止处理，请另存为 xlsx 后重新上传或联系县扶贫局"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_MAX_ATTEMPTS = 3


@pytest.fixture
def stored(world) -> Upload:
    """A department file stored and queued, its task not run yet."""
    zhang = person(world.a1, name="张三")
    file = SimpleUploadedFile("m.xlsx", xlsx_bytes([["张三", zhang.id_number, "YB01", 12000, MAY]]))
    return services.upload_create(actor=world.frank, period="2026-05", file=file)


def killed_workers(upload: Upload, times: int) -> None:
    """What ``times`` attempts that ended with the worker process killed leave behind."""
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.RUNNING, attempts=times, started_at=timezone.now(), progress=5
    )


def test_each_attempt_is_counted_and_committed_before_the_file_is_read(stored, monkeypatch):
    seen = []
    read_tables = spreadsheets.read_tables

    def reading(*args, **kwargs):
        seen.append(Upload.objects.values_list("status", "attempts").get(pk=stored.pk))
        return read_tables(*args, **kwargs)

    monkeypatch.setattr(spreadsheets, "read_tables", reading)
    killed_workers(stored, 1)
    result = services.upload_ingest(upload_id=stored.pk)
    assert seen == [(Upload.Status.RUNNING, 2)]
    assert (result.status, result.attempts, result.warnings_count) == (Upload.Status.DONE, 2, 1)


def test_a_file_that_killed_the_worker_three_times_is_refused_unread_and_the_uploader_told(
    world, stored, monkeypatch
):
    monkeypatch.setattr(spreadsheets, "read_tables", pytest.fail)
    killed_workers(stored, 3)
    result = services.upload_ingest(upload_id=stored.pk)
    assert (result.status, result.attempts, result.file_error) == (
        Upload.Status.FAILED,
        3,
        GAVE_UP,
    )
    assert world.frank.notifications.filter(message__contains=GAVE_UP).count() == 1
    services.upload_ingest(upload_id=stored.pk)  # a copy still in the queue changes nothing
    assert Upload.objects.get(pk=stored.pk).attempts == 3
    assert world.frank.notifications.filter(message__contains=GAVE_UP).count() == 1


def test_the_number_of_attempts_is_a_setting(stored, settings, monkeypatch):
    settings.UPLOAD_MAX_ATTEMPTS = 2
    monkeypatch.setattr(spreadsheets, "read_tables", pytest.fail)
    killed_workers(stored, 2)
    assert "文件连续2次导致" in services.upload_ingest(upload_id=stored.pk).file_error


def test_a_finished_upload_delivered_again_is_not_counted(stored):
    assert services.upload_ingest(upload_id=stored.pk).attempts == 1
    assert services.upload_ingest(upload_id=stored.pk).attempts == 1


def test_the_tick_requeues_a_stalled_upload_with_attempts_left_and_refuses_one_without(
    world, stored, monkeypatch, django_capture_on_commit_callbacks
):
    spent = services.upload_create(
        actor=world.frank,
        period="2026-05",
        file=SimpleUploadedFile("crash.xlsx", stored.file.read()),
    )
    hours_ago = timezone.now() - datetime.timedelta(hours=3)
    killed_workers(stored, 2)
    killed_workers(spent, 3)
    Upload.objects.update(started_at=hours_ago, uploaded_at=hours_ago)
    queued = []
    monkeypatch.setattr(services.cycle, "queue_ingest", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.monthly_tick()
    assert queued == [stored.pk] and done["requeued"] == 1
    spent.refresh_from_db()
    assert (spent.status, spent.file_error) == (Upload.Status.FAILED, GAVE_UP)
    assert world.frank.notifications.filter(message__contains=GAVE_UP).count() == 1
