"""Writes of help (三(八)): one service per meaningful write, each taking the acting user."""

from .measures import (
    measure_complete,
    measure_record_progress,
    measure_start,
    measure_stop,
)

# isort: split
# --- plans, measures' contents and the catalogue ---
from .catalogue import measure_kind_create, measure_kind_delete, measure_kind_update
from .plans import (
    measure_create,
    measure_update,
    plan_activate,
    plan_close,
    plan_create,
    plan_reopen_after_exit,
    plan_review,
    plan_update,
)

__all__ = [
    "measure_complete",
    "measure_record_progress",
    "measure_start",
    "measure_stop",
    # --- plans, measures' contents and the catalogue ---
    "measure_create",
    "measure_kind_create",
    "measure_kind_delete",
    "measure_kind_update",
    "measure_update",
    "plan_activate",
    "plan_close",
    "plan_create",
    "plan_reopen_after_exit",
    "plan_review",
    "plan_update",
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
