"""What every app's services share when they write a row: the row validated, the actor
kept in its history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django_fsm import FSMField

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def protected_fields(instance: models.Model) -> list[str]:
    """The model's protected FSM fields: only a transition sets them."""
    return [
        field.name
        for field in instance._meta.concrete_fields
        if isinstance(field, FSMField) and field.protected
    ]


def save_with_actor(
    instance: models.Model, *, actor: AbstractBaseUser | None, reason: str = ""
) -> None:
    """Validate every field and rule, then save with ``actor`` in the history row.

    ``actor=None`` is the system (a scheduled task); ``reason`` becomes the history's
    change reason. Protected FSM fields are left out of the validation: ``full_clean()``
    writes each cleaned value back with ``setattr``, which such a field refuses, and its
    value only ever comes from a transition, so there is nothing to check.
    """
    instance.full_clean(exclude=protected_fields(instance))
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()
