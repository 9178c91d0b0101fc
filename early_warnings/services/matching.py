"""A file's rows matched to the registry and written as warnings, inside the database (三(四)2).

The valid rows are loaded once into a temporary table and joined once to the whole registry
by ID number; the name check, the people outside the registry (三(五)3: they become clues),
the warnings with their priority and the raising of earlier rows are then statements over
that table. Nothing of the registry travels to Python and back: at 100,000 rows the round
trip (a tuple per member out, a 28-column row per warning in) cost more than the join and
the insert themselves.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, models

from households.models import Household, Member
from households.selectors import excel_truncated
from organization.models import Village

from .. import spreadsheets
from ..models import Priority, Upload, Warning
from .bulk import drop_temp_tables, received_from, shared_values, temp_table

_warning = Warning._meta.get_field
# The staged file: typed as the columns they end up in. Name and ID as text: a name too long
# for the registry is refused by the validator, but the temporary table must not be the judge.
FILE_COLUMNS = {
    "line": models.IntegerField(),
    "row_number": _warning("row_number"),
    "id_number": models.TextField(),
    "name": models.TextField(),
    "indicator_id": _warning("indicator"),
    "severe": _warning("severe"),
    "fires": models.BooleanField(),
    "value": _warning("value"),
    "occurred_on": _warning("occurred_on"),
    "note": _warning("note"),
}
NAME_MISMATCH = "姓名与台账中该身份证号登记的姓名不一致，请核对"


@dataclass
class Matched:
    warnings_written: int = 0
    outsiders: list[spreadsheets.ParsedRow] = field(default_factory=list)  # over the rule
    errors: list[spreadsheets.RowError] = field(default_factory=list)  # names, cut-off IDs
    below_rule: Counter = field(default_factory=Counter)  # indicator code -> valid rows under it
    repeated: int = 0  # rows that repeat an earlier row's person and indicator
    registered_over: int = 0  # rows of registered members over the rule, repeats not counted
    # person and indicator -> their first line and the lines that repeat it (few in any file)
    repeats: dict[tuple[str, int], list[int]] = field(default_factory=dict)


def write_warnings(rows: list[spreadsheets.ParsedRow], upload: Upload) -> Matched:
    """Write a warning for every row of a registered member over its indicator's rule; return
    the rows over the rule of people outside the registry and the rows whose name differs.
    Call inside the upload's transaction."""
    matched = Matched()
    if not rows:
        return matched
    _lock_period(upload.period)
    temp_table("ingest_file", FILE_COLUMNS, _staged(rows, matched))
    _join_registry()
    _set_aside_exceptions(rows, matched)
    _red_households(upload)
    matched.warnings_written = _insert(upload)
    _raise_earlier_rows(upload.period)
    drop_temp_tables("ingest_file", "ingest_matched", "ingest_red")
    return matched


def _staged(rows: list[spreadsheets.ParsedRow], matched: Matched) -> Iterator[tuple]:
    """The rows for ``FILE_COLUMNS``, in ID order: the registry's index is then probed page
    after page (a third of the join's time in file order). A row that repeats an earlier
    one's person and indicator is staged for the name check but writes nothing. Rows under
    their indicator's rule are counted, so the result accounts for every row."""
    first: dict[tuple[str, int], int] = {}
    below = matched.below_rule
    for row in sorted(rows, key=operator.attrgetter("id_number")):  # stable: file order kept
        indicator = row.indicator
        fires = indicator.fires(row.value)
        if fires:
            key = (row.id_number, indicator.id)
            fires = first.setdefault(key, row.line) == row.line
            if not fires:
                matched.repeated += 1
                matched.repeats.setdefault(key, [first[key]]).append(row.line)
        else:
            below[indicator.code] += 1
        yield (
            row.line, row.row, row.id_number, row.name, indicator.id, indicator.severe, fires,
            row.value, row.occurred_on, row.note,
        )  # fmt: skip


def _lock_period(period: str) -> None:
    """Priorities are judged over the month's rows, so two files of one month are written one
    after the other. SQLite's IMMEDIATE transactions already are; PostgreSQL takes a lock that
    lasts until this transaction ends. For this transaction only, PostgreSQL also gets the
    memory to join and sort a county's file without spilling to disk (the default 4 MB
    splits the registry join into batches and sorts the insert on disk: 0.25 s)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext('early_warnings.period'), %s)",
                [int(period.replace("-", ""))],
            )
            cursor.execute("SET LOCAL work_mem = '64MB'")


def _join_registry() -> None:
    """One pass over the registry: the member, household, village and town of every row."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        # LEFT JOIN keeps the file's rows as the outer loop on SQLite (one index probe per
        # row); with statistics on the registry and none on the staged rows it would
        # otherwise walk every village's households and members.
        cursor.execute(
            f"CREATE TEMP TABLE ingest_matched AS "
            f"SELECT f.*, m.id AS member_id, m.name AS registered_name, m.household_id, "
            f"h.village_id, v.town_id "
            f"FROM ingest_file f "
            f"LEFT JOIN {q(Member._meta.db_table)} m ON m.id_number = f.id_number "
            f"LEFT JOIN {q(Household._meta.db_table)} h ON h.id = m.household_id "
            f"LEFT JOIN {q(Village._meta.db_table)} v ON v.id = h.village_id"
        )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE ingest_matched")


def _set_aside_exceptions(rows: list[spreadsheets.ParsedRow], matched: Matched) -> None:
    """People outside the registry go to ``matched.outsiders`` when over the rule; a name that
    differs from the registry's is the row's error, and the row is taken out. A name that
    differs only as the file's names are cleaned (spaces, full-width) is the same name. An
    ID outside the registry that Excel cut to 15 digits and 000 is the row's error too, not
    a clue for a person who does not exist."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT line, fires, member_id, registered_name FROM ingest_matched "
            "WHERE member_id IS NULL OR registered_name <> name"
        )
        exceptions = sorted(cursor.fetchall(), key=operator.itemgetter(0))
        by_line = {row.line: row for row in rows}
        truncated = excel_truncated(
            people=[(by_line[line].id_number, by_line[line].name) for line, _, member, _ in
                    exceptions if member is None]
        )  # fmt: skip
        refused: set[int] = set()
        for line, fires, member_id, registered_name in exceptions:
            row = by_line[line]
            reason = truncated.get((row.id_number, row.name)) if member_id is None else None
            if reason:
                matched.errors.append(row.error("身份证号", row.id_number, reason))
            elif member_id is None:
                if fires:  # over the rule, and not a repeat of an earlier row
                    matched.outsiders.append(row)
                continue
            elif spreadsheets.normalize_name(registered_name) != row.name:
                matched.errors.append(row.error("姓名", row.name, NAME_MISMATCH))
            else:
                continue
            refused.add(line)
            if not row.indicator.fires(row.value):
                matched.below_rule[row.indicator.code] -= 1
            elif not fires:
                matched.repeated -= 1
        _delete_lines(cursor, sorted(refused))
        _promote_repeats(cursor, refused, by_line, matched)
        cursor.execute("SELECT COUNT(*) FROM ingest_matched WHERE fires AND member_id IS NOT NULL")
        matched.registered_over = cursor.fetchone()[0]


def _delete_lines(cursor, lines: list[int]) -> None:
    for start in range(0, len(lines), 500):
        chunk = lines[start : start + 500]
        cursor.execute(
            f"DELETE FROM ingest_matched WHERE line IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        )


def _promote_repeats(
    cursor, refused: set[int], by_line: dict[int, spreadsheets.ParsedRow], matched: Matched
) -> None:
    """A refused first row must not hold its person's slot: the next row of the same person
    and indicator that was not refused writes the warning (or becomes the clue) instead."""
    for first, *later in matched.repeats.values():
        if first not in refused:
            continue
        promoted = next((line for line in later if line not in refused), None)
        if promoted is None:
            continue
        cursor.execute("UPDATE ingest_matched SET fires = %s WHERE line = %s", [True, promoted])
        cursor.execute("SELECT member_id FROM ingest_matched WHERE line = %s", [promoted])
        if cursor.fetchone()[0] is None:
            matched.outsiders.append(by_line[promoted])
        matched.repeated -= 1


def _red_households(upload: Upload) -> None:
    """三(四)2 研判预警: a household is red when two or more departments flag it in the month
    or a severe indicator fires for it. A file comes from one department, so a household in
    it is red when the file has a severe row for it, or the month already has a row for it
    from another department or a severe one."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        # IN (subquery): evaluated once, into a hash (PostgreSQL) or a temporary index
        # (SQLite). As a join, SQLite scanned the month's households once per row of the
        # file: 100 s for a file sent twice.
        cursor.execute(
            f"CREATE TEMP TABLE ingest_red AS "
            f"SELECT DISTINCT household_id FROM ingest_matched "
            f"WHERE fires AND member_id IS NOT NULL AND (severe OR household_id IN ("
            f"SELECT household_id FROM {q(Warning._meta.db_table)} "
            f"WHERE period = %s AND (department_id <> %s OR severe)))",
            [upload.period, upload.department_id],
        )


def _insert(upload: Upload) -> int:
    """The warnings, in member order: members and their households were created together,
    so the index pages an insert touches are neighbours. Returns how many were new.

    A row already written (an earlier file, or the same one again after a killed worker)
    is left out by the anti-join: nothing else writes a month's warnings while this
    transaction holds the month (``_lock_period``), and the unique (member, period,
    indicator) stays the guarantee. PostgreSQL's ON CONFLICT would cost a third of the
    insert for it (a speculative insertion per row)."""
    q = connection.ops.quote_name
    table = q(Warning._meta.db_table)
    varying = (
        "member_id", "household_id", "village_id", "town_id", "indicator_id", "severe",
        "row_number", "value", "occurred_on", "note",
    )  # fmt: skip
    shared_columns, placeholders, shared = shared_values(Warning, received_from(upload))
    columns = ", ".join(q(name) for name in (*varying, "priority"))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The default 2 MB page cache makes every index insert a disk read on a
            # county-sized file; 64 MB keeps the touched index pages in memory.
            cursor.execute("PRAGMA cache_size = -65536")
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {shared_columns}) "
            f"SELECT {', '.join(varying)}, "
            f"CASE WHEN household_id IN (SELECT household_id FROM ingest_red) "
            f"THEN %s ELSE %s END, {placeholders} "
            f"FROM ingest_matched f WHERE fires AND member_id IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {table} w WHERE w.member_id = f.member_id "
            f"AND w.period = %s AND w.indicator_id = f.indicator_id) "
            f"ORDER BY member_id",
            [Priority.RED, Priority.YELLOW, *shared, upload.period],
        )
        return cursor.rowcount


def _raise_earlier_rows(period: str) -> None:
    """The month's earlier rows of a household this file made red turn red too."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(Warning._meta.db_table)} SET priority = %s "
            f"WHERE period = %s AND priority <> %s "
            f"AND household_id IN (SELECT household_id FROM ingest_red)",
            [Priority.RED, period, Priority.RED],
        )
