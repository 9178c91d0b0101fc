"""Pages of the organisation, one module per subject: the home dispatch, departments, policy
thresholds and notifications (``pages``); accounts and one's own password (``accounts``)."""

from .accounts import (
    PasswordChangeView,
    user_create,
    user_deactivate,
    user_detail,
    user_edit,
    user_list,
    user_reactivate,
    user_reset_password,
)
from .audit import audit_log
from .pages import (
    LogoutView,
    department_contact_delete_view,
    department_contact_edit,
    departments,
    home,
    notifications,
    notifications_mark_read,
    policy,
    policy_edit,
    policy_new_year,
    register_role_home,
)

__all__ = [
    "audit_log",
    "LogoutView",
    "PasswordChangeView",
    "department_contact_delete_view",
    "department_contact_edit",
    "departments",
    "home",
    "register_role_home",
    "notifications",
    "notifications_mark_read",
    "policy",
    "policy_edit",
    "policy_new_year",
    "user_create",
    "user_deactivate",
    "user_detail",
    "user_edit",
    "user_list",
    "user_reactivate",
    "user_reset_password",
]
