"""The pages county users met in their first week: the county's 立即推送, the town's month
list and real dates, the department's month on its home and the late note before sending."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from early_warnings.models import MonthlyCycle, State, Upload, Warning, previous_period
from early_warnings.selectors import due_dates
from organization.models import Notification
from organization.tests.factories import department

from .helpers import make_warning


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(name, *args):
    return reverse(f"early_warnings:{name}", args=args)


def test_the_county_pushes_a_month_now_from_its_page(world, client):
    make_warning(world.a1, state="received", period="2026-05")
    make_warning(world.b1, state="received", period="2026-05")
    client.force_login(world.erin)
    page = client.get(url("county"), {"period": "2026-05"}).content.decode()
    assert "有 <strong>2</strong> 条预警和线索已生成、尚未推送到镇" in page
    assert "立即推送2026年5月预警" in page
    response = client.post(url("push_now"), {"period": "2026-05"}, follow=True)
    assert "已将2026年5月的2条预警和线索推送到各镇" in response.content.decode()
    assert set(Warning.objects.values_list("state", flat=True)) == {State.PUSHED}
    assert MonthlyCycle.objects.get(period="2026-05").pushed_at is not None
    assert Notification.objects.filter(recipient=world.carol).count() == 1
    assert "立即推送" not in client.get(url("county"), {"period": "2026-05"}).content.decode()


def test_only_the_county_pushes_and_a_bad_month_is_refused(world, client):
    client.force_login(world.carol)
    assert client.post(url("push_now"), {"period": "2026-05"}).status_code == 403
    client.force_login(world.erin)
    response = client.post(url("push_now"), {"period": "2026-13"}, follow=True)
    assert "数据月份格式应为" in response.content.decode()


def test_the_county_page_narrows_to_one_town(world, client):
    make_warning(world.a1, state="pushed", period="2026-05")
    make_warning(world.b1, state="pushed", period="2026-05")
    client.force_login(world.erin)
    response = client.get(url("county"), {"period": "2026-05", "town": world.town_a.pk})
    assert sum(row.warnings for row in response.context["rows"]) == 1
    assert "（甲镇）" in response.content.decode()


def test_the_towns_month_list_has_every_month_with_warnings_even_before_the_push(world, client):
    current = previous_period(timezone.localdate())
    make_warning(world.a1, state="received", period=current)
    make_warning(world.a1, state="pushed", period="2026-05")
    make_warning(world.b1, state="pushed", period="2026-04")  # another town's
    client.force_login(world.carol)
    response = client.get(url("town_inbox"), {"period": current})
    months = {m.period: (m.pushed, m.waiting) for m in response.context["months"]}
    assert months == {current: (0, 1), "2026-05": (1, 0)}
    page = response.content.decode()
    push = due_dates(current)[1]
    assert f"{push.month}月{push.day}日推送1条" in page
    assert f"已生成1条，于 {push.year}年{push.month}月{push.day}日 推送到镇" in page


def test_the_departments_home_shows_this_months_file(world, client):
    today = timezone.localdate()
    period = previous_period(today)
    due = due_dates(period)[0]
    client.force_login(world.frank)
    home = client.get(reverse("home"), follow=True)
    page = home.content.decode()
    assert home.redirect_chain[-1][0] == url("department_home")
    expected = "逾期未报" if today > due else "尚未报送"
    assert expected in page and f"{due.year}年{due.month}月{due.day}日" in page
    Upload.objects.create(
        department=department("yibao"),
        period=period,
        file="x.xlsx",
        original_name="x.xlsx",
        size=1,
        uploaded_by=world.frank,
        status=Upload.Status.DONE,
    )
    page = client.get(url("department_home")).content.decode()
    assert ("已按时报送" if today <= due else "已逾期报送") in page
    # Nobody else has this home.
    client.force_login(world.carol)
    assert client.get(url("department_home")).status_code == 403


def test_the_upload_form_says_a_month_is_late_before_the_file_is_sent(world, client):
    client.force_login(world.frank)
    response = client.get(url("upload_list"))
    form_period = response.context["form"]["period"].value()
    due = due_dates(form_period)[0]
    late = timezone.localdate() > due
    assert (response.context["late_due"] == due) is late
    page = response.content.decode()
    assert 'data-due-day="10"' in page and "data-late-note" in page
    # An old month chosen on a refused form is late: the note is there without JavaScript.
    response = client.post(url("upload_list"), {"period": "2026-01"})
    assert (
        "该月数据的报送截止日为2026年2月10日，今天上传将记为逾期报送" in response.content.decode()
    )


def test_a_file_of_an_old_month_is_pushed_when_written(world, client):
    """A department uploading months late: its month's push day has passed, the file goes out."""
    from .helpers import person, upload_rows

    member = person(world.a1, name="张三")
    upload_rows(
        world.frank,
        [["张三", member.id_number, "YB01", 12000, datetime.date(2026, 5, 20)]],
        uploaded_at=timezone.now(),
    )
    assert Warning.objects.get().state == State.PUSHED
