"""Pages of identification: queues, one form per step, the case with its timeline, notices.

Thin: a view reads through a scoped selector (another
scope's case is 404), parses a form, calls the step's service, and shows a
refused rule as a form error and a wrong state as a message.
"""

from .cases import case_detail, case_list
from .notices import (
    announcement_detail,
    announcement_list,
    dataset_list,
    dataset_upload_detail,
    dataset_upload_errors,
    notice_town,
    notice_village,
)
from .steps import (
    case_apply,
    case_approve_county,
    case_approve_town,
    case_compare,
    case_conclude,
    case_consent,
    case_deliberate,
    case_deliberate_village,
    case_file,
    case_publicize_village,
    case_reject,
    case_review_town,
    case_verify,
    case_withdraw,
    consent_form_download,
    objection_decide,
    objection_lodge,
    publicity_list,
)

__all__ = [
    "case_approve_county",
    "case_consent",
    "case_deliberate_village",
    "case_review_town",
    "consent_form_download",
    "announcement_detail",
    "announcement_list",
    "case_apply",
    "case_approve_town",
    "case_compare",
    "case_conclude",
    "case_deliberate",
    "case_detail",
    "case_file",
    "case_list",
    "case_publicize_village",
    "case_reject",
    "case_verify",
    "case_withdraw",
    "dataset_list",
    "dataset_upload_detail",
    "dataset_upload_errors",
    "notice_town",
    "notice_village",
    "objection_decide",
    "objection_lodge",
    "publicity_list",
]

# isort: split
# --- exit rounds, the spot check and re-review (三(九)(十)) ---
from .rounds import (  # noqa: E402
    rates,
    re_review,
    re_review_decide,
    round_detail,
    round_list,
    spot_check_close,
    spot_check_detail,
    spot_check_draw,
    spot_check_record,
)

__all__ += [
    "rates",
    "re_review",
    "re_review_decide",
    "round_detail",
    "round_list",
    "spot_check_close",
    "spot_check_detail",
    "spot_check_draw",
    "spot_check_record",
]
