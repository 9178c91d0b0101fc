"""Pages for department warnings (三(四)2/3), one module per subject.

Department staff upload and follow their rows; the town assigns; the village verifies;
the county watches the month. Thin: a view reads through a scoped
selector (another scope's object is a 404, as in the API), parses a form, calls a
service, and shows its refusal as a form error or a message.
"""

from .clues import clue_detail, clue_list, clue_new
from .common import home
from .county import county, push_now
from .indicators import indicator_edit, indicator_list
from .sweeps import sweeps
from .uploads import (
    department_home,
    department_warnings,
    template_download,
    upload_detail,
    upload_errors,
    upload_list,
)
from .warnings import (
    town_inbox,
    village_inbox,
    warning_assign,
    warning_close,
    warning_detail,
    warnings_assign_bulk,
)

__all__ = [
    "clue_detail",
    "clue_list",
    "clue_new",
    "county",
    "department_home",
    "department_warnings",
    "home",
    "indicator_edit",
    "indicator_list",
    "push_now",
    "sweeps",
    "template_download",
    "town_inbox",
    "upload_detail",
    "upload_errors",
    "upload_list",
    "village_inbox",
    "warning_assign",
    "warning_close",
    "warning_detail",
    "warnings_assign_bulk",
]
