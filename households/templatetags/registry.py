"""Small, fast formatting for registry tables (the list renders 50 rows per request)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """``12534.5`` → ``12,534.50``; Django's ``floatformat|intcomma`` does the same far slower."""
    if value is None or value == "":
        return ""
    return f"{value:,.2f}"
