"""The daily tick of 三(四)2: 每月10日前提供本部门预警信息，每月15日前反馈到镇村核实.

The May file is due by 10 June and its warnings reach the towns on 15 June
(the defaults in PolicySettings), reminders from 7 June, overdue 7 days after the push.
"""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied

from early_warnings import services
from early_warnings.models import Clue, MonthlyCycle, State, Warning
from households.tests.factories import new_id_number
from organization.models import Notification, Role
from organization.tests.factories import UserFactory, department, policy

from .helpers import person, upload_rows

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MAY = datetime.date(2026, 5, 20)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(month: int, day: int, hour: int = 1) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def tick(month: int, day: int) -> dict:
    return services.monthly_tick(now=at(month, day))


@pytest.fixture
def may(world):
    """医保 uploaded its May file on 3 June: one warning in town A, one clue for town B."""
    zhang = person(world.a1, name="张三")
    rows = [
        ["张三", zhang.id_number, "YB01", 12000, MAY],
        ["王五", new_id_number(datetime.date(1980, 1, 1)), "YB01", 30000, MAY, "乙镇"],
    ]
    upload_rows(world.frank, rows, uploaded_at=at(6, 3))
    health = UserFactory(
        username="hank", role=Role.DEPARTMENT_STAFF, department=department("weijian")
    )
    return world, health


def messages(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def test_it_reminds_only_departments_without_a_file_from_three_days_before_the_due_day(may):
    world, health = may
    tick(6, 6)
    assert messages(health) == []
    tick(6, 7)
    assert messages(health) == ["请于06月10日前上传2026年5月防返贫预警信息（三(四)2）"]
    assert not any("请于" in m for m in messages(world.frank))  # 医保 has uploaded
    tick(6, 8)
    assert len(messages(health)) == 1  # once a month, not once a day


def test_the_window_closes_after_the_due_day_and_flags_late_departments(may):
    world, health = may
    tick(6, 10)
    assert MonthlyCycle.objects.get(period="2026-05").closed_at is None
    tick(6, 11)
    cycle = MonthlyCycle.objects.get(period="2026-05")
    late = set(cycle.late_departments.values_list("code", flat=True))
    assert "weijian" in late and "yibao" not in late and len(late) == 15
    assert any("逾期未报送" in m for m in messages(world.erin))
    assert any("已逾期" in m for m in messages(health))
    tick(6, 12)
    assert sum("逾期未报送" in m for m in messages(world.erin)) == 1


def test_a_file_uploaded_after_the_due_day_counts_as_late(may):
    world, health = may
    upload_rows(
        health,
        [["张三", Warning.objects.get().member.id_number, "WJ01", None, MAY]],
        uploaded_at=at(6, 11, 9),
    )
    tick(6, 12)
    late = set(
        MonthlyCycle.objects.get(period="2026-05").late_departments.values_list("code", flat=True)
    )
    assert "weijian" in late


def test_warnings_reach_the_towns_on_the_push_day_with_the_time_kept(may):
    world, _ = may
    tick(6, 14)
    assert set(Warning.objects.values_list("state", flat=True)) == {State.RECEIVED}
    assert messages(world.carol) == []
    tick(6, 15)
    warning = Warning.objects.get()
    assert warning.state == State.PUSHED and warning.pushed_at == at(6, 15)
    clue = Clue.objects.get()
    assert clue.state == State.PUSHED and clue.town == world.town_b
    assert messages(world.carol) == ["收到2026年5月部门预警及线索1条，请分派到村核实"]
    assert messages(world.dave) == ["收到2026年5月部门预警及线索1条，请分派到村核实"]
    tick(6, 16)
    assert Warning.objects.get().pushed_at == at(6, 15)
    assert len(messages(world.carol)) == 1


def test_unverified_warnings_become_overdue_after_the_configured_days(may):
    world, _ = may
    tick(6, 15)
    tick(6, 22)
    assert not Warning.objects.get().overdue
    tick(6, 23)
    assert Warning.objects.get().overdue
    assert any("超过核实时限" in m for m in messages(world.carol))
    tick(6, 24)
    assert sum("超过核实时限" in m for m in messages(world.carol)) == 1


def test_the_verify_days_come_from_policy_settings(may):
    world, _ = may
    policy(year=2026, warning_verify_days=3)
    tick(6, 15)
    tick(6, 19)
    assert Warning.objects.get().overdue


def test_a_tick_after_days_of_downtime_catches_up(may):
    world, health = may
    tick(6, 2)  # then the server is down until the 20th
    result = tick(6, 20)
    cycle = MonthlyCycle.objects.get(period="2026-05")
    assert cycle.reminded_at is None  # past the due day a reminder is pointless
    assert cycle.closed_at is not None and cycle.late_departments.filter(code="weijian").exists()
    assert Warning.objects.get().state == State.PUSHED
    assert result["pushed"] == 2
    assert not Warning.objects.get().overdue
    tick(6, 25)  # pushed on the 20th: not yet overdue
    assert not Warning.objects.get().overdue
    tick(6, 28)
    assert Warning.objects.get().overdue


def test_ticking_twice_on_the_same_day_changes_nothing(may):
    world, _ = may
    tick(6, 16)
    before = (
        list(Warning.objects.values_list("state", "pushed_at", "overdue")),
        Notification.objects.count(),
    )
    tick(6, 16)
    after = (
        list(Warning.objects.values_list("state", "pushed_at", "overdue")),
        Notification.objects.count(),
    )
    assert before == after


def test_a_file_arriving_after_the_push_day_goes_to_the_town_at_once(
    may, django_capture_on_commit_callbacks
):
    world, health = may
    tick(6, 16)
    li = person(world.a2, name="李四")
    with django_capture_on_commit_callbacks(execute=True):
        upload_rows(health, [["李四", li.id_number, "WJ01", None, MAY]])
    assert Warning.objects.get(member=li).state == State.PUSHED


def test_a_file_arriving_after_the_push_day_is_pushed_when_written_without_any_tick(may):
    """No tick has run for May (a fresh install, or the beat down): the file that arrives on
    20 June goes to the town as soon as it is written, not with the next night's job."""
    world, health = may
    li = person(world.a2, name="李四")
    upload_rows(health, [["李四", li.id_number, "WJ01", None, MAY]], uploaded_at=at(6, 20, 9))
    # Past the push day the whole month goes: the file of 3 June with it.
    assert set(Warning.objects.values_list("state", flat=True)) == {State.PUSHED}
    assert any("收到2026年5月部门预警" in m for m in messages(world.carol))


def test_the_county_pushes_a_month_at_once_and_later_files_follow(may):
    world, health = may
    with pytest.raises(PermissionDenied):
        services.period_push_now(actor=world.carol, period="2026-05")
    assert services.period_push_now(actor=world.erin, period="2026-05", now=at(6, 5)) == 2
    assert set(Warning.objects.values_list("state", flat=True)) == {State.PUSHED}
    assert MonthlyCycle.objects.get(period="2026-05").pushed_at == at(6, 5)
    assert messages(world.carol) == ["收到2026年5月部门预警及线索1条，请分派到村核实"]
    # Pressed again: nothing left to push, nobody told twice.
    assert services.period_push_now(actor=world.erin, period="2026-05", now=at(6, 6)) == 0
    assert len(messages(world.carol)) == 1
    # A file written after that, before the push day, goes to the town at once too.
    li = person(world.a2, name="李四")
    upload_rows(health, [["李四", li.id_number, "WJ01", None, MAY]], uploaded_at=at(6, 7, 9))
    assert Warning.objects.get(member=li).state == State.PUSHED
    # The tick on the push day finds the month already pushed and pushes nothing again.
    assert tick(6, 15).get("pushed", 0) == 0


def test_the_beat_schedule_runs_the_tick_every_day(settings):
    entries = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "early_warnings.monthly_tick"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert schedule.day_of_month == set(range(1, 32)) and len(schedule.hour) == 1
