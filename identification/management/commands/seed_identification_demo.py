"""``manage.py seed_identification_demo``: a few applications at every step, idempotent.

Run after ``seed_demo``. It takes households of the demo monitor's village
through the real services (dates after the fact, as paper meetings are
entered), so the queues, notices and the announcement have something to show.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from households.models import Household, MonitoringSubject, RiskType
from identification import services
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
ORDER = [
    CaseState.APPLIED,
    CaseState.VERIFIED,
    CaseState.DELIBERATED,
    CaseState.COMPARED,
    CaseState.VILLAGE_PUBLICIZING,
    CaseState.TOWN_REVIEWING,
    CaseState.TOWN_PUBLICIZING,
    CaseState.COUNTY_FILING,
    CaseState.FILED,
]


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


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
                self._walk(household, target, monitor_user, town_user, county_user)
        self.stdout.write(f"识别演示数据就绪：{len(candidates)} 件申请")

    def _dataset(self, actor, household: Household) -> None:
        head = household.members.get(relation="head")
        content = f"身份证号,姓名,车辆\n{head.id_number},{head.name},皖F2021X 2012年农用三轮车\n"
        upload, _ = services.dataset_upload_create(
            actor=actor,
            kind="vehicle",
            as_of=_ago(60),
            file=ContentFile(content.encode(), name="演示车辆数据.csv"),
        )
        # Read here rather than by a worker: the demo cases below are compared against it.
        upload = services.dataset_upload_ingest(upload_id=upload.pk)
        self._record = ComparisonRecord.objects.filter(dataset=upload.dataset).first()

    def _walk(self, household: Household, target: str, monitor, town, county) -> None:
        head = household.members.get(relation="head")
        illness = RiskType.objects.get(code="illness")
        case = services.case_apply(
            actor=monitor,
            household=household,
            applicant=head,
            applied_on=_ago(50),
            hardship="家庭成员突发重病，医疗支出较大",
            risk_types=[illness],
            source_note=MARK,
        )
        judgements = {}
        if self._record and self._record.id_number == head.id_number:
            judgements[self._record.pk] = ("no_effect", "农用三轮车价值低，不影响认定")
        steps = [
            lambda: services.case_verify(
                actor=monitor,
                case=case,
                checked_on=_ago(48),
                findings="入户核实情况属实",
                passed=True,
                medical_burden=True,
                team=[
                    services.TeamMember(role="village_committee", user=monitor),
                    services.TeamMember(role="work_team", name="驻村工作队员"),
                ],
            ),
            lambda: services.case_record_deliberation(
                actor=monitor,
                case=case,
                group=household.group or household.village.groups.first(),
                held_on=_ago(46),
                expected=12,
                present=9,
                approvals=8,
            ),
            lambda: services.case_compare(
                actor=county, case=case, compared_on=_ago(44), judgements=judgements
            ),
            lambda: services.case_publicize_village(
                actor=monitor,
                case=case,
                meeting_on=_ago(3 if target == CaseState.VILLAGE_PUBLICIZING else 40),
                decision="经村两委研究，同意纳入",
                publicity_started_on=_ago(3 if target == CaseState.VILLAGE_PUBLICIZING else 40),
            ),
            lambda: services.publicity_conclude(case=case),
            lambda: services.case_approve_town(
                actor=town,
                case=case,
                meeting_on=_ago(30),
                approved=True,
                opinion="同意纳入",
                publicity_started_on=_ago(30),
            ),
            lambda: services.publicity_conclude(case=case),
            lambda: services.case_file(
                actor=county,
                case=case,
                filed_on=_ago(20),
                category="marginal",
                risk_types=[illness],
            ),
        ]
        for step in steps[: ORDER.index(target)]:
            step()
            case.refresh_from_db()
