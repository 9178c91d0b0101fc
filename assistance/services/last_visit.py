"""Each pairing's latest visit (``HelpAssignment.last_visited_on``), copied from the
registry's visits so that the visits due of 三(八)1 read one row per pairing.

``assistance/signals.py`` calls these on every save or delete of a visit and when a pairing
is made, whatever made it (a service, the admin, a test factory); the demo and the
migration that added the field recompute them all at once.
"""

from __future__ import annotations

import datetime

from django.db.models import Max, OuterRef, QuerySet, Subquery

from households.models import Visit

from ..models import HelpAssignment


def _latest(household_id, helper_id) -> QuerySet[Visit]:
    return Visit.objects.filter(household_id=household_id, visitor_id=helper_id)


def assignments_refresh_last_visit(*, assignments: QuerySet[HelpAssignment]) -> int:
    """Recompute ``last_visited_on`` of ``assignments`` from the visits, in one statement."""
    latest = (
        _latest(OuterRef("household_id"), OuterRef("helper_id"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    return assignments.update(last_visited_on=Subquery(latest))


def last_visit_of(*, household_id: int, helper_id: int) -> datetime.date | None:
    """The helper's latest visit to the household, for a pairing about to be made."""
    return _latest(household_id, helper_id).aggregate(last=Max("visited_on"))["last"]
