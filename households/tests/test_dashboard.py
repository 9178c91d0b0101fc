"""The county's and each town's dashboard: the right figures from scoped aggregates, each
linked into its list, a fixed number of queries whatever the county's size, and a hook for
the panels of apps above the registry."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from early_warnings.models import Upload, previous_period
from early_warnings.tests.helpers import make_warning, person
from households import dashboard
from households.models import MonitoringSubject
from households.tests.factories import HouseholdFactory, MemberFactory
from identification.models import CaseState, IdentificationCase
from identification.tests.factories import walk
from organization.tests.factories import department

TODAY = timezone.localdate()
PERIOD = previous_period(TODAY)


def subject(village, category, *, started: datetime.date, ended: datetime.date | None = None):
    household = HouseholdFactory(village=village)
    MemberFactory(household=household)
    status = MonitoringSubject.Status.ELIMINATED if ended else MonitoringSubject.Status.MONITORING
    row = MonitoringSubject(
        household=household, category=category, started_on=started, ended_on=ended
    )
    row.save()
    if ended:  # the status is protected: only a transition sets it, so write it as a row
        MonitoringSubject.objects.filter(pk=row.pk).update(status=status)
    return row


def months_ago(n: int) -> datetime.date:
    day = TODAY.replace(day=1)
    for _ in range(n):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


@pytest.fixture
def county(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    subject(world.a1, "unstable", started=months_ago(0))
    subject(world.a1, "marginal", started=months_ago(2))
    subject(world.a2, "marginal", started=months_ago(14))
    subject(world.b1, "sudden", started=months_ago(5), ended=months_ago(1))
    walk(world, CaseState.APPLIED)  # applied 80 days ago, never checked: overdue
    walk(world, CaseState.VILLAGE_PUBLICIZING, village=world.a2, start=12)
    for state in ("received", "pushed", "assigned", "verified"):
        make_warning(world.a1, state=state, period=PERIOD)
    make_warning(world.b1, state="pushed", period=PERIOD, overdue=True)
    make_warning(world.a1, state="pushed", period="2020-01")  # another month: not counted
    upload = Upload.objects.create(
        department=department("yibao"),
        period=PERIOD,
        file="x.xlsx",
        original_name="x.xlsx",
        size=1,
        uploaded_by=world.frank,
        status=Upload.Status.DONE,
    )
    return upload


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("households:overview"))
    assert response.status_code == 200
    return response


def panel(response, key):
    return next(p for p in response.context["dashboard"].panels if p.key == key)


def figures(table) -> dict:
    return {row[0].value: [c.value for c in row[1:]] for row in table.rows}


def area_figures(response) -> dict[str, dict[str, int]]:
    board = response.context["dashboard"]
    labels = [f"{p.key}:{c.label}" for p in board.column_groups for c in p.columns]
    return {
        area.name: dict(zip(labels, [c.value for c in cells], strict=True))
        for area, _, cells in board.area_rows
    }


def test_the_county_sees_each_figure_of_the_county(world, client, county):
    response = home(client, world.erin)
    subjects = figures(panel(response, "subjects").table)
    assert subjects == {"脱贫不稳定户": [1], "边缘易致贫户": [2], "突发严重困难户": [0]}
    monthly = panel(response, "subjects_monthly").table
    assert len(monthly.rows) == 12
    assert [c.value for c in monthly.foot[1:]] == [3, 1]  # 14 months ago is out of the window
    cases = figures(panel(response, "cases").table)
    # 办理中, then by clock: 正常, 临期, 超期
    assert cases[CaseState.APPLIED.label] == [1, 0, 0, 1]
    assert cases[CaseState.VILLAGE_PUBLICIZING.label] == [1, 1, 0, 0]
    warnings = figures(panel(response, "warnings").table)
    assert warnings["医保"][1:] == [5, 4, 2, 1, 1]  # 预警, 已推送, 已分派, 已核实, 超期
    assert warnings["医保"][0].startswith("按时") or warnings["医保"][0].startswith("逾期")
    assert warnings["卫健"][0] in {"未报", "逾期未报"}
    by_town = area_figures(response)
    assert by_town["甲镇"]["subjects:边缘易致贫户"] == 2
    assert by_town["乙镇"]["subjects:边缘易致贫户"] == 0
    assert by_town["甲镇"]["warnings:本月预警"] == 4 and by_town["乙镇"]["warnings:超期"] == 1
    assert by_town["甲镇"]["cases:办理中"] == 2 and by_town["甲镇"]["cases:超期"] == 1
    assert by_town["乙镇"]["subjects_monthly:近12月风险消除"] == 1


def test_each_figure_links_into_its_list_for_that_area(world, client, county):
    html = home(client, world.erin).content.decode()
    town = world.town_a.pk
    for link in [
        f"/households/?town={town}",
        f"/households/monitoring/?town={town}&amp;category=marginal&amp;status=monitoring",
        f"/identification/?town={town}&amp;queue=open",
        f"/identification/?town={town}&amp;clock=red",
        f"/warnings/county/?town={town}&amp;period={PERIOD}",
        "/identification/?clock=red&amp;state=applied",
    ]:
        assert f'href="{link}"' in html, link
    assert 'data-chart="{' in html and "vendor/echarts/echarts.min.js" in html


def test_a_town_sees_its_villages_only(world, client, county):
    response = home(client, world.carol)
    assert set(area_figures(response)) == {"甲一村", "甲二村"}
    subjects = figures(panel(response, "subjects").table)
    assert subjects["突发严重困难户"] == [0]  # 乙镇's subject is not the town's
    warnings = figures(panel(response, "warnings").table)
    assert warnings["医保"][1:] == [3, 3, 2, 1, 0]  # the received one is not the town's yet
    html = response.content.decode()
    assert f'href="/warnings/town/?village={world.a1.pk}&amp;period={PERIOD}"' in html
    assert f'href="/identification/?village={world.a1.pk}&amp;queue=open"' in html


def test_the_village_monitor_and_the_helper_keep_their_own_home(world, client):
    for user in (world.alice, world.grace):
        assert "dashboard" not in home(client, user).context


# session, user, the notification count (base page); the areas (villages, and for the county
# its towns); households (each village's kept count), below the line, subjects by category,
# started, ended; cases; warnings by department, area and state, and overdue, uploads, late departments, departments; help:
# subjects with plans and pairings, overdue visits, the visit interval twice; the year's
# settings four times (the page, the limits and the orange window, the month's due days).
COUNTY_QUERIES = 24
TOWN_QUERIES = 23


def test_the_dashboards_make_a_fixed_number_of_queries_whatever_the_rows(
    world, client, county, django_assert_num_queries
):
    # On PostgreSQL the panels run in one transaction with their planner settings: a
    # savepoint in a test, the settings, its release.
    extra = 3 if connection.vendor == "postgresql" else 0

    def count(user, expected):
        client.force_login(user)
        with django_assert_num_queries(expected + extra):
            assert client.get(reverse("households:overview")).status_code == 200

    count(world.erin, COUNTY_QUERIES)
    count(world.carol, TOWN_QUERIES)
    # Three times the rows, in every table the dashboard reads: the same queries.
    for village in (world.a1, world.a2, world.b1):
        for n in range(3):
            subject(village, "marginal", started=months_ago(n))
            make_warning(village, state="assigned", period=PERIOD, member=person(village))
    walk(world, CaseState.APPLIED, village=world.a2)
    count(world.erin, COUNTY_QUERIES)
    count(world.carol, TOWN_QUERIES)


def test_an_app_above_the_registry_adds_its_panel_through_the_hook(
    world, client, county, monkeypatch
):
    """How assistance will add help coverage (三(八)1) without the registry importing it."""
    monkeypatch.setattr(dashboard, "DASHBOARD_PANELS", list(dashboard.DASHBOARD_PANELS))

    def coverage(scope):
        return dashboard.Panel(
            key="help",
            title="帮扶覆盖",
            order=50,
            table=dashboard.Table(
                "帮扶覆盖",
                ["项目", "户数"],
                [[dashboard.Cell("已结对", numeric=False), dashboard.Cell(7)]],
            ),
            columns=[dashboard.AreaColumn("已结对", {a.pk: 7 for a in scope.areas})],
        )

    assert dashboard.register_dashboard_panel(coverage) is coverage
    response = home(client, world.erin)
    assert [p.key for p in response.context["dashboard"].panels][-1] == "help"
    assert area_figures(response)["甲镇"]["help:已结对"] == 7
    assert "帮扶覆盖" in response.content.decode()


def test_open_cases_of_other_scopes_are_not_counted(world, client, county):
    assert IdentificationCase.objects.count() == 2
    response = home(client, world.dave)  # town B: no case there
    assert figures(panel(response, "cases").table)[CaseState.APPLIED.label] == [0, 0, 0, 0]


def test_each_step_is_named_as_the_procedures_of_its_cases_name_it(world, client, county):
    """三(七) in 2021, Anhui's procedure from 2024: while cases of both years are open a step
    shows both names; a step with cases of one procedure, or none, shows one."""
    labels = list(figures(panel(home(client, world.erin), "cases").table))
    assert labels[0] == "已申请（待村初核）"  # the county fixture's cases follow 2021
    case = walk(world, CaseState.APPLIED, village=world.a2)
    IdentificationCase.objects.filter(pk=case.pk).update(procedure="anhui_2024")
    labels = list(figures(panel(home(client, world.erin), "cases").table))
    assert labels[0] == "已申请（待村初核）／已申请（待入户核查）"
    assert "待镇审定" in labels  # no 2024 case there: the 2021 name alone
    IdentificationCase.objects.update(procedure="anhui_2024")
    labels = list(figures(panel(home(client, world.erin), "cases").table))
    assert labels[0] == "已申请（待入户核查）"
    assert labels[4] == "村级公示中（信息比对）"
