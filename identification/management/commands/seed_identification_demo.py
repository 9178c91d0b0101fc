"""``manage.py seed_identification_demo``: a few applications at every step of both
procedures, idempotent.

Run after ``seed_demo``. It sets this year's identification procedure to Anhui's 2024 one (the
county switched this year; early in January, last year) and takes households of the demo
monitor's village through the real services with the walker the tests use
(``identification.management.demo``): cases applied before the switch keep the 2021 Suixi
procedure, the others follow Anhui 2024, so the queues, notices and the announcement show both.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from households.models import Household, MonitoringSubject
from identification import services
from identification.management.demo import days_ago, walk_case
from identification.models import CaseState, ComparisonRecord, IdentificationCase
from identification.models.case import OPEN_STATES
from organization.models import IdentificationProcedure
from organization.services import policy_settings_save

MARK = "演示数据"
SUIXI, ANHUI = IdentificationProcedure.SUIXI_2021, IdentificationProcedure.ANHUI_2024
# How far each demo case goes (the state it stops in), and under which procedure; the two
# procedures alternate, so a small village still shows both. ``compared``: Anhui's village
# publicity with the county's comparison recorded (else it waits for it).
TARGETS: list[tuple[str, str, bool]] = [
    (SUIXI, CaseState.FILED, False),
    (ANHUI, CaseState.FILED, False),
    (SUIXI, CaseState.APPLIED, False),
    (ANHUI, CaseState.APPLIED, False),
    (SUIXI, CaseState.DELIBERATED, False),
    (ANHUI, CaseState.VERIFIED, False),
    (SUIXI, CaseState.VILLAGE_PUBLICIZING, False),
    (ANHUI, CaseState.DELIBERATED, False),
    (SUIXI, CaseState.TOWN_REVIEWING, False),
    (ANHUI, CaseState.VILLAGE_PUBLICIZING, False),
    (SUIXI, CaseState.COUNTY_FILING, False),
    (ANHUI, CaseState.VILLAGE_PUBLICIZING, True),
    (ANHUI, CaseState.TOWN_REVIEWING, False),
    (ANHUI, CaseState.COUNTY_FILING, False),
]
# A case left in village publicity is applied this many days ago, so its
# seven days (三(七)5) are still running; every other case starts earlier.
RUNNING_PUBLICITY_START = 11
START = 50


class Command(BaseCommand):
    help = "载入识别纳入演示数据（各环节若干申请），可重复执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--monitor", default="village_monitor")
        parser.add_argument("--town", default="town_official")
        parser.add_argument("--county", default="county_admin")

    def handle(self, *args, monitor: str, town: str, county: str, **options) -> None:
        users = get_user_model().objects
        try:
            monitor_user = users.get(username=monitor)
            town_user = users.get(username=town)
            county_user = users.get(username=county)
        except users.model.DoesNotExist as error:
            raise CommandError("请先运行 seed_demo 创建演示账号") from error
        if IdentificationCase.objects.filter(source_note=MARK).exists():
            self.stdout.write("识别演示数据已存在，未重复载入")
            return
        candidates = [
            h
            for h in Household.objects.filter(village=monitor_user.village)
            .exclude(identification_cases__state__in=OPEN_STATES)
            .exclude(monitoring_subjects__status=MonitoringSubject.Status.MONITORING)
            .filter(members__relation="head")
            .distinct()
            .order_by("pk")[:80]
            if h.in_identification_scope()
        ][: len(TARGETS)]
        if not candidates:
            raise CommandError("演示村中没有可申请的农户")
        today = timezone.localdate()
        # The switch: this year, or last year while this year is too young for a case's steps.
        switch = today.year if today.timetuple().tm_yday > START + 5 else today.year - 1
        # Applied before the switch (2021 procedure), taking its steps since.
        before_switch = (today - datetime.date(switch, 1, 1)).days + 5
        with transaction.atomic():
            for year in range(switch, today.year + 1):
                policy_settings_save(
                    actor=county_user, year=year, values={"identification_procedure": ANHUI}
                )
            self._dataset(county_user, candidates[0])
            for household, (procedure, target, compared) in zip(candidates, TARGETS, strict=False):
                start = (
                    RUNNING_PUBLICITY_START if target == CaseState.VILLAGE_PUBLICIZING else START
                )
                case = walk_case(
                    household=household,
                    target=target,
                    monitor=monitor_user,
                    town=town_user,
                    county=county_user,
                    start=start,
                    applied=before_switch if procedure == SUIXI else start,
                    judgements=self._judgements(household),
                    source_note=MARK,
                )
                if compared:  # the county compares during Anhui's village publicity
                    services.case_compare(
                        actor=county_user,
                        case=case,
                        compared_on=days_ago(2),
                        judgements=self._judgements(household),
                    )
        self.stdout.write(f"识别演示数据就绪：{len(candidates)} 件申请（两种识别程序）")

    def _dataset(self, actor, household: Household) -> None:
        head = household.members.get(relation="head")
        content = f"身份证号,姓名,车辆\n{head.id_number},{head.name},皖F2021X 2012年农用三轮车\n"
        upload, _ = services.dataset_upload_create(
            actor=actor,
            kind="vehicle",
            as_of=days_ago(60),
            file=ContentFile(content.encode(), name="演示车辆数据.csv"),
        )
        # Read here rather than by a worker: the demo cases below are compared against it.
        upload = services.dataset_upload_ingest(upload_id=upload.pk)
        self._record = ComparisonRecord.objects.filter(dataset=upload.dataset).first()

    def _judgements(self, household: Household) -> dict[int, tuple[str, str]]:
        head = household.members.get(relation="head")
        if self._record and self._record.id_number == head.id_number:
            return {self._record.pk: ("no_effect", "农用三轮车价值低，不影响认定")}
        return {}
