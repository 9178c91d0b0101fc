"""Writes of help (三(八)): one service per meaningful write, each taking the acting user."""

from .measures import (
    measure_complete,
    measure_record_progress,
    measure_start,
    measure_stop,
)

__all__ = [
    "measure_complete",
    "measure_record_progress",
    "measure_start",
    "measure_stop",
]
