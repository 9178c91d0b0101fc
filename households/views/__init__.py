"""Browser pages of the registry (台账). Thin: parse a form, call a service, render.

Every object is fetched through the scoped selectors, so another scope's
household, member, income record, visit or monitoring subject answers 404; an
object the user may see but not change answers 403 on its edit pages.
"""

from .households import (
    DETAIL_ACTIONS,
    household_create,
    household_detail,
    household_list,
    household_update,
    overview,
    register_detail_action,
)
from .income import income_create, income_update
from .low_income import status_create, status_end
from .members import member_create, member_delete, member_update
from .monitoring import (
    subject_create,
    subject_detail,
    subject_list,
    subject_risks_update,
)
from .visits import visit_create, visit_update

__all__ = [
    "DETAIL_ACTIONS",
    "household_create",
    "household_detail",
    "household_list",
    "household_update",
    "income_create",
    "income_update",
    "member_create",
    "member_delete",
    "member_update",
    "overview",
    "register_detail_action",
    "status_create",
    "status_end",
    "subject_create",
    "subject_detail",
    "subject_list",
    "subject_risks_update",
    "visit_create",
    "visit_update",
]
