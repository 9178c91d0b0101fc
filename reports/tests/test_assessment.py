"""三(九) the year-end assessment: the figures of a small built world, per town, side by side;
who sees which rows; a fixed number of queries; the API and the export."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.selectors.work import overdue_visits_by_town
from early_warnings.models import DepartmentSweep
from early_warnings.tests.helpers import make_warning
from identification.models import ExitRound, ExitState, IdentificationCase, SpotCheck, SpotCheckItem
from identification.tests.factories_exits import exit_case, round_for, town_round
from organization.models import AuditEntry, Department
from organization.tests.factories import department
from organization.working_days import add_working_days
from reports.selectors import assessment

from .support import assert_queries_stay_fixed, ledger_world, sheet_rows

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@pytest.fixture
def assessed(world):
    """Last year, so every date is in the past whatever today is:
    - first-half round: town A filed 3 exits, 2 checked (1 wrong: 50%), in re-review;
      town B filed 1, not checked;
    - an application of A1 waiting in its step for 40 days (over the 20-day limit);
    - warnings of A1 pushed on 1 March: verified on the 7th day after (on time), on the 8th
      (late), never (late); one of B1 verified the next day;
    - one department sweep in the first quarter."""
    lw = ledger_world(world)
    year = timezone.localdate().year - 1
    first = round_for(
        world.town_a, world.town_b, year=year, half=1, opened_on=datetime.date(year, 6, 1)
    )
    filed = {"exit_round": first, "state": ExitState.FILED, "filed_on": datetime.date(year, 6, 20)}
    a_exits = [exit_case(world.a1, world.alice, **filed) for _ in range(3)]
    exit_case(world.b1, world.alice, **filed)
    exit_case(world.a1, world.alice, exit_round=first, state=ExitState.WITHDRAWN)
    town_round(first, world.town_a, state="re_review")
    check = SpotCheck.objects.create(
        town_round=town_round(first, world.town_a, state="re_review"),
        seed="42", population=3, sample_size=3, drawn_by=world.erin,
    )  # fmt: skip
    for position, (case, verdict) in enumerate(zip(a_exits, ["wrong", "correct", ""], strict=True)):
        SpotCheckItem.objects.create(
            spot_check=check,
            exit_case=case,
            position=position,
            verdict=verdict,
            wrong_reason="income" if verdict == "wrong" else "",
        )
    household = lw.marginal.household
    case = IdentificationCase.objects.create(
        household=household,
        applicant=household.members.get(relation="head"),
        applied_on=datetime.date(year, 11, 1),
        # Never checked: its limit is the home check's, 2 working days (long past today).
        due_on=add_working_days(datetime.date(year, 11, 1), 2),
        hardship="因病",
        created_by=world.alice,
    )
    IdentificationCase.objects.filter(pk=case.pk).update(state_changed_at=at(year, 11, 1))
    pushed = at(year, 3, 1)
    for verified in (at(year, 3, 8, 23), at(year, 3, 9, 0), None):
        make_warning(
            world.a1, state="verified" if verified else "pushed", pushed_at=pushed,
            verified_at=verified, period=f"{year}-02",
        )  # fmt: skip
    make_warning(
        world.b1,
        state="verified",
        pushed_at=pushed,
        verified_at=at(year, 3, 2),
        period=f"{year}-02",
    )
    DepartmentSweep.objects.create(
        department=department("yibao"), carried_out_on=datetime.date(year, 2, 1),
        scope="全县", findings="无", recorded_by=world.frank,
    )  # fmt: skip
    return year


def by_name(table) -> dict[str, dict]:
    return {row.name: row.figures for row in table.rows}


def test_exits_and_the_wrong_exit_rate_per_round(world, assessed):
    rows = by_name(assessment(user=world.erin, year=assessed))
    town_a, town_b = rows["甲镇"], rows["乙镇"]
    assert (town_a["exits_1"], town_a["checked_1"], town_a["wrong_1"]) == (3, 2, 1)
    assert str(town_a["rate_1"]) == "50.00"
    assert town_a["round_1"] == "重新审核认定中"
    assert (town_b["exits_1"], town_b.get("checked_1"), town_b["rate_1"]) == (1, None, None)
    assert rows["全县合计"]["exits_1"] == 4 and str(rows["全县合计"]["rate_1"]) == "50.00"


def test_applications_over_their_limit(world, assessed):
    rows = by_name(assessment(user=world.erin, year=assessed))
    assert rows["甲镇"]["cases_overdue"] == 1
    assert rows["乙镇"].get("cases_overdue") is None


def test_a_warning_verified_on_its_last_day_is_on_time_and_the_next_day_late(world, assessed):
    rows = by_name(assessment(user=world.erin, year=assessed))
    town_a = rows["甲镇"]
    assert (town_a["warnings_pushed"], town_a["warnings_on_time"], town_a["warnings_late"]) == (
        3,
        1,
        2,
    )
    assert (rows["乙镇"]["warnings_on_time"], rows["乙镇"]["warnings_late"]) == (1, 0)


def test_visits_overdue_and_subjects_without_plan_come_from_the_help_selectors(world, assessed):
    rows = by_name(assessment(user=world.erin, year=assessed))
    overdue = overdue_visits_by_town(user=world.erin, today=timezone.localdate())
    assert rows["甲镇"].get("visits_overdue") == overdue.get(world.town_a.pk)
    # No plan: 李二 and the subject whose exit was withdrawn (A1), 王三 (B1); 张大 has one,
    # and exited subjects need none.
    assert rows["甲镇"]["without_plan"] == 2 and rows["乙镇"]["without_plan"] == 1


def test_the_departments_sweeps_are_on_the_county_row_only(world, assessed):
    rows = by_name(assessment(user=world.erin, year=assessed))
    assert rows["全县合计"]["sweeps"] == f"1/{Department.objects.count() * 4}"
    assert "sweeps" not in rows["甲镇"]


def test_every_column_names_the_policy_clause_it_answers(world, assessed):
    table = assessment(user=world.erin, year=assessed)
    assert all(column.clause.startswith("三(") for column in table.columns)
    assert "score" not in {column.key for column in table.columns}


def test_a_town_official_sees_only_their_towns_row(world, assessed, client):
    table = assessment(user=world.carol, year=assessed)
    assert [row.name for row in table.rows] == ["甲镇"]
    client.force_login(world.dave)
    page = client.get(reverse("reports:assessment"), {"year": assessed}).content.decode()
    assert "乙镇" in page and "甲镇" not in page


@pytest.mark.parametrize("user", ["alice", "frank", "grace"])
def test_others_may_not_open_the_assessment(world, client, api, user):
    client.force_login(getattr(world, user))
    assert client.get(reverse("reports:assessment")).status_code == 403
    api.force_authenticate(getattr(world, user))
    assert api.get("/api/assessments/").status_code == 403


def test_the_table_costs_a_fixed_number_of_queries(
    world, assessed, client, django_assert_max_num_queries
):
    first = ExitRound.objects.get(year=assessed)

    def grow():
        for _ in range(3):
            exit_case(world.b1, world.alice, exit_round=first, state=ExitState.FILED)
            make_warning(world.b1, pushed_at=at(assessed, 4, 1), period=f"{assessed}-03")

    client.force_login(world.erin)
    assert_queries_stay_fixed(
        client, reverse("reports:assessment"), grow=grow,
        assert_max=django_assert_max_num_queries, ceiling=20, year=assessed,
    )  # fmt: skip


def test_the_api_answers_the_same_figures(world, assessed, api):
    api.force_authenticate(world.carol)
    body = api.get("/api/assessments/", {"year": assessed}).json()
    assert body["year"] == assessed
    (row,) = body["rows"]
    assert row["name"] == "甲镇" and row["figures"]["exits_1"] == 3
    assert {"key", "title", "clause"} <= set(body["columns"][0])


def test_the_export_is_a_file_and_is_logged(world, assessed, client):
    client.force_login(world.erin)
    response = client.post(reverse("reports:assessment_export"), {"year": assessed})
    rows = sheet_rows(b"".join(response.streaming_content))
    assert rows[1][0] == "镇（园区）" and "三(九)" in rows[1][4]
    assert [row[0] for row in rows[2:]] == ["甲镇", "乙镇", "全县合计"]
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT)
    assert (entry.what, entry.detail, entry.rows) == ("年终考核表", f"年度：{assessed}", 3)
