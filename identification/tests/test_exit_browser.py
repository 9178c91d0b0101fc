"""三(九) through a real browser (Debian's chromium, driven by Playwright): the village monitor
proposes from the subjects list (the conditions shown) and checks at the door, the town
evaluates in one meeting and publicises, the daily task concludes the publicity, the bureau
files; the household is then out of monitoring."""

import pytest

from households.models import MonitoringSubject
from identification.models import ExitCase, ExitState
from identification.services import publicities_conclude_due

from .factories_exits import days_ago, exit_round_now, ready_for_exit
from .test_browser import SUBMIT, sign_in, step

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; restore the migrations' reference rows afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page(open_page):
    return open_page(width=390, height=844)  # a phone: the villages work on theirs


def test_a_household_goes_from_proposal_to_filing_in_the_browser(live_server, world, page):
    exit_round_now(world.town_a)
    subject = ready_for_exit(world.a1, world.alice)
    stale = ready_for_exit(world.a1, world.alice, visited_days_ago=60)

    # 1. 村级上报 — from the subjects list, with the conditions shown per household
    sign_in(page, live_server, world.alice, world.password)
    page.goto(f"{live_server.url}/exits/propose/")
    assert "30天内没有入户走访" in page.text_content(f"tr[data-subject='{stale.pk}']")
    page.click(f"tr[data-subject='{subject.pk}'] >> text=上报拟退出")
    page.wait_for_url(f"{live_server.url}/exits/propose/{subject.pk}/")
    page.fill("#id_proposed_on", str(days_ago(20)))
    page.fill("#id_reason", "务工收入稳定，风险已消除")
    page.click(SUBMIT)
    page.wait_for_url(f"{live_server.url}/exits/*/")
    case = ExitCase.objects.get(subject=subject)
    case_url = f"{live_server.url}/exits/{case.pk}/"

    # 2. 入户核实
    step(page, "录入入户核实")
    page.fill("#id_checked_on", str(days_ago(19)))
    page.fill("#id_team_1_name", "驻村队员周某")
    page.select_option("#id_team_1_role", "work_team")
    page.fill("#id_per_capita_income", "9000")
    for name in ("education", "medical", "housing", "water"):
        page.check(f"#id_{name}_secured")
    page.fill("#id_measures_note", "就业帮扶已落实，务工稳定")
    page.click(SUBMIT)
    page.wait_for_url(case_url)
    assert "已核实" in page.text_content("h1")

    # 3. 镇评估 — one meeting for the round's verified cases
    sign_in(page, live_server, world.carol, world.password)
    page.goto(f"{live_server.url}/exits/evaluate/")
    page.fill("#id_held_on", str(days_ago(18)))
    page.fill("#id_present", "李镇长\n王书记")
    page.click(SUBMIT)
    page.wait_for_load_state()
    page.goto(case_url)
    assert "镇已评估" in page.text_content("h1")

    # 4. 镇公示 — the daily task concludes it once its seven days have run
    step(page, "开始镇公示")
    page.fill("#id_started_on", str(days_ago(17)))
    page.click(SUBMIT)
    page.wait_for_url(case_url)
    assert "镇公示中" in page.text_content("h1")
    assert publicities_conclude_due() == 1

    # 5. 县备案
    sign_in(page, live_server, world.erin, world.password)
    page.goto(case_url)
    step(page, "县备案")
    page.fill("#id_filed_on", str(days_ago(8)))
    page.click(SUBMIT)
    page.wait_for_url(case_url)
    assert "已备案退出" in page.text_content("h1")
    timeline = page.text_content("#timeline")
    for name in ["村级上报", "入户核实", "镇评估", "镇公示", "县备案"]:
        assert name in timeline, name
    case.refresh_from_db()
    assert case.state == ExitState.FILED
    assert MonitoringSubject.objects.get(pk=subject.pk).status == "eliminated"
