"""The assessment's warnings verified on time (三(四)2) where the year counts the verification
days in working days: pushed on Tuesday 30 September 2025, 7 working days to verify, across
the National Day week (1–8 October off, Saturday 11 October worked): the last day is
16 October, where 7 calendar days would end on the 7th."""

import datetime
import zoneinfo

from early_warnings.tests.helpers import make_warning
from organization.tests.factories import policy
from reports.selectors.assessment import assessment

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_a_warning_verified_on_its_last_working_day_is_on_time(world):
    make_warning(
        world.a1,
        state="verified",
        period="2025-08",
        pushed_at=datetime.datetime(2025, 9, 30, 9, 0, tzinfo=SHANGHAI),
        verified_at=datetime.datetime(2025, 10, 16, 18, 0, tzinfo=SHANGHAI),
    )
    policy(year=2025, warning_verify_days=7, warning_verify_working_days=True)
    rows = {row.name: row.figures for row in assessment(user=world.erin, year=2025).rows}
    assert rows["甲镇"]["warnings_on_time"] == 1 and rows["甲镇"]["warnings_late"] == 0
    policy(year=2025, warning_verify_days=7, warning_verify_working_days=False)
    rows = {row.name: row.figures for row in assessment(user=world.erin, year=2025).rows}
    assert rows["甲镇"]["warnings_on_time"] == 0 and rows["甲镇"]["warnings_late"] == 1
