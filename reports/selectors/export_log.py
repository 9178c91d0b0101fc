"""The export log (三(十) ledgers): the audit log's export entries, read through its selector,
so only those who may review the audit log see it and nothing is stored twice."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from organization.models import AuditEntry, User
from organization.selectors import AuditFilters, audit_entries, may_review_audit_log

from ..models import LedgerKind
from .low_income import TITLE as LOW_INCOME_TITLE

ASSESSMENT_TITLE = "年终考核表"
# What an export entry names (``AuditEntry.what``), by the ledger's key.
LEDGER_TITLES = {
    **{kind.value: kind.label for kind in LedgerKind},
    "assessment": ASSESSMENT_TITLE,
    "low_income": LOW_INCOME_TITLE,
}

may_read_export_log = may_review_audit_log


@dataclass(frozen=True)
class ExportLogFilters:
    user: int | None = None
    who: str = ""
    ledger: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def export_log(*, user: User, filters: ExportLogFilters | None = None) -> QuerySet[AuditEntry]:
    """Every export entry (the ledgers', the assessment's and the other lists'), newest first."""
    filters = filters or ExportLogFilters()
    qs = audit_entries(
        user=user,
        filters=AuditFilters(
            user=filters.user,
            who=filters.who,
            kind=AuditEntry.Kind.EXPORT,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    )
    if filters.ledger in LEDGER_TITLES:
        qs = qs.filter(what=LEDGER_TITLES[filters.ledger])
    return qs
