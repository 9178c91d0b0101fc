"""Scoped reads of the ledgers (三(十)), the export log and the year-end assessment (三(九))."""

from .assessment import Assessment, assessment, may_read_assessment
from .export_log import (
    ASSESSMENT_TITLE,
    LEDGER_TITLES,
    ExportLogFilters,
    export_log,
    may_read_export_log,
)
from .ledgers import (
    LedgerFilters,
    RegistryStatus,
    columns,
    ledger_export_get,
    ledger_queryset,
    ledger_rows,
    may_read_ledgers,
)
from .low_income import (
    Group,
    LowIncomeFilters,
    low_income_queryset,
    low_income_rows,
    may_read_low_income,
)

__all__ = [
    "Group",
    "LowIncomeFilters",
    "low_income_queryset",
    "low_income_rows",
    "may_read_low_income",
    "ASSESSMENT_TITLE",
    "LEDGER_TITLES",
    "Assessment",
    "ExportLogFilters",
    "LedgerFilters",
    "RegistryStatus",
    "assessment",
    "columns",
    "export_log",
    "ledger_export_get",
    "ledger_queryset",
    "ledger_rows",
    "may_read_assessment",
    "may_read_export_log",
    "may_read_ledgers",
]
