"""A Celery app for tests only: the project's app, in whose worker processes every spreadsheet
reader kills its own process, as a native abort inside a reader would.

``celery -A early_warnings.tests.crashing_worker worker`` (see ``test_worker.py``). The readers
are replaced in each pool process as it starts, once Django is set up there.
"""

import os
import signal

from celery import signals

from suixi_monitor.celery import app

__all__ = ["app"]


def _die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


@signals.worker_process_init.connect
def _readers_that_kill(**kwargs) -> None:
    from early_warnings import spreadsheets
    from identification import spreadsheets as dataset_spreadsheets

    spreadsheets.read_tables = _die
    dataset_spreadsheets.read_dataset = _die
