"""民政's monthly roster of the low-income population (低保, 特困, 低保边缘, 刚性支出困难).

A file whose rows carry roster indicators (``WarningIndicator.roster_status``) is read by the
same reader and row checks as any department file, then, instead of making warnings, sets the
households' statuses through ``households.low_income.low_income_roster_apply``: for each
status the file lists, the whole current list of that month. People outside the registry
become clues as in any department file (三(五)3, 三(四)3); a household newly 低保 or 特困 that
is not monitored becomes a warning for its village to check (三(四)2). A roster is small
beside a warning file (tens of thousands of people at most), so it is matched through the ORM
in chunks rather than the warning file's staged table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from households.low_income import RosterOutcome, low_income_roster_apply
from households.models import LowIncomeStatus, Member, MonitoringSubject
from households.selectors import excel_truncated

from .. import spreadsheets
from ..models import Priority, State, Upload, Warning, period_label, period_start
from .matching import NAME_MISMATCH

CHUNK = 500  # ID numbers per look-up: SQLite binds at most 32,766 parameters


@dataclass
class RosterApplied:
    outcomes: list[RosterOutcome] = field(default_factory=list)
    outsiders: list[spreadsheets.ParsedRow] = field(default_factory=list)
    errors: list[spreadsheets.RowError] = field(default_factory=list)
    repeated: int = 0  # rows that repeat an earlier row's person and status
    warnings_written: int = 0

    def summary(self, upload: Upload) -> dict[str, Any]:
        return {
            "month": upload.period,
            "kinds": [outcome.as_dict() for outcome in self.outcomes],
            "repeated": self.repeated,
        }


@dataclass
class _Person:
    member_id: int
    household_id: int
    village_id: int
    town_id: int
    name: str


def roster_source_label(upload: Upload) -> str:
    return (
        f"{upload.department.short_name}{period_label(upload.period)}名册"
        f"（第{upload.pk}号上传：{upload.original_name}）"
    )


def roster_apply(rows: list[spreadsheets.ParsedRow], upload: Upload) -> RosterApplied:
    """Set the statuses the roster lists; call inside the upload's transaction."""
    applied = RosterApplied()
    first: dict[tuple[str, int], spreadsheets.ParsedRow] = {}
    for row in rows:
        if first.setdefault((row.id_number, row.indicator.id), row) is not row:
            applied.repeated += 1
    people = _registered({id_number for id_number, _ in first})
    truncated = excel_truncated(
        people=[(row.id_number, row.name) for row in first.values() if row.id_number not in people]
    )
    listed: dict[str, set[int]] = defaultdict(set)
    kept: dict[str, set[int]] = defaultdict(set)
    first_row: dict[tuple[str, int], spreadsheets.ParsedRow] = {}
    kinds: dict[str, Any] = {}
    for row in first.values():
        kind = row.indicator.roster_status
        kinds.setdefault(kind, row.indicator)
        person = people.get(row.id_number)
        if person is None:
            reason = truncated.get((row.id_number, row.name))
            if reason:
                applied.errors.append(row.error("身份证号", row.id_number, reason))
            else:
                applied.outsiders.append(row)
        elif spreadsheets.normalize_name(person.name) != row.name:
            applied.errors.append(row.error("姓名", row.name, NAME_MISMATCH))
            kept[kind].add(person.household_id)
        else:
            listed[kind].add(person.household_id)
            first_row.setdefault((kind, person.household_id), row)
    month = period_start(upload.period)
    label = roster_source_label(upload)
    for kind in [k for k in LowIncomeStatus.Kind.values if k in kinds]:
        outcome = low_income_roster_apply(
            actor=upload.uploaded_by,
            kind=kind,
            month=month,
            household_ids=listed[kind],
            keep=kept[kind],
            source_label=label,
        )
        applied.outcomes.append(outcome)
        # The kind's first roster is the baseline: who already holds the status is not news.
        if kind in LowIncomeStatus.IN_SCOPE_KINDS and not outcome.baseline:
            applied.warnings_written += _warn_unmonitored(
                upload, [first_row[(kind, pk)] for pk in outcome.started], people
            )
    return applied


def _registered(numbers: set[str]) -> dict[str, _Person]:
    ordered = sorted(numbers)
    found: dict[str, _Person] = {}
    for start in range(0, len(ordered), CHUNK):
        rows = Member.objects.filter(id_number__in=ordered[start : start + CHUNK]).values_list(
            "id_number", "pk", "household_id", "household__village_id",
            "household__village__town_id", "name",
        )  # fmt: skip
        for id_number, *rest in rows:
            found[id_number] = _Person(*rest)
    return found


def _warn_unmonitored(
    upload: Upload, rows: list[spreadsheets.ParsedRow], people: dict[str, _Person]
) -> int:
    """三(四)2: a household newly 低保 or 特困 and not monitored is a warning for its village
    to check, on the roster's own indicator. The unique (member, period, indicator) makes a
    second pass add nothing."""
    households = {people[row.id_number].household_id for row in rows}
    monitored = set(
        MonitoringSubject.objects.filter(
            household_id__in=households, status=MonitoringSubject.Status.MONITORING
        ).values_list("household_id", flat=True)
    )
    warnings = []
    for row in rows:
        person = people[row.id_number]
        if person.household_id in monitored:
            continue
        warnings.append(
            Warning(
                indicator=row.indicator,
                department_id=upload.department_id,
                period=upload.period,
                member_id=person.member_id,
                household_id=person.household_id,
                village_id=person.village_id,
                town_id=person.town_id,
                upload=upload,
                row_number=row.row,
                note=f"新纳入{row.indicator.get_roster_status_display()}，尚未纳入监测",
                priority=Priority.YELLOW,
                state=State.RECEIVED,
            )
        )
    members = [w.member_id for w in warnings]
    existing = {
        pair
        for start in range(0, len(members), CHUNK)
        for pair in Warning.objects.filter(
            period=upload.period, member_id__in=members[start : start + CHUNK]
        ).values_list("member_id", "indicator_id")
    }
    warnings = [w for w in warnings if (w.member_id, w.indicator_id) not in existing]
    Warning.objects.bulk_create(warnings)
    return len(warnings)
