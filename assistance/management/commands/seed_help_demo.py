"""``manage.py seed_help_demo``: pairings, plans, measures and visits for the demo subjects.

Run after ``seed_demo`` (and ``seed_identification_demo``); idempotent: a subject that
already has a pairing or a plan is left alone. See ``assistance.management.demo``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from households.management.commands.seed_demo import DEFAULT_SEED
from organization.management.demo import HELP_UNITS, demo_village_code
from organization.models import HelpUnit, Village

from ...management.demo import seed_help


class Command(BaseCommand):
    help = "载入帮扶演示数据（结对、帮扶方案、帮扶措施、帮扶走访），可重复执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args, seed: int, **options) -> None:
        village = Village.objects.get(code=demo_village_code())
        units = {u.name: u for u in HelpUnit.objects.filter(name__in=HELP_UNITS)}
        counts = seed_help(
            demo_village=village,
            help_units=[units[name] for name in HELP_UNITS if name in units],
            today=timezone.localdate(),
            seed=seed,
        )
        self.stdout.write(
            "帮扶演示数据就绪：新增结对 {assignments} 条、帮扶方案 {plans} 个、"
            "帮扶措施 {measures} 项、帮扶走访 {visits} 次".format(**counts)
        )
