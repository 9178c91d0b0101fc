"""``manage.py seed_demo [--households N]``: the demo county, idempotent.

The organisation (towns, parks, villages, groups, help units, policy rows and
the five demo accounts) comes first, then households ``DEMO-0000001`` up to
N. Running it again creates nothing; a larger N adds only the new households.
"""

import datetime
import os
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone

from households.management.demo import build_context, seed_households
from households.models import Household, IncomeRecord, Member, MonitoringSubject, Visit
from organization.management.demo import seed_organization
from organization.models import Village, VillagerGroup

DEFAULT_SEED = 20210510  # the plan's date, 濉扶组〔2021〕6号


class Command(BaseCommand):
    help = "载入濉溪县演示数据（镇村、账号、农户），可重复执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--households",
            type=int,
            default=int(os.environ.get("DEMO_HOUSEHOLDS", "3000")),
            help="演示农户数（默认取环境变量 DEMO_HOUSEHOLDS，否则 3000）",
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args, households: int, batch_size: int, seed: int, **options) -> None:
        started = time.monotonic()
        organization = seed_organization()
        # Ages and income years are counted to the end of last year, so a run on any
        # day of the year makes the same households.
        reference = datetime.date(timezone.localdate().year - 1, 12, 31)
        context = build_context(organization=organization, seed=seed, reference=reference)
        log = self.stdout.write if options["verbosity"] > 1 else lambda message: None
        created = seed_households(context=context, count=households, batch_size=batch_size, log=log)
        if created:
            _refresh_statistics()
        self.stdout.write(
            f"演示数据就绪：{len(organization.villages)} 个村，新增 {created} 户，"
            f"共 {Household.objects.count()} 户；用时 {time.monotonic() - started:.1f} 秒"
        )


def _refresh_statistics() -> None:
    """Planner statistics after a bulk load.

    Without them PostgreSQL misjudges the household list (at 300,000 households it
    estimated a million-cost plan and spent 90 ms compiling it with JIT), and SQLite
    never gathers any by itself. On PostgreSQL VACUUM also sets the visibility map, so
    counting a village's households can be an index-only scan.
    """
    models = [Household, Member, IncomeRecord, MonitoringSubject, Visit, Village, VillagerGroup]
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM refuses to run inside a transaction (as in tests); ANALYZE alone does not.
            vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{vacuum} {tables}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
