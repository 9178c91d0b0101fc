"""A service's refusal shown on a page: the one mapping every app's views use.

Services raise Django's ``ValidationError`` (a broken field rule) or the project's
``ApplicationError`` (a broken step rule, or ``ConflictError`` for a wrong state).
A page shows either as a form error, on the field the service named when the form
has that field. A ``PermissionDenied`` the service raises is not caught by
``run_service``: the page answers 403, as for any other request the user may not make.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone

from .exceptions import ApplicationError, ConflictError

T = TypeVar("T")

# What a service raises when it refuses; anything else is a fault, not a user's mistake.
REFUSALS = (ValidationError, ApplicationError)
MSG_NOT_ALLOWED = "您没有权限办理此事项"
# The code a refusal carries on the form, so that a view may treat a wrong state apart
# (``conflict_message``), e.g. send the user back to the object with the message.
CONFLICT = "conflict"
REFUSED = "refused"


def refusal_messages(error: Exception) -> list[str]:
    """The Chinese messages of a refusal, for a page that has no form to put them on."""
    if isinstance(error, ApplicationError):
        return [error.message]
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error) or MSG_NOT_ALLOWED]


def apply_service_error(form: forms.BaseForm, error: Exception) -> None:
    """Put a service's refusal on ``form``: each message on its field where the form has it."""
    if isinstance(error, ApplicationError):
        code = CONFLICT if isinstance(error, ConflictError) else REFUSED
        _add(form, error.field, [ValidationError(error.message, code=code)])
    elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            _add(form, field, field_errors)
    elif isinstance(error, ValidationError):
        _add(form, None, error.messages)
    elif isinstance(error, PermissionDenied):
        _add(form, None, [str(error) or MSG_NOT_ALLOWED])
    else:
        raise TypeError(f"not a service refusal: {error!r}")


def _add(form: forms.BaseForm, field: str | None, errors: list) -> None:
    # add_error() refuses a field the form does not have: such a message stands above the form.
    form.add_error(field if field in form.fields else None, errors)


def run_service(
    form: forms.BaseForm, fn: Callable[..., T], /, *args: Any, **kwargs: Any
) -> T | None:
    """Call ``fn(*args, **kwargs)`` and return what it returns; on a refusal, put it on
    ``form`` and return ``None`` (``form.errors`` then says why)."""
    try:
        return fn(*args, **kwargs)
    except REFUSALS as error:
        apply_service_error(form, error)
        return None


def run_action(request: HttpRequest, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> bool:
    """A button with no form (assign, close, conclude): call ``fn(*args, **kwargs)``; a
    refusal becomes an error message on the next page. True when the service accepted."""
    try:
        fn(*args, **kwargs)
    except REFUSALS as error:
        messages.error(request, "；".join(refusal_messages(error)))
        return False
    return True


def conflict_message(form: forms.BaseForm) -> str | None:
    """The message of a wrong-state refusal on ``form``, if that is why the service refused."""
    for field_errors in form.errors.as_data().values():
        for error in field_errors:
            if error.code == CONFLICT:
                return error.message
    return None


# --- date inputs ---------------------------------------------------------------------------

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """``<input type="date">`` with its value written ISO (2026-11-30), the only form the
    browser reads: Django's default is the locale's first input format, 2026/11/30 in
    zh-hans, which the browser rejects and shows as an empty field. ``past_only`` offers no
    day after today (dates recorded after the fact, never ahead)."""

    input_type = "date"

    def __init__(self, attrs=None, *, past_only: bool = False):
        super().__init__(attrs=attrs, format=ISO_DATE)
        self.past_only = past_only

    def get_context(self, name, value, attrs):
        if self.past_only:
            attrs = {**(attrs or {}), "max": timezone.localdate().isoformat()}
        return super().get_context(name, value, attrs)


def date_field(label: str, *, past_only: bool = True, **kwargs: Any) -> forms.DateField:
    """A form's date field with the ISO date picker (by default no later than today)."""
    return forms.DateField(label=label, widget=DateInput(past_only=past_only), **kwargs)
