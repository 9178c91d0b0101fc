"""``manage.py seed_exit_demo``: the 2026 exit rounds (三(九)(十)), idempotent.

Run after ``seed_demo`` (and the identification and help demos): the first half's exits filed
in every town and its rounds closed, the second half open with proposals at every step.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from identification.management.exit_demo import seed_exits
from identification.management.spot_check_demo import seed_spot_checks
from organization.management.demo import demo_village_code
from organization.models import Village


class Command(BaseCommand):
    help = "载入退出演示数据（2026年上半年已备案退出、下半年各环节申报），可重复执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", default="county_admin")

    def handle(self, *args, county: str, **options) -> None:
        try:
            county_user = get_user_model().objects.get(username=county)
            village = Village.objects.get(code=demo_village_code())
        except (get_user_model().DoesNotExist, Village.DoesNotExist) as error:
            raise CommandError("请先运行 seed_demo 创建演示县") from error
        with transaction.atomic():
            counts = seed_exits(
                county=county_user, demo_village=village, today=timezone.localdate()
            )
            # 三(九) 抽查评估 on the finished first half: one town above 2%, in re-review.
            checks = seed_spot_checks(county=county_user)
        self.stdout.write(
            "退出演示数据就绪：上半年新增备案退出 {filed} 户，下半年新增申报 {open} 件，".format(
                **counts
            )
            + "新抽查 {drawn} 个镇，完成 {closed} 个".format(**checks)
        )
