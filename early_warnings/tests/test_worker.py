"""Ingestion through a real Celery worker on Redis, including a worker killed mid-file and a
file that kills every worker process that reads it.

The worker is a separate process (``celery -A suixi_monitor worker``, solo pool) with the
ordinary settings, not the eager test settings. It must see the test database: on
PostgreSQL that is the test database itself; on SQLite the test database lives in memory,
so the test copies it to a file with SQLite's backup API, lets the worker work on the
file, and copies the file back before asserting.
"""

from __future__ import annotations

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from celery import Celery
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from early_warnings import services
from early_warnings.models import Upload, Warning, WarningIndicator
from households.id_numbers import make_id_number
from households.models import Household, Member
from identification import services as identification_services
from identification.models import ComparisonDataset
from suixi_monitor.jobs import FileJob

from .helpers import xlsx_bytes

REDIS_URL = os.environ.get("WARNINGS_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
ROOT = Path(__file__).resolve().parents[2]
MAY = datetime.date(2026, 5, 20)

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")


class Harness:
    """One worker process at a time on a queue of its own, against the test database."""

    def __init__(self, tmp_path: Path):
        self.queue = f"early-warnings-test-{uuid.uuid4().hex[:8]}"
        self.media = tmp_path / "media"
        self.log = tmp_path / "worker.log"
        self.process: subprocess.Popen | None = None
        # Not the current app: the eager project app stays current for the tests after this one.
        self.app = Celery("early-warnings-test", broker=REDIS_URL, set_as_current=False)
        settings_dict = connection.settings_dict
        self.sqlite_file: Path | None = None
        if connection.vendor == "sqlite":
            name = str(settings_dict["NAME"])
            if "mode=memory" in name or name == ":memory:":
                self.sqlite_file = tmp_path / "worker.sqlite3"
                self.database_url = f"sqlite:///{self.sqlite_file}"
            else:
                self.database_url = f"sqlite:///{name}"
        else:
            s = settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
            self.database_url = (
                f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
            )

    def send(self, upload_id: int, task: str = "early_warnings.ingest_upload") -> None:
        self.app.send_task(task, args=[upload_id], queue=self.queue)

    def start(self, app: str = "suixi_monitor", pool: str = "solo") -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "suixi_monitor.settings",
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DATABASE_URL": self.database_url,
            "MEDIA_ROOT": str(self.media),
            "CONN_MAX_AGE": "0",
            "UPLOAD_MAX_ATTEMPTS": "3",
            # libpq names the worker's sessions, so the harness can find what it leaves behind.
            "PGAPPNAME": self.queue,
        }
        # The child keeps its own copy of the descriptor; the test's copy is closed at once.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", app, "worker", f"--pool={pool}",
                    "--concurrency=1", "-Q", self.queue, "--without-heartbeat",
                    "--without-gossip", "--without-mingle", "-l", "INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip

    def kill(self) -> None:
        """kill -9: no chance to finish, acknowledge or roll back politely."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        self.assert_no_sessions_left()

    def worker_sessions(self) -> list[tuple]:
        """The worker's PostgreSQL sessions on the test database (none on SQLite)."""
        if connection.vendor != "postgresql":
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, state, left(query, 60) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = %s",
                [self.queue],
            )
            return cursor.fetchall()

    def assert_no_sessions_left(self, timeout: float = 10) -> None:
        """A stopped or killed worker's backends end with it.

        A backend notices a dead client only when it next reads from the socket; one
        that stayed would hold the killed transaction's locks and make PostgreSQL refuse
        to drop the test database at the end of the run ("being accessed by other users").
        """
        deadline = time.monotonic() + timeout
        while (sessions := self.worker_sessions()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not sessions, f"the worker's database sessions outlived it: {sessions}"

    @contextmanager
    def database_shared(self):
        """Hand the test database to the worker, and take it back with the worker's writes."""
        if self.sqlite_file is not None:
            target = sqlite3.connect(self.sqlite_file)
            connection.ensure_connection()
            connection.connection.backup(target)
            target.close()
        try:
            yield
        finally:
            self.stop()
            if self.sqlite_file is not None:
                source = sqlite3.connect(self.sqlite_file)
                source.backup(connection.connection)
                source.close()

    def upload_status(self, upload_id: int, model: type[FileJob] = Upload) -> tuple[str, int]:
        if self.sqlite_file is not None:
            with sqlite3.connect(self.sqlite_file, timeout=30) as db:
                row = db.execute(
                    f"SELECT status, progress FROM {model._meta.db_table} WHERE id = ?",
                    (upload_id,),
                ).fetchone()
            return row[0], row[1]
        upload = model.objects.get(pk=upload_id)
        return upload.status, upload.progress

    def wait_for(
        self, upload_id: int, predicate, timeout: float = 180, model: type[FileJob] = Upload
    ) -> tuple[str, int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.upload_status(upload_id, model)
            if predicate(*state):
                return state
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"worker exited:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.02)
        raise AssertionError(f"timed out at {state}; worker log:\n{self.log.read_text()[-3000:]}")


@pytest.fixture
def harness(tmp_path, settings, monkeypatch):
    _redis_or_skip()
    settings.MEDIA_ROOT = tmp_path / "media"
    harness = Harness(tmp_path)
    # Route the service's queueing to the real broker instead of the eager test setting.
    monkeypatch.setattr(services.ingest, "queue_ingest", lambda upload_id: None)
    yield harness
    harness.stop()


def registered_people(village, n: int) -> list[Member]:
    """``n`` registered heads of household, written in bulk (the registry is the setting here)."""
    households = Household.objects.bulk_create(
        Household(village=village, head_name=f"户{i}", address="测试") for i in range(n)
    )
    members = []
    for i, household in enumerate(households):
        number = make_id_number(
            region="340621",
            born=datetime.date(1950, 1, 1) + datetime.timedelta(days=i // 500),
            sequence=(i % 500) * 2 + 1,
        )
        members.append(
            Member(
                household=household,
                name=f"户{i}",
                id_number=number,
                relation="head",
                sex="M",
                birth_date=datetime.date(1950, 1, 1),
            )
        )
    return Member.objects.bulk_create(members)


def file_for(people: list[Member], codes: list[str]) -> bytes:
    return xlsx_bytes([[m.name, m.id_number, code, 60000, MAY] for code in codes for m in people])


def test_a_real_worker_ingests_an_upload_and_a_second_run_adds_nothing(world, harness):
    people = registered_people(world.a1, 300)
    rows = [[m.name, m.id_number, "YB01", 12000, MAY] for m in people]
    rows.append(["错名", people[0].id_number, "YB01", 12000, MAY])
    data = xlsx_bytes(rows)
    upload = services.upload_create(
        actor=world.frank, period="2026-05", file=SimpleUploadedFile("m.xlsx", data)
    )
    again = services.upload_create(
        actor=world.frank, period="2026-05", file=SimpleUploadedFile("m2.xlsx", data)
    )
    with harness.database_shared():
        harness.start()
        harness.send(upload.pk)
        harness.wait_for(upload.pk, lambda status, _: status == Upload.Status.DONE)
        harness.send(upload.pk)  # a duplicate delivery of the same message
        harness.send(again.pk)  # the same file uploaded twice
        harness.wait_for(again.pk, lambda status, _: status == Upload.Status.DONE)
    upload.refresh_from_db()
    again.refresh_from_db()
    assert (upload.rows_total, upload.rows_error, upload.warnings_count) == (301, 1, 300)
    assert again.warnings_count == 0
    assert Warning.objects.count() == 300
    assert set(Warning.objects.values_list("member_id", flat=True)) == {m.pk for m in people}


def test_a_worker_killed_mid_file_and_run_again_gives_the_clean_result(world, harness):
    people = registered_people(world.a1, 10000)
    codes = ["YB01", "YB02"]
    upload = services.upload_create(
        actor=world.frank,
        period="2026-05",
        file=SimpleUploadedFile("big.xlsx", file_for(people, codes)),
    )
    with harness.database_shared():
        harness.start()
        harness.send(upload.pk)
        # 50%: rows read and validated, the transaction that matches and writes them next.
        harness.wait_for(
            upload.pk, lambda status, progress: status == Upload.Status.RUNNING and progress >= 50
        )
        harness.kill()
        status, _ = harness.upload_status(upload.pk)
        assert status == Upload.Status.RUNNING, "the worker finished before it could be killed"
        harness.start()
        harness.send(upload.pk)  # what the daily tick's stalled-upload sweep does
        harness.wait_for(upload.pk, lambda status, _: status == Upload.Status.DONE)
    upload.refresh_from_db()
    indicators = dict(WarningIndicator.objects.filter(code__in=codes).values_list("pk", "code"))
    expected = {(code, m.pk) for code in codes for m in people}
    got = {(indicators[i], m) for i, m in Warning.objects.values_list("indicator_id", "member_id")}
    assert got == expected
    assert (upload.rows_total, upload.rows_valid, upload.warnings_count) == (20000, 20000, 20000)
    assert set(Warning.objects.values_list("priority", flat=True)) == {"red"}  # YB02 is severe
    assert Warning.objects.filter(value=Decimal("60000")).count() == 20000


def stored_file(kind: str, world) -> tuple[FileJob, str]:
    """An upload of each kind, stored and not queued; and the task that reads it."""
    if kind == "warnings":
        upload = services.upload_create(
            actor=world.frank,
            period="2026-05",
            file=SimpleUploadedFile("crash.xlsx", xlsx_bytes([["张三", "1", "YB01", 1, MAY]])),
        )
        return upload, "early_warnings.ingest_upload"
    upload, _ = identification_services.dataset_upload_create(
        actor=world.frank,
        kind=kind,
        as_of=MAY,
        file=SimpleUploadedFile("crash.xlsx", xlsx_bytes([], header=["身份证号", kind])),
    )
    return upload, "identification.ingest_dataset_upload"


@pytest.mark.parametrize("kind", ["warnings", "vehicle"])
def test_a_file_that_kills_the_worker_is_refused_after_three_attempts_and_the_worker_lives_on(
    world, harness, monkeypatch, kind
):
    """A native abort in the reader kills the pool process; late acknowledgement gives the
    message back and the same worker takes it again. The fourth delivery gives up unread."""
    monkeypatch.setattr(identification_services.datasets, "queue_dataset_ingest", lambda pk: None)
    upload, task = stored_file(kind, world)
    model = type(upload)
    later, _ = stored_file("business" if kind == "vehicle" else kind, world)
    # Another file that already used its attempts: the worker must still be there to refuse it.
    model.objects.filter(pk=later.pk).update(status=FileJob.Status.RUNNING, attempts=3)
    with harness.database_shared():
        harness.start(app="early_warnings.tests.crashing_worker", pool="prefork")
        harness.send(upload.pk, task)
        harness.wait_for(upload.pk, lambda status, _: status == FileJob.Status.FAILED, model=model)
        assert harness.process.poll() is None, "the worker died with its pool process"
        harness.send(later.pk, task)
        harness.wait_for(later.pk, lambda status, _: status == FileJob.Status.FAILED, model=model)
        assert harness.process.poll() is None
    upload.refresh_from_db()
    message = "文件连续3次导致处理进程异常退出，已停止处理，请另存为 xlsx 后重新上传或联系县扶贫局"
    assert (upload.attempts, upload.file_error) == (3, message)
    assert harness.log.read_text().count("exited with 'signal 9 (SIGKILL)'") == 3
    assert world.frank.notifications.filter(message__contains=message).count() == 2
    assert not Warning.objects.exists() and not ComparisonDataset.objects.exists()
