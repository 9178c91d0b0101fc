"""Help through a real browser (Debian's chromium, driven by Playwright): the town pairs a
household (三(八)1), and the helper, on a phone, records a visit that moves a measure on."""

import pytest

from assistance.models import HelpAssignment, Measure, MeasureProgress, MeasureState
from assistance.tests.factories_visits import plan_with_measures, subject_for
from households.models import Visit

pytestmark = [
    pytest.mark.browser,
    # The live server sees committed data only; keep the migrations' rows (risk types, the
    # catalogue of measures) for the tests that run after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_the_town_pairs_and_the_helper_records_a_visit_on_a_phone(live_server, world, open_page):
    subject = subject_for(world.a1, name="赵大", category="unstable")
    plan, (measure,) = plan_with_measures(subject, world.carol, states=("planned",))

    town = open_page(width=1280, height=900)
    sign_in(town, live_server, "carol", world.password)
    town.goto(f"{live_server.url}/assistance/")
    town.click(f"a[href='/assistance/subjects/{subject.pk}/pair/']")
    town.select_option("#id_helper", str(world.grace.pk))
    town.click("form.form button[type=submit]")
    town.wait_for_load_state()
    assert HelpAssignment.objects.filter(
        household=subject.household, helper=world.grace, ended_on__isnull=True
    ).exists()

    phone = open_page(width=390, height=844)
    sign_in(phone, live_server, "grace", world.password)
    phone.wait_for_url(f"{live_server.url}/assistance/")
    assert "我的帮扶户" in phone.text_content("h1")
    card = phone.locator("section.help-card", has_text="赵大户")
    assert card.locator("text=待落实的措施").is_visible()
    button = card.locator("text=登记帮扶走访")
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # in view without scrolling
    button.click()
    phone.wait_for_url(f"{live_server.url}/assistance/households/{subject.household_id}/**")
    phone.fill("#id_findings", "已在镇扶贫车间上岗，月工资2600元")
    phone.select_option(f"#id_measure_{measure.pk}", MeasureState.IN_PROGRESS)
    phone.fill(f"#id_measure_{measure.pk}_note", "已上岗")
    phone.click("button:has-text('保存走访')")
    phone.wait_for_url(f"{live_server.url}/assistance/help-visits/*/")

    measure.refresh_from_db()
    assert measure.state == MeasureState.IN_PROGRESS
    visit = Visit.objects.get(household=subject.household, visitor=world.grace)
    progress = MeasureProgress.objects.get(help_visit__visit=visit)
    assert (progress.state_before, progress.state_after) == ("planned", "in_progress")
    assert Measure.objects.get(pk=measure.pk).started_on == visit.visited_on
    # No page of the helper's scrolls sideways on the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
