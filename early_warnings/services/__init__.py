"""Writes for department warnings: one service per meaningful write, one module per subject.

In-app notifications are rows in the same database, so they are written inside the
transaction that causes them (both or neither); only Celery work waits for the commit.

Ingestion (三(四)2 技防) is ``upload_create`` → Celery → ``upload_ingest``; the
month's cycle is ``monthly_tick``; each warning or clue then moves
received → pushed → assigned → verified → closed through one service per step.
"""

from .cycle import mark_overdue, monthly_tick, period_push_now, push_period
from .indicators import indicator_save, sample_id_number
from .ingest import upload_create, upload_ingest
from .items import (
    clue_create,
    clue_route,
    clue_verify,
    item_assign,
    item_close,
    items_assign_bulk,
    warning_verify,
)
from .sweeps import sweep_record

__all__ = [
    "clue_create",
    "clue_route",
    "clue_verify",
    "indicator_save",
    "item_assign",
    "item_close",
    "items_assign_bulk",
    "mark_overdue",
    "monthly_tick",
    "period_push_now",
    "push_period",
    "sample_id_number",
    "sweep_record",
    "upload_create",
    "upload_ingest",
    "warning_verify",
]
