"""``manage.py seed_declaration_demo``: self-declarations in every state, idempotent.

Run after ``seed_demo`` (and ``seed_identification_demo``). Declarations are sent through the
public service and answered through the village's services, so the lists, the county's
figures and the notifications have something to show: two waiting (one past its due day),
one being checked after the village entered the stranger's household, one taken into the
identification procedure, one not taken, and a repeat merged into an open one.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from declarations import services
from declarations.models import Declaration
from households.id_numbers import make_id_number
from households.models import Household, MonitoringSubject, RiskType
from identification.models.case import OPEN_STATES
from organization.working_days import add_working_days

# Synthetic people born on the 29th of February (seed_demo draws no such birthday).
STRANGERS = [
    ("周桂兰", make_id_number(region="340621", born=datetime.date(1964, 2, 29), sequence=902)),
    ("吴建国", make_id_number(region="340621", born=datetime.date(1972, 2, 29), sequence=913)),
    ("郑小梅", make_id_number(region="340621", born=datetime.date(1980, 2, 29), sequence=924)),
    ("冯德胜", make_id_number(region="340621", born=datetime.date(1956, 2, 29), sequence=935)),
]


class Command(BaseCommand):
    help = "载入自主申报演示数据（各办理状态若干条），可重复执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--monitor", default="village_monitor")

    def handle(self, *args, monitor: str, **options) -> None:
        users = get_user_model().objects
        try:
            monitor_user = users.get(username=monitor)
        except users.model.DoesNotExist as error:
            raise CommandError("请先运行 seed_demo 创建演示账号") from error
        if Declaration.objects.filter(id_number=STRANGERS[0][1]).exists():
            self.stdout.write("自主申报演示数据已存在，未重复载入")
            return
        village = monitor_user.village
        types = {r.code: r for r in RiskType.objects.all()}
        with transaction.atomic():
            self._seed(monitor_user, village, types)
        self.stdout.write(self.style.SUCCESS("已载入自主申报演示数据"))

    def _declare(self, name, id_number, village, risks, words, phone):
        declaration, _ = services.declaration_submit(
            name=name,
            id_number=id_number,
            phone=phone,
            village=village,
            risk_types=risks,
            words=words,
            consent=True,
        )
        return declaration

    def _seed(self, monitor, village, types) -> None:
        (n1, id1), (n2, id2), (n3, id3), (n4, id4) = STRANGERS
        self._declare(n1, id1, village, [types["illness"]], "老伴住院，花费大", "13955601001")
        # The same person again from another phone: merged into the open one.
        self._declare(n1, id1, village, [types["housing"]], "房子也漏雨", "13955601009")
        overdue = self._declare(
            n2, id2, village, [types["unstable_employment"]], "厂里停工", "13955601002"
        )
        received = timezone.now() - datetime.timedelta(days=10)
        Declaration.objects.filter(pk=overdue.pk).update(
            received_at=received,
            consented_at=received,
            due_on=add_working_days(timezone.localdate(received), 2),
        )
        checking = self._declare(
            n3, id3, village, [types["disaster"]], "大风刮倒院墙", "13955601003"
        )
        services.declaration_create_household(
            actor=monitor, declaration=checking, address=f"{village.name}西头12号"
        )
        declined = self._declare(n4, id4, village, [types["accident"]], "摔伤了腿", "13955601004")
        services.declaration_decline(
            actor=monitor,
            declaration=declined,
            reason="no_risk",
            note="入户核实：已报销医药费，子女务工收入稳定",
        )
        household = self._candidate(village)
        if household is not None:
            head = household.members.get(relation="head")
            accepted = self._declare(
                head.name,
                head.id_number,
                village,
                [types["illness"]],
                "突发重病住院",
                "13955601005",
            )
            services.declaration_accept(actor=monitor, declaration=accepted)

    def _candidate(self, village) -> Household | None:
        """A household of the demo village in scope of 三(五), not monitored, no case open."""
        rows = (
            Household.objects.filter(village=village, members__relation="head")
            .exclude(identification_cases__state__in=OPEN_STATES)
            .exclude(monitoring_subjects__status=MonitoringSubject.Status.MONITORING)
            .exclude(declarations__isnull=False)
            .distinct()
            .order_by("-pk")[:50]
        )
        return next((h for h in rows if h.in_identification_scope()), None)
