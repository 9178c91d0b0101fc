"""Writes to the organisation: one service per meaningful write."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from suixi_monitor.services import save_with_actor

from .models import Department, DepartmentContact, Notification, PolicySettings, Role, User
from .signals import policy_changed


def policy_settings_save(*, actor: User, year: int, values: dict[str, Any]) -> PolicySettings:
    """Create or change a year's thresholds; only the county bureau may (三(六): thresholds are data)."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县扶贫局可以修改政策参数")
    with transaction.atomic():
        policy = PolicySettings.objects.select_for_update().filter(
            year=year
        ).first() or PolicySettings(year=year)
        for name, value in values.items():
            setattr(policy, name, value)
        _check_amounts_positive(policy)
        save_with_actor(policy, actor=actor)
        # Inside the transaction: the derived flags change with the numbers or not at all.
        policy_changed.send(sender=PolicySettings, year=year)
    return policy


# A line of zero or less would leave no household below it and empty 三(五)3 and 三(六).
POSITIVE_AMOUNTS = {
    "income_line": "监测收入线必须大于0元",
    "minimum_living_standard": "农村低保标准必须大于0元",
}


def _check_amounts_positive(policy: PolicySettings) -> None:
    errors = {
        name: message
        for name, message in POSITIVE_AMOUNTS.items()
        if getattr(policy, name) is not None and getattr(policy, name) <= 0
    }
    if errors:
        raise ValidationError(errors)


MSG_CONTACTS_COUNTY_ONLY = "只有县扶贫局可以维护部门通讯录"


def department_contact_save(
    *,
    actor: User,
    department: Department,
    values: dict[str, Any],
    contact: DepartmentContact | None = None,
) -> DepartmentContact:
    """Add a department's contact person or change one; the county bureau keeps the directory."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(MSG_CONTACTS_COUNTY_ONLY)
    with transaction.atomic():
        if contact is None:
            contact = DepartmentContact(department=department)
        else:
            contact = DepartmentContact.objects.select_for_update().get(pk=contact.pk)
            contact.department = department
        for name, value in values.items():
            setattr(contact, name, value.strip() if isinstance(value, str) else value)
        save_with_actor(contact, actor=actor)
    return contact


def department_contact_delete(*, actor: User, contact: DepartmentContact) -> None:
    """Take a person off the directory; the history keeps who they were and who removed them."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(MSG_CONTACTS_COUNTY_ONLY)
    contact._history_user = actor
    contact.delete()


def notify(*, recipients: list[User], message: str, url: str = "") -> int:
    """Leave an in-app message for each recipient; returns how many were written."""
    rows = [Notification(recipient=user, message=message, url=url) for user in recipients]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notification_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
