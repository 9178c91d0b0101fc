"""The task imports the service; the service queues the task by its name, after commit."""

import ast
from pathlib import Path
from types import SimpleNamespace

import early_warnings.services
from early_warnings import tasks
from early_warnings.services._common import INGEST_TASK, queue_ingest
from suixi_monitor.celery import app as celery_app


def test_the_ingest_task_is_registered_under_the_name_the_services_queue():
    assert celery_app.tasks[INGEST_TASK] is tasks.ingest_upload._get_current_object()


def test_no_service_imports_the_tasks():
    folder = Path(early_warnings.services.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "tasks" not in (node.module or "").split("."), path.name
                assert all(alias.name != "tasks" for alias in node.names), path.name


def test_queueing_by_name_runs_the_task_in_place_in_eager_mode(monkeypatch):
    ran = []

    def ingest(*, upload_id):
        ran.append(upload_id)
        return SimpleNamespace(pk=upload_id, status="done", warnings_count=0)

    monkeypatch.setattr(tasks.services, "upload_ingest", ingest)
    queue_ingest(41)
    assert ran == [41]
