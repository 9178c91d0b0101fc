"""The time limits of identification in working days (Anhui's 2022 一码申报 rules: 入户核查须在
申请后2个工作日内完成，识别须在申请后20个工作日内办结) and their green/orange/red clock,
across the 2025 National Day week: 1–8 October off, Sunday 28 September and Saturday
11 October worked (调休上班). Every date is fixed: ``today`` is passed in."""

import datetime

import pytest

from households.dashboard import build_dashboard
from households.models import Member, RiskType
from identification import selectors, services
from identification.models import CaseState, IdentificationCase
from identification.selectors import clock as clock_selectors
from identification.services.clock import due_on_for
from organization.models import Notification, PolicySettings
from organization.services import policy_settings_save
from organization.working_days import Clock, add_working_days, clock_on

from .factories import household_ready, team, walk

D = datetime.date
# An application of Tuesday 9 September 2025 is due, 20 working days on, on Monday 13 October:
# its orange window opens on Thursday 9 October (Saturday 11th worked, Sunday 12th not).
APPLIED = D(2025, 9, 9)
DUE = D(2025, 10, 13)


def apply(world, applied_on: datetime.date, village=None) -> IdentificationCase:
    village = village or world.a1
    household = household_ready(village, group=world.groups[village.pk])
    return services.case_apply(
        actor={world.a1: world.alice, world.a2: world.bob}.get(village, world.dave),
        household=household,
        applicant=household.members.get(relation=Member.Relation.HEAD),
        applied_on=applied_on,
        hardship="户主突发重病",
        risk_types=[RiskType.objects.get(code="illness")],
    )


def verify(world, case: IdentificationCase, on: datetime.date) -> IdentificationCase:
    return services.case_verify(
        actor=world.alice,
        case=case,
        checked_on=on,
        team=team(world),
        findings="入户核实，户主住院",
        passed=True,
        medical_burden=True,
    )


def due(case: IdentificationCase, day: datetime.date) -> IdentificationCase:
    """The case's limit set to ``day`` (as if applied so), for tests of the clock alone."""
    IdentificationCase.objects.filter(pk=case.pk).update(due_on=day, clock_notified="")
    return IdentificationCase.objects.get(pk=case.pk)


def clock_of(world, case, today) -> str:
    return selectors.case_list(user=world.erin, today=today).get(pk=case.pk).clock


# --- the limits --------------------------------------------------------------------------


def test_the_home_check_limit_runs_until_the_home_check_then_the_whole_limit(world):
    # Friday 26 September: Saturday off, Sunday 28th worked (1), Monday 29th (2).
    case = apply(world, D(2025, 9, 26))
    assert case.due_on == D(2025, 9, 29)
    case = verify(world, case, D(2025, 9, 29))
    # 20 working days skip the National Day week and count Saturday 11 October.
    assert case.due_on == D(2025, 10, 30)
    assert IdentificationCase.objects.get(pk=case.pk).due_on == D(2025, 10, 30)


def test_the_whole_limit_of_the_national_day_example(world):
    case = verify(world, apply(world, APPLIED), D(2025, 9, 10))
    assert case.due_on == DUE


def test_the_limit_does_not_move_with_the_step_the_case_is_in(world):
    case = verify(world, apply(world, APPLIED), D(2025, 9, 10))
    case = services.case_record_deliberation(
        actor=world.alice,
        case=case,
        group=world.groups[world.a1.pk],
        held_on=D(2025, 9, 12),
        expected=9,
        present=6,
        approvals=5,
    )
    assert case.state == CaseState.DELIBERATED and case.due_on == DUE


def test_a_year_the_calendar_does_not_know_counts_plain_weekdays(db):
    # 2099: no published holidays, so 1 October (a Thursday) is a working day like any other.
    assert due_on_for(applied_on=D(2099, 9, 30), home_check_done=False) == D(2099, 10, 2)
    assert due_on_for(applied_on=D(2099, 9, 30), home_check_done=True) == D(2099, 10, 28)


def test_the_limits_are_the_years_settings_and_follow_a_change(world):
    case = verify(world, apply(world, APPLIED), D(2025, 9, 10))
    policy_settings_save(
        actor=world.erin,
        year=2025,
        values={"identification_working_days": 15, "home_check_working_days": 2},
    )
    assert IdentificationCase.objects.get(pk=case.pk).due_on == add_working_days(APPLIED, 15)


def test_the_home_check_limit_may_not_exceed_the_whole_limit(world):
    policy = PolicySettings(year=2025, home_check_working_days=21, identification_working_days=20)
    with pytest.raises(Exception, match="入户核查时限不能超过识别办结时限"):
        policy.clean()


# --- the clock -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2025, 9, 30), Clock.GREEN),
        (D(2025, 10, 8), Clock.GREEN),  # the day before the orange window (a holiday)
        (D(2025, 10, 9), Clock.ORANGE),  # 3 working days before: 9th, 10th, Saturday 11th
        (D(2025, 10, 12), Clock.ORANGE),
        (D(2025, 10, 13), Clock.ORANGE),  # the due day
        (D(2025, 10, 14), Clock.RED),  # the day after
    ],
)
def test_the_clock_at_the_boundary_days_of_the_national_day_week(world, today, expected):
    case = verify(world, apply(world, APPLIED), D(2025, 9, 10))
    assert clock_on(today, case.due_on, 3) == expected
    assert clock_of(world, case, today) == expected
    listed = selectors.case_list(
        user=world.erin, filters=selectors.CaseFilters(clock=expected), today=today
    )
    assert list(listed.values_list("pk", flat=True)) == [case.pk]
    red = selectors.case_list(
        user=world.erin, filters=selectors.CaseFilters(overdue=True), today=today
    )
    assert red.exists() is (expected == Clock.RED)


def test_the_database_window_equals_clock_on_for_every_day_around_the_holiday(world):
    case = apply(world, D(2025, 9, 1))
    days = [D(2025, 9, 15) + datetime.timedelta(days=n) for n in range(45)]
    for warn in (0, 3):
        PolicySettings.objects.update_or_create(
            year=2025, defaults={"clock_warn_working_days": warn}
        )
        for due_on in days[::4]:
            due(case, due_on)
            for today in days:
                assert clock_of(world, case, today) == clock_on(today, due_on, warn), (
                    warn,
                    due_on,
                    today,
                )


def test_a_closed_case_has_no_clock(world):
    case = apply(world, APPLIED)
    services.case_withdraw(actor=world.alice, case=case, reason="农户自愿撤回")
    assert clock_of(world, case, D(2025, 12, 1)) == ""
    for clock in Clock:
        assert not selectors.case_list(
            user=world.erin, filters=selectors.CaseFilters(clock=clock), today=D(2025, 12, 1)
        ).exists()


# --- the daily warnings -------------------------------------------------------------------


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """The daily task, its notifications delivered as after its commit."""

    def run(today: datetime.date) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            return services.case_clocks_notify(today=today)

    return run


def warnings_to(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def test_the_village_is_warned_once_when_the_home_check_turns_orange_and_once_when_red(
    world, notify
):
    case = apply(world, D(2025, 9, 26))  # home check due Monday 29 September
    # With 3 days' warning, a limit of 2 working days is orange from the application.
    assert notify(D(2025, 9, 26)) == {"orange": 1, "red": 0}
    # The task run twice the same day, and the next days of the same colour, send nothing.
    assert notify(D(2025, 9, 26)) == {"orange": 0, "red": 0}
    assert notify(D(2025, 9, 29)) == {"orange": 0, "red": 0}
    assert notify(D(2025, 9, 30)) == {"orange": 0, "red": 1}
    assert notify(D(2025, 9, 30)) == {"orange": 0, "red": 0}
    messages = warnings_to(world.alice)
    assert len(messages) == 2
    assert any("临近办理时限（入户核查时限 2025-09-29）" in m and "村初核" in m for m in messages)
    assert any("已超过办理时限" in m for m in messages)
    # Only the village takes the home check: the town and the county are not told.
    assert warnings_to(world.carol) == [] and warnings_to(world.erin) == []
    assert IdentificationCase.objects.get(pk=case.pk).clock_notified == Clock.RED


def test_a_case_found_red_gets_the_red_warning_only(world, notify):
    apply(world, D(2025, 9, 26))
    assert notify(D(2025, 10, 20)) == {"orange": 0, "red": 1}
    assert len(warnings_to(world.alice)) == 1


def test_a_new_limit_is_warned_again(world, notify):
    case = apply(world, D(2025, 9, 26))
    notify(D(2025, 9, 30))  # the home check is late: red
    case = verify(world, case, D(2025, 9, 30))
    assert case.clock_notified == ""  # the whole limit, 30 October, starts unwarned
    assert notify(D(2025, 10, 27)) == {"orange": 1, "red": 0}


@pytest.mark.parametrize(
    ("state", "who"),
    [
        (CaseState.TOWN_REVIEWING, "carol"),  # 镇审定
        (CaseState.COUNTY_FILING, "erin"),  # 县备案
        (CaseState.COMPARED, "alice"),  # 村研究确定并公示
    ],
)
def test_the_warning_goes_to_the_role_that_takes_the_next_step(world, state, who, notify):
    case = due(walk(world, state), D(2025, 10, 13))
    Notification.objects.all().delete()
    assert notify(D(2025, 10, 14))["red"] == 1
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {who}
    assert str(case.pk) in Notification.objects.get().url


def test_the_task_sends_the_days_warnings(db):
    from identification import tasks

    assert tasks.notify_case_clocks() == {"orange": 0, "red": 0}


# --- counts per village and town, scope ------------------------------------------------------


@pytest.fixture
def spread(world):
    """On 13 October 2025: in 甲一村 one red and one orange, in 甲二村 one green, in 乙一村 one red."""
    cases = {
        "a1_red": due(apply(world, APPLIED), D(2025, 10, 10)),
        "a1_orange": due(apply(world, APPLIED), D(2025, 10, 14)),
        "a2_green": due(apply(world, APPLIED, village=world.a2), D(2025, 10, 30)),
        "b1_red": due(apply(world, APPLIED, village=world.b1), D(2025, 10, 9)),
    }
    return cases


TODAY = D(2025, 10, 13)


def counts(summary_rows) -> dict[str, tuple[int, int, int]]:
    return {
        r["name"]: (r["counts"].green, r["counts"].orange, r["counts"].red) for r in summary_rows
    }


def test_the_county_counts_per_town_and_village_in_one_query(
    world, spread, django_assert_num_queries
):
    cases = selectors.case_list(user=world.erin, today=TODAY)
    with django_assert_num_queries(2):  # the year's warning window, the counts
        summary = clock_selectors.clock_summary(cases, today=TODAY)
    assert counts(summary.towns) == {"甲镇": (1, 1, 1), "乙镇": (0, 0, 1)}
    assert counts(summary.villages) == {
        "甲一村": (0, 1, 1),
        "甲二村": (1, 0, 0),
        "乙一村": (0, 0, 1),
    }
    assert (summary.total.green, summary.total.orange, summary.total.red) == (1, 1, 2)


def test_a_town_counts_only_its_villages(world, spread):
    cases = selectors.case_list(user=world.carol, today=TODAY)
    summary = clock_selectors.clock_summary(cases, today=TODAY)
    assert counts(summary.villages) == {"甲一村": (0, 1, 1), "甲二村": (1, 0, 0)}
    red = selectors.case_list(
        user=world.carol, filters=selectors.CaseFilters(clock="red"), today=TODAY
    )
    assert list(red) == [spread["a1_red"]]


def nonzero(values: dict) -> dict:
    return {key: value for key, value in values.items() if value}


def test_the_dashboard_panel_counts_by_clock_per_area(world, spread):
    board = build_dashboard(user=world.erin, today=TODAY)
    panel = next(p for p in board.panels if p.key == "cases")
    columns = {c.label: nonzero(c.values) for c in panel.columns}
    assert columns["超期"] == {world.town_a.pk: 1, world.town_b.pk: 1}
    assert columns["临期"] == {world.town_a.pk: 1}
    assert [c.value for c in panel.table.foot[2:]] == [1, 1, 2]  # green, orange, red
    assert "clock=red" in panel.table.foot[4].url
    town = build_dashboard(user=world.carol, today=TODAY)
    panel = next(p for p in town.panels if p.key == "cases")
    assert nonzero({c.label: c.values for c in panel.columns}["超期"]) == {world.a1.pk: 1}


def test_the_assessment_counts_red_cases_of_the_year(world, spread):
    from reports.selectors.assessment import assessment

    table = assessment(user=world.erin, year=2025, today=TODAY)
    rows = {row.name: row.figures for row in table.rows}
    assert rows["甲镇"]["cases_overdue"] == 1 and rows["乙镇"]["cases_overdue"] == 1


# --- pages and API -----------------------------------------------------------------------------


@pytest.fixture
def on_the_due_day(monkeypatch):
    monkeypatch.setattr(clock_selectors, "clock_today", lambda: TODAY)


def test_the_list_shows_the_badge_with_words_and_the_due_day(world, spread, client, on_the_due_day):
    client.force_login(world.carol)
    page = client.get("/identification/").content.decode()
    assert 'data-clock="red"' in page and ">超期</span>" in page
    assert 'data-clock="orange"' in page and ">临期</span>" in page
    assert 'data-clock="green"' in page and ">正常</span>" in page
    assert "时限 2025-10-14" in page
    assert 'id="clock-summary"' in page and "乙一村" not in page
    only_red = client.get("/identification/?clock=red").content.decode()
    assert only_red.count('data-clock="red"') == 1 and 'data-clock="green"' not in only_red
    # A value that is not a clock is ignored, never an error.
    assert client.get("/identification/?clock=purple").status_code == 200


def test_the_case_page_shows_the_clock(world, spread, client, on_the_due_day):
    client.force_login(world.alice)
    page = client.get(f"/identification/{spread['a1_orange'].pk}/").content.decode()
    assert 'data-clock="orange"' in page and "时限 2025-10-14" in page
    # Another town's case answers 404.
    assert client.get(f"/identification/{spread['b1_red'].pk}/").status_code == 404


def test_the_api_carries_clock_and_due_on_and_filters_by_clock(world, spread, api, on_the_due_day):
    api.force_authenticate(world.carol)
    rows = api.get("/api/identification-cases/").data["results"]
    by_id = {row["id"]: row for row in rows}
    assert spread["b1_red"].pk not in by_id
    orange = by_id[spread["a1_orange"].pk]
    assert orange["clock"] == "orange" and orange["due_on"] == "2025-10-14"
    assert orange["overdue"] is False and by_id[spread["a1_red"].pk]["overdue"] is True
    red = api.get("/api/identification-cases/", {"clock": "red"}).data["results"]
    assert [row["id"] for row in red] == [spread["a1_red"].pk]
    detail = api.get(f"/api/identification-cases/{spread['a2_green'].pk}/").data
    assert detail["clock"] == "green" and detail["due_on"] == "2025-10-30"


def test_the_api_has_no_clock_for_a_closed_case(world, api, on_the_due_day):
    case = apply(world, APPLIED)
    services.case_withdraw(actor=world.alice, case=case, reason="农户自愿撤回")
    api.force_authenticate(world.alice)
    assert api.get(f"/api/identification-cases/{case.pk}/").data["clock"] is None


def test_the_policy_page_and_api_show_the_limits_and_whether_the_calendar_is_known(
    world, client, api
):
    client.force_login(world.erin)
    known = client.get("/policy/2025/").content.decode()
    assert 'data-calendar="known"' in known and "入户核查时限（申请后工作日）" in known
    unknown = client.get("/policy/2099/").content.decode()
    assert 'data-calendar="weekdays"' in unknown and "暂按周一至周五计算" in unknown
    policy_settings_save(actor=world.erin, year=2025, values={"clock_warn_working_days": 4})
    api.force_authenticate(world.alice)
    row = api.get("/api/policy/2025/").data
    assert row["home_check_working_days"] == 2 and row["identification_working_days"] == 20
    assert row["clock_warn_working_days"] == 4 and row["warning_verify_working_days"] is False
    assert "case_overdue_days" not in row


def test_the_api_refuses_a_home_check_limit_longer_than_the_whole_limit(world, api):
    PolicySettings.objects.create(year=2025)
    api.force_authenticate(world.erin)
    response = api.patch("/api/policy/2025/", {"home_check_working_days": 21}, format="json")
    assert response.status_code == 400
    assert "入户核查时限不能超过识别办结时限" in str(response.data)
    assert PolicySettings.objects.get(year=2025).home_check_working_days == 2


def test_the_data_migration_sets_the_limits_of_the_open_cases(world):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("identification.migrations.0007_case_due_on_backfill")
    checked = verify(world, apply(world, APPLIED), D(2025, 9, 10))
    waiting = apply(world, D(2025, 9, 26))
    IdentificationCase.objects.update(due_on=None)
    backfill.backfill(apps, None)
    assert IdentificationCase.objects.get(pk=checked.pk).due_on == DUE
    assert IdentificationCase.objects.get(pk=waiting.pk).due_on == D(2025, 9, 29)
