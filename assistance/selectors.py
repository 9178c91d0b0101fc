"""Reads of help (三(八)1): who is paired with which household."""

from __future__ import annotations

from django.db.models import QuerySet

from organization.models import User

from .models import HelpAssignment


def assigned_household_ids(user: User) -> QuerySet:
    """The households a helper is paired with now: their whole scope (三(三), each helper
    answers for the households paired with them)."""
    return HelpAssignment.objects.filter(helper=user, ended_on__isnull=True).values("household_id")
