"""What changed between the versions of a record kept by django-simple-history, as rows a
page can show: the one reading of history shared by every "变更记录" section.

``versions`` pairs each historical record with the same object's version before it;
``field_changes`` lists what differs between the two, each value shown by ``display``
(names for foreign keys, labels for choices, 是/否, ISO dates, "—" for nothing). Each page
decides which fields it shows and how it names the objects it mentions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Field, QuerySet

EMPTY = "—"
ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}

# field name -> {primary key -> name}: what a foreign key's value is called on the page
Names = Mapping[str, Mapping[Any, str]]


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


def versions(records: QuerySet) -> Iterator[tuple[Any, Any | None]]:
    """Each historical record, oldest first, with the same object's version before it (None
    for its first version on record). One query, with the author of each version."""
    previous: dict[Any, Any] = {}
    for record in records.select_related("history_user").order_by("history_date", "history_id"):
        yield record, previous.get(record.id)
        previous[record.id] = record


def display(field: Field, value: Any, names: Names | None = None) -> str:
    if value is None or value == "":
        return EMPTY
    if field.is_relation:
        return str((names or {}).get(field.name, {}).get(value, f"#{value}"))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def field_changes(
    record: Any,
    before: Any | None,
    fields: Iterable[Field],
    *,
    names: Names | None = None,
    labels: Mapping[str, str] | None = None,
    show: Callable[[Field, Any], str] | None = None,
) -> list[Change]:
    """The ``fields`` whose value differs from the version ``before``; for a first version
    (``before`` None), the fields that hold a value. A deletion lists nothing."""
    if record.history_type == "-":
        return []
    show = show or (lambda field, value: display(field, value, names))
    labels = labels or {}
    changes = []
    for field in fields:
        new = getattr(record, field.attname)
        if before is None:
            if new in (None, "", False):
                continue
            old = None
        else:
            old = getattr(before, field.attname)
            if old == new:
                continue
        changes.append(
            Change(
                label=labels.get(field.name) or str(field.verbose_name),
                old=EMPTY if before is None else show(field, old),
                new=show(field, new),
            )
        )
    return changes
