"""Warnings' verification days (三(四)2 反馈到镇村核实) counted in working days where the year's
PolicySettings says so: a warning pushed on Tuesday 30 September 2025, before the National
Day week (1–8 October off, Saturday 11 October worked), with 7 days to verify."""

import datetime
import zoneinfo

import pytest

from early_warnings import services
from early_warnings.models import Warning
from organization.tests.factories import policy

from .helpers import make_warning

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date
PUSHED = datetime.datetime(2025, 9, 30, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("working_days", "last_day"),
    [(True, D(2025, 10, 16)), (False, D(2025, 10, 7))],
)
def test_the_last_day_to_verify_in_working_or_calendar_days(world, working_days, last_day):
    policy(year=2025, warning_verify_days=7, warning_verify_working_days=working_days)
    warning = make_warning(world.a1, state="pushed", period="2025-08", pushed_at=PUSHED)
    assert warning.verify_due_on == last_day
    services.mark_overdue(today=last_day)
    assert not Warning.objects.get().overdue
    services.mark_overdue(today=last_day + datetime.timedelta(days=1))
    assert Warning.objects.get().overdue
