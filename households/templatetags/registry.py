"""Fast formatting for registry tables.

The household list shows 50 rows on every request and is the page the county
opens most; rendering its rows through the template engine cost three times
the rest of the request, so the row markup is built here in one pass.
"""

from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from households.models import Status2020

register = template.Library()

_STATUS_LABELS = dict(Status2020.choices)
_BELOW = '<span class="tag tag-red">低于</span>'
_MONITORED = '<span class="tag tag-orange">监测中</span>'


@register.filter
def money(value: Decimal | None) -> str:
    """``12534.5`` → ``12,534.50``; Django's ``floatformat|intcomma`` does the same far slower."""
    if value is None or value == "":
        return ""
    return f"{value:,.2f}"


@register.simple_tag
def household_rows(households, detail_base: str) -> SafeString:
    """The ``<tr>``s of the household list; columns as in ``household_list.html``'s header.

    ``households`` are the dicts of ``views.LIST_COLUMNS`` from ``selectors.household_list``."""
    rows = []
    for h in households:
        if h["latest_per_capita_income"] is not None:
            income = (
                f"{h['latest_per_capita_income']:,.2f}"
                f'<span class="muted small">（{h["latest_income_year"]}年）</span>'
            )
        else:
            income = '<span class="muted">未登记</span>'
        group = h["group__name"]
        # data-label names each cell when a phone shows the row as a card (app.css).
        rows.append(
            "<tr>"
            f'<td data-label="户主"><a href="{detail_base}{h["pk"]}/">{escape(h["head_name"])}</a></td>'
            f'<td data-label="镇">{escape(h["village__town__name"])}</td>'
            f'<td data-label="村">{escape(h["village__name"])}</td>'
            f'<td data-label="组">{escape(group) if group else "—"}</td>'
            f'<td data-label="人口" class="num">{h["size"]}</td>'
            f'<td data-label="2020年底身份">'
            f"{escape(_STATUS_LABELS.get(h['status_2020'], h['status_2020']))}</td>"
            f'<td data-label="最近人均纯收入（元）" class="num">{income}</td>'
            f'<td data-label="低于监测线">{_BELOW if h["below_income_line"] else "—"}</td>'
            f'<td data-label="监测中">{_MONITORED if h["is_monitored"] else "—"}</td>'
            "</tr>"
        )
    # Every value that came from the database went through escape() above.
    return mark_safe("\n".join(rows))  # noqa: S308


@register.simple_tag
def dashboard_cell(cell) -> SafeString:
    """One figure of a dashboard table (``households.dashboard.Cell``): a tag, a link into
    its list, or the number, written in Python (a county table has hundreds)."""
    value = cell.value
    text = f"{value:,}" if cell.numeric and isinstance(value, int) else escape(str(value))
    if cell.tag:
        return mark_safe(f'<span class="tag tag-{escape(cell.tag)}">{text}</span>')  # noqa: S308
    alert = ' class="text-alert"' if cell.alert else ""
    if cell.url:
        return mark_safe(f'<a href="{escape(cell.url)}"{alert}>{text}</a>')  # noqa: S308
    return mark_safe(f"<span{alert}>{text}</span>" if alert else text)  # noqa: S308


def _figure_cell(cell) -> str:
    numeric = ' class="num"' if cell.numeric else ""
    return f"<td{numeric}>{dashboard_cell(cell)}</td>"


@register.simple_tag
def dashboard_row(cells, *, head: bool = True) -> SafeString:
    """A row's cells of a dashboard table: with ``head``, the first as the row's header, the
    rest as figures. Written in Python: the county's tables have hundreds of cells."""
    first = f'<th scope="row">{dashboard_cell(cells[0])}</th>' if head and cells else ""
    rest = cells[1:] if first else cells
    return mark_safe(first + "".join(_figure_cell(cell) for cell in rest))  # noqa: S308
