"""What new users met in their first week, in a real browser (Debian's chromium, Playwright):

- at 390 px wide every list shows each row's action and status without scrolling sideways
  (the rows become cards);
- every date field of every form shows its value and takes a typed date (ISO values: the
  locale's 2026/11/30 left the browser's date input blank);
- the dashboards draw their charts from static files at 1280 px and at 390 px.
"""

from __future__ import annotations

import datetime
import inspect

import pytest
from django import forms
from django.apps import apps
from django.test import Client
from django.utils import timezone

from early_warnings.models import Clue, DepartmentSweep, State, Upload
from early_warnings.tests.helpers import make_warning, person
from households.models import MonitoringSubject
from identification.models import CaseState
from identification.tests.factories import DatasetFactory, walk
from organization.models import DepartmentContact
from organization.tests.factories import department, policy
from suixi_monitor.forms import DateInput

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; restore the migrations' reference rows afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def signed_in(open_page, live_server, user, size):
    """A page with ``user``'s session (made by Django's client, not the login form)."""
    client = Client()
    client.force_login(user)
    page = open_page(**size)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


@pytest.fixture
def lists(world, settings, tmp_path):
    """One row or more in every list of every role."""
    settings.MEDIA_ROOT = tmp_path / "media"
    member = person(world.a1, name="张长名字户主")
    MonitoringSubject.objects.create(
        household=member.household, category="marginal", started_on=datetime.date(2025, 3, 1)
    )
    make_warning(world.a1, member=member, state="pushed", period="2026-05")
    make_warning(world.a1, state="assigned", period="2026-05")
    Clue.objects.create(
        source="12345",
        period="2026-05",
        name="王某某",
        description="来电反映家中老人重病无人照料，生活困难，请核实",
        town=world.town_a,
        village=world.a1,
        state=State.ASSIGNED,
        pushed_at=timezone.now(),
    )
    Clue.objects.create(
        source="petition", period="2026-05", name="李某", description="信访反映", town=world.town_a
    )
    walk(world, CaseState.APPLIED)
    walk(world, CaseState.VILLAGE_PUBLICIZING, village=world.a2, start=12)
    walk(world, CaseState.FILED)
    Upload.objects.create(
        department=department("yibao"),
        period="2026-05",
        file="x.xlsx",
        original_name="2026年5月医保预警信息表（定稿）.xlsx",
        size=1,
        uploaded_by=world.frank,
        status=Upload.Status.DONE,
    )
    DepartmentSweep.objects.create(
        department=department("yibao"),
        carried_out_on=datetime.date(2026, 4, 20),
        scope="全县参保群众",
        findings="未发现新增风险",
        households_checked=120,
        recorded_by=world.frank,
    )
    DatasetFactory(uploaded_by=world.erin)
    DepartmentContact.objects.create(
        department=department("yibao"), name="陈静", title="科长", phone="0561-6088888"
    )
    return world


LIST_PAGES = [
    ("alice", "/households/"),
    ("carol", "/households/monitoring/"),
    ("carol", "/identification/"),
    ("erin", "/identification/"),  # the clock's counts per town, then the cases
    ("carol", "/identification/publicity/"),
    ("carol", "/identification/notices/"),
    ("carol", "/warnings/town/"),
    ("alice", "/warnings/village/"),
    ("erin", "/warnings/clues/"),
    ("erin", "/warnings/uploads/"),
    ("frank", "/warnings/outcomes/"),
    ("erin", "/warnings/sweeps/"),
    ("erin", "/warnings/indicators/"),
    ("erin", "/identification/datasets/"),
    ("erin", "/departments/"),
]

# Every row's links, buttons and boxes, and nothing of the page wider than the screen.
OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width + 1) out.push("page " + document.documentElement.scrollWidth);
  document.querySelectorAll("main table tbody").forEach((body) => {
    body.querySelectorAll("a, button, input, .tag, .prio").forEach((el) => {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) return;
      if (box.left < -1 || box.right > width + 1) out.push(el.textContent.trim() || el.outerHTML.slice(0, 60));
    });
  });
  document.querySelectorAll("main .table-wrap").forEach((wrap) => {
    if (wrap.querySelector("table.table--stack") && wrap.scrollWidth > wrap.clientWidth + 1) out.push("scrolls " + wrap.scrollWidth);
  });
  return out;
}"""


def test_at_390px_every_lists_actions_and_statuses_are_in_view(live_server, lists, open_page):
    pages = {}
    for username, path in LIST_PAGES:
        user = getattr(lists, username)
        page = pages.get(username) or signed_in(open_page, live_server, user, PHONE)
        pages[username] = page
        page.goto(f"{live_server.url}{path}")
        rows = page.locator("main table tbody tr")
        assert rows.count() > 0, path
        assert page.evaluate(OFF_SCREEN) == [], path
    # The village's 核实 button, named by the issue, is on screen and reachable.
    page = pages["alice"]
    page.goto(f"{live_server.url}/warnings/village/")
    button = page.locator("main table tbody a", has_text="核实").first
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


# --- dates -------------------------------------------------------------------------------

PROJECT_APPS = {"organization", "households", "identification", "early_warnings", "assistance"}


def project_date_fields() -> set[tuple[str, str]]:
    """(form, field) for every date field of every form the project defines."""
    found = set()
    for config in apps.get_app_configs():
        if config.name not in PROJECT_APPS:
            continue
        for module_name in ("forms",):
            try:
                module = __import__(f"{config.name}.{module_name}", fromlist=["*"])
            except ImportError:
                continue
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__.startswith(config.name):
                    for name, field in cls.base_fields.items():
                        if isinstance(field, forms.DateField):
                            found.add((cls.__name__, name))
    return found


def test_every_date_field_uses_the_iso_date_input():
    """The widget the browser can read: a field on Django's default shows blank in zh-hans."""
    offenders = []
    for config in apps.get_app_configs():
        if config.name not in PROJECT_APPS:
            continue
        try:
            module = __import__(f"{config.name}.forms", fromlist=["*"])
        except ImportError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__.startswith(config.name):
                for name, field in cls.base_fields.items():
                    if isinstance(field, forms.DateField) and not isinstance(
                        field.widget, DateInput
                    ):
                        offenders.append(f"{cls.__name__}.{name}")
    assert offenders == []


def date_pages(world, lists_world) -> list[tuple[str, str, str, str]]:
    """(user, page, form, field) for every date field of every form, on the page that has it."""
    from identification.models import IdentificationCase

    def case(state):
        return IdentificationCase.objects.filter(state=state).first()

    applied = case(CaseState.APPLIED)
    household = applied.household
    warning = (
        __import__("early_warnings.models", fromlist=["Warning"])
        .Warning.objects.filter(state=State.ASSIGNED)
        .first()
    )
    verified = walk(world, CaseState.VERIFIED, village=world.a2)
    deliberated = walk(world, CaseState.DELIBERATED)
    compared = walk(world, CaseState.COMPARED, village=world.a2)
    reviewing = walk(world, CaseState.TOWN_REVIEWING)
    filing = walk(world, CaseState.COUNTY_FILING, village=world.a2)
    publicizing = case(CaseState.VILLAGE_PUBLICIZING)
    fresh = person(world.a1, name="新申请").household
    # 三(九) 抽查评估: one filed exit, so the sample (all if fewer) has one verdict form.
    from identification.services import spot_check_draw
    from identification.tests.factories_exits import closed_with_filed_exits

    part = closed_with_filed_exits(world.a1, world.alice, count=1)
    spot_check = spot_check_draw(actor=world.erin, town_round=part, seed="dates")
    # Anhui 2024's own steps with a date (承诺授权, 乡镇审核, 县级审定公告), on cases applied
    # once the years follow it.
    for year in range(timezone.localdate().year - 1, timezone.localdate().year + 1):
        policy(year=year, identification_procedure="anhui_2024")
    consenting = walk(world, CaseState.APPLIED, village=world.a2)
    town_review = walk(world, CaseState.TOWN_REVIEWING)
    approving = walk(world, CaseState.COUNTY_FILING, village=world.a2)
    return [
        ("bob", f"/identification/{consenting.pk}/consent/", "ConsentForm", "consent_signed_on"),
        (
            "carol",
            f"/identification/{town_review.pk}/review-town/",
            "ReviewTownForm",
            "meeting_on",
        ),
        (
            "erin",
            f"/identification/{approving.pk}/approve-county/",
            "ApproveCountyForm",
            "approved_on",
        ),
        ("alice", f"/identification/apply/{fresh.pk}/", "ApplyForm", "applied_on"),
        ("alice", f"/warnings/w/{warning.pk}/", "VerifyForm", "verified_on"),
        ("erin", "/warnings/sweeps/", "SweepForm", "carried_out_on"),
        ("alice", f"/households/{household.pk}/visits/new/", "VisitForm", "visited_on"),
        (
            "erin",
            f"/households/{household.pk}/monitoring/new/",
            "MonitoringSubjectForm",
            "started_on",
        ),
        ("alice", f"/identification/{applied.pk}/verify/", "VerifyForm", "checked_on"),
        ("bob", f"/identification/{verified.pk}/deliberate/", "DeliberateForm", "held_on"),
        ("erin", f"/identification/{deliberated.pk}/compare/", "CompareForm", "compared_on"),
        (
            "bob",
            f"/identification/{compared.pk}/publicize-village/",
            "PublicizeVillageForm",
            "meeting_on",
        ),
        (
            "bob",
            f"/identification/{compared.pk}/publicize-village/",
            "PublicizeVillageForm",
            "publicity_started_on",
        ),
        ("carol", f"/identification/{reviewing.pk}/approve-town/", "ApproveTownForm", "meeting_on"),
        (
            "carol",
            f"/identification/{reviewing.pk}/approve-town/",
            "ApproveTownForm",
            "publicity_started_on",
        ),
        ("erin", f"/identification/{filing.pk}/file/", "FileForm", "filed_on"),
        (
            "carol",
            f"/identification/{publicizing.pk}/objections/new/",
            "ObjectionForm",
            "lodged_on",
        ),
        ("erin", "/identification/datasets/", "DatasetUploadForm", "as_of"),
        ("erin", "/audit-log/", "AuditFilterForm", "date_from"),
        ("erin", "/audit-log/", "AuditFilterForm", "date_to"),
        ("erin", "/identification/exits/rounds/", "RoundOpenForm", "on"),
        (
            "erin",
            f"/identification/exits/spot-checks/{spot_check.pk}/",
            "SpotCheckVerdictForm",
            "checked_on",
        ),
    ]


def test_every_date_field_of_every_form_shows_its_value_and_takes_a_typed_date(
    live_server, lists, open_page
):
    visits = date_pages(lists, lists)
    # The visits cover every date field the project's forms declare (a new one must be added).
    forms_seen = {(form, field) for _, _, form, field in visits}
    assert project_date_fields() <= forms_seen | {("VerifyForm", "verified_on")}, (
        project_date_fields() - forms_seen
    )
    day = timezone.localdate() - datetime.timedelta(days=1)
    pages = {}
    for username, path, form, field in visits:
        page = pages.get(username) or signed_in(
            open_page, live_server, getattr(lists, username), DESKTOP
        )
        pages[username] = page
        page.goto(f"{live_server.url}{path}")
        # A form on a page of several (one per sampled household) carries a prefix.
        box = page.locator(f'input[name="{field}"], input[name$="-{field}"]')
        assert box.get_attribute("type") == "date", (path, field)
        shown = box.input_value()
        # A value the browser accepted reads back ISO; the locale's 2026/11/30 read back "".
        assert shown == "" or datetime.date.fromisoformat(shown), (path, field, shown)
        if box.get_attribute("value"):
            assert shown == box.get_attribute("value"), (path, field)
        box.fill(day.isoformat())
        assert box.input_value() == day.isoformat(), (path, form, field)


def test_the_sweep_date_is_shown_for_the_county_and_saved(live_server, lists, open_page):
    """The field the issue found blank: shown with today's date, and a typed one is saved."""
    page = signed_in(open_page, live_server, lists.frank, DESKTOP)
    page.goto(f"{live_server.url}/warnings/sweeps/")
    assert page.input_value("#id_carried_out_on") == timezone.localdate().isoformat()
    page.fill("#id_carried_out_on", "2026-10-08")
    page.fill("#id_scope", "全县大病患者")
    page.fill("#id_findings", "反馈镇村3户")
    page.click("main form button.btn-primary")
    page.wait_for_load_state()
    assert DepartmentSweep.objects.filter(carried_out_on=datetime.date(2026, 10, 8)).exists()


# --- dashboards ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_dashboards_draw_their_charts_from_static_files(live_server, lists, open_page, size):
    for user in (lists.erin, lists.carol):
        page = signed_in(open_page, live_server, user, size)
        failed = []
        page.on("requestfailed", lambda request, failed=failed: failed.append(request.url))
        page.goto(f"{live_server.url}/households/overview/")
        page.wait_for_selector(".chart svg")
        assert page.locator(".chart svg").count() == page.locator(".chart").count() >= 4
        assert failed == []
        # The figures are in the tables too; a button shows them beside the chart.
        toggle = page.locator("#panel-cases [data-table-toggle]")
        assert toggle.is_visible()
        toggle.click()
        assert page.locator("#panel-cases .panel__table").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1
