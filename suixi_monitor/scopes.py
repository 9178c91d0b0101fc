"""Scope a lower app takes from a higher one, without importing it; see docs/architecture.md.

A helper's households are recorded by ``assistance``, above ``households`` and
``organization``; both must still scope a helper's reads. Each keeps a ``ScopeRules``
that higher apps fill from their ``AppConfig.ready()``, the way
``households.views.register_detail_action`` lets them add buttons.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

Rule = Callable[..., QuerySet]


class ScopeRules:
    """Rules that each answer, for a user, a subquery of the ids the user may see."""

    def __init__(self, lookup: str) -> None:
        self.lookup = lookup  # how the ids are matched, e.g. "pk__in"
        self.rules: list[Rule] = []

    def register(self, rule: Rule) -> Rule:
        if rule not in self.rules:
            self.rules.append(rule)
        return rule

    def q(self, user, prefix: str = "") -> Q:
        """What any registered rule lets ``user`` see; nothing when no rule is registered."""
        q = Q(pk__in=[])
        for rule in self.rules:
            q |= Q(**{f"{prefix}{self.lookup}": rule(user)})
        return q
