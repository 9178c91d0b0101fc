"""Writes of identification (三(七)) and exit (三(九)): the steps, data sets, export logging."""

from .cases import (
    TeamMember,
    case_apply,
    case_compare,
    case_record_consent,
    case_record_deliberation,
    case_record_village_deliberation,
    case_verify,
)
from .clock import case_clocks_notify, case_due_dates_refresh
from .datasets import (
    dataset_upload_create,
    dataset_upload_ingest,
    dataset_upload_reject,
    dataset_uploads_requeue_stalled,
)
from .decisions import (
    announcement_allocate,
    case_approve_county,
    case_approve_town,
    case_file,
    case_publicize_village,
    case_reject,
    case_review_town,
    case_withdraw,
)
from .exit_rounds import (
    exit_round_open,
    exit_rounds_tick,
    town_round_close,
    town_round_stop_proposals,
)
from .exits import (
    EvaluationResult,
    exit_evaluate,
    exit_file,
    exit_propose,
    exit_publicize,
    exit_return,
    exit_verify,
    exit_withdraw,
)
from .notices import notice_export_log
from .publicity import (
    objection_dismiss,
    objection_lodge,
    objection_uphold,
    publicities_conclude_due,
    publicity_conclude,
)
from .spot_checks import (
    exit_case_confirm,
    exit_case_revert,
    spot_check_close,
    spot_check_draw,
    spot_check_record,
)

__all__ = [
    "case_clocks_notify",
    "case_due_dates_refresh",
    "exit_case_confirm",
    "exit_case_revert",
    "exit_round_open",
    "exit_rounds_tick",
    "spot_check_close",
    "spot_check_draw",
    "spot_check_record",
    "town_round_close",
    "town_round_stop_proposals",
    "EvaluationResult",
    "exit_evaluate",
    "exit_file",
    "exit_propose",
    "exit_publicize",
    "exit_return",
    "exit_verify",
    "exit_withdraw",
    "TeamMember",
    "announcement_allocate",
    "case_apply",
    "case_approve_county",
    "case_approve_town",
    "case_compare",
    "case_file",
    "case_publicize_village",
    "case_record_consent",
    "case_record_deliberation",
    "case_record_village_deliberation",
    "case_review_town",
    "case_reject",
    "case_verify",
    "case_withdraw",
    "dataset_upload_create",
    "dataset_upload_ingest",
    "dataset_upload_reject",
    "dataset_uploads_requeue_stalled",
    "notice_export_log",
    "objection_dismiss",
    "objection_lodge",
    "objection_uphold",
    "publicities_conclude_due",
    "publicity_conclude",
]
