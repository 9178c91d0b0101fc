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

# --- pairing (三(三), 三(八)1) and help visits (三(八)1, 三(四)1) ------------------------------
from .pairing import assignment_end, household_pair, proposed_helper  # noqa: E402
from .visits import help_visit_add_risks, help_visit_record  # noqa: E402

__all__ += [
    "assignment_end",
    "help_visit_add_risks",
    "help_visit_record",
    "household_pair",
    "proposed_helper",
]
