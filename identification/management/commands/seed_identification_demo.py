"""``manage.py seed_identification_demo``: a few applications at every step, idempotent.

Run after ``seed_demo``. It takes households of the demo monitor's village
through the real services with the walker the tests use
(``identification.management.demo``), so the queues, notices and the
announcement have something to show.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from households.models import Household, MonitoringSubject
from identification import services
from identification.management.demo import days_ago, walk_case
from identification.models import CaseState, ComparisonRecord, IdentificationCase
from identification.models.case import OPEN_STATES

MARK = "演示数据"
# How far each demo case goes: the step it stops before.
TARGETS = [
    CaseState.APPLIED,
    CaseState.DELIBERATED,
    CaseState.VILLAGE_PUBLICIZING,
    CaseState.TOWN_REVIEWING,
    CaseState.COUNTY_FILING,
    CaseState.FILED,
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
            .order_by("pk")[:50]
            if h.in_identification_scope()
        ][: len(TARGETS)]
        if not candidates:
            raise CommandError("演示村中没有可申请的农户")
        with transaction.atomic():
            self._dataset(county_user, candidates[0])
            for household, target in zip(candidates, TARGETS, strict=False):
                walk_case(
                    household=household,
                    target=target,
                    monitor=monitor_user,
                    town=town_user,
                    county=county_user,
                    start=RUNNING_PUBLICITY_START
                    if target == CaseState.VILLAGE_PUBLICIZING
                    else START,
                    judgements=self._judgements(household),
                    source_note=MARK,
                )
        self.stdout.write(f"识别演示数据就绪：{len(candidates)} 件申请")

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
