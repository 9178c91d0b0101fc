"""The yardstick: the least a Django page can do to show 50 households of a village.

Same data, same middleware and session login as the real list, but one query
and a twelve-line template: no filters form, no counts, no layout.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines

from households.models import Household

_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>农户</title></head>
<body><table>
<thead><tr><th>户编号</th><th>户主</th><th>村</th><th>2020年底身份</th><th>人均纯收入</th></tr></thead>
<tbody>{% for h in households %}<tr><td>{{ h.code }}</td><td>{{ h.head_name }}</td>
<td>{{ h.village.name }}</td><td>{{ h.get_status_2020_display }}</td>
<td>{{ h.latest_per_capita_income|default:"" }}</td></tr>{% endfor %}</tbody>
</table></body></html>"""
)


@login_required
def bare_household_table(request: HttpRequest) -> HttpResponse:
    households = (
        Household.objects.filter(village_id=request.GET.get("village"))
        .select_related("village")
        .order_by("-id")[:50]
    )
    return HttpResponse(_TEMPLATE.render({"households": households}, request))
