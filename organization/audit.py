"""Who saw personal data: the one helper every export, download and ID-number search calls.

Call ``record_access`` where a file of personal data is served or a list of it exported
(public notices, error reports, comparison data), and ``record_id_search`` with the search
term wherever a list is searched (it records only terms shaped like an ID number). Entries are
append-only (``AuditEntry``); the county bureau reviews them on /audit-log/ and /api/audit-log/.
"""

from __future__ import annotations

import re

from axes.helpers import get_client_ip_address
from django.http import HttpRequest

from .models import AuditEntry

Kind = AuditEntry.Kind

# A whole ID number or its first digits (six or more: the area code and on), as the household
# and subject searches treat it (households.selectors._search_q); spaces are ignored.
ID_SHAPED = re.compile(r"^\d{5,17}[\dXx]$")


def looks_like_id_number(term: str) -> bool:
    return bool(ID_SHAPED.match("".join((term or "").split())))


def record_access(
    request: HttpRequest, *, kind: str, what: str, detail: str = "", rows: int | None = None
) -> AuditEntry | None:
    """One entry for the signed-in user of ``request``; nothing for an anonymous request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return record_entry(
        user=user,
        kind=kind,
        what=what,
        detail=detail,
        rows=rows,
        path=request.path,
        ip_address=client_ip(request),
    )


def record_entry(
    *,
    user,
    kind: str,
    what: str,
    detail: str = "",
    rows: int | None = None,
    path: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    """The entry itself, for a worker that finishes an export long after the request: it keeps
    the request's path and address and records the rows it actually wrote."""
    return AuditEntry.objects.create(
        user=user,
        kind=kind,
        what=what[:200],
        detail=detail[:200],
        rows=rows,
        path=path[:300],
        ip_address=ip_address,
    )


def record_id_search(request: HttpRequest, term: str, *, where: str) -> AuditEntry | None:
    """A search of ``where`` (e.g. "农户台账") by a term shaped like an ID number."""
    if not looks_like_id_number(term):
        return None
    return record_access(
        request, kind=Kind.ID_SEARCH, what=where, detail="".join(term.split()).upper()
    )


def client_ip(request: HttpRequest) -> str | None:
    # The address django-axes locks on: REMOTE_ADDR unless a proxy header is configured.
    return get_client_ip_address(request) or None
