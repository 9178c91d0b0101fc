"""``manage.py seed_low_income_demo``: 民政's rosters of the last two months, idempotent.

Run after ``seed_demo``. It writes two monthly rosters of the low-income population (低保,
特困, 低保边缘, 刚性支出困难) from the demo registry and uploads them as the county bureau
on behalf of 民政, through the real upload and ingestion, so the households get current
statuses: most 2020 低保 and 特困 households still hold them, some ordinary households below
the minimum living standard are new, and some listed in the first month are missing from the
second (their status ended). A second run finds the rosters and loads nothing.
"""

from __future__ import annotations

import datetime
import io
import random

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from openpyxl import Workbook

from early_warnings import services
from early_warnings.models import Upload, WarningIndicator, period_of
from households.models import LowIncomeStatus, Member, Status2020
from organization.models import Department

SEED = 20210510
Kind = LowIncomeStatus.Kind
HEADER = ["姓名", "身份证号", "指标代码", "镇（园区）", "村（社区）", "备注"]


class Command(BaseCommand):
    help = "载入民政低收入人口名册演示数据（近两个月名册），可重复执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", default="county_admin")

    def handle(self, *args, county: str, **options) -> None:
        users = get_user_model().objects
        try:
            actor = users.get(username=county)
        except users.model.DoesNotExist as error:
            raise CommandError("请先运行 seed_demo 创建演示账号") from error
        minzheng = Department.objects.get(code="minzheng")
        months = _months(timezone.localdate())
        if Upload.objects.filter(department=minzheng, is_roster=True).exists():
            self.stdout.write("低收入人口名册演示数据已存在，未重复载入")
            return
        codes = {
            ind.roster_status: ind.code
            for ind in WarningIndicator.objects.filter(department=minzheng, active=True).exclude(
                roster_status=""
            )
        }
        first, second = _rosters(codes)
        for period, rows in zip(months, (first, second), strict=True):
            data = _xlsx(rows)
            upload = services.upload_create(
                actor=actor,
                period=period,
                department=minzheng,
                file=SimpleUploadedFile(f"民政低收入人口名册-{period}.xlsx", data),
            )
            upload = services.upload_ingest(upload_id=upload.pk)
            changes = "；".join(
                f"{k['label']}新列入{k['started']}户、终止{k['ended']}户"
                for k in upload.summary.get("roster", {}).get("kinds", [])
            )
            self.stdout.write(f"{period} 名册：{len(rows)} 行，{changes or upload.file_error}")


def _months(today: datetime.date) -> tuple[str, str]:
    last = today.replace(day=1) - datetime.timedelta(days=1)
    before = last.replace(day=1) - datetime.timedelta(days=1)
    return period_of(before), period_of(last)


def _rosters(codes: dict[str, str]) -> tuple[list[list[str]], list[list[str]]]:
    """Rows of the two months' rosters (each listed household's head, one row per status)."""
    rng = random.Random(SEED)
    first: list[list[str]] = []
    second: list[list[str]] = []
    heads = (
        Member.objects.filter(relation=Member.Relation.HEAD, household__code__startswith="DEMO-")
        .order_by("household_id")
        .values_list(
            "name", "id_number", "household__status_2020", "household__below_income_line",
            "household__village__town__name", "household__village__name",
        )
    )  # fmt: skip
    for name, id_number, status_2020, below, town, village in heads.iterator(chunk_size=2000):
        kinds = _kinds(rng, status_2020, below)
        draw = rng.random()
        for kind in kinds:
            row = [name, id_number, codes[kind], town, village, ""]
            if draw < 0.06:  # left the roster this month: the status ends
                first.append(row)
            elif draw < 0.10:  # newly granted this month
                second.append(row)
            else:
                first.append(row)
                second.append(row)
    return first, second


def _kinds(rng: random.Random, status_2020: str, below: bool) -> list[str]:
    """Most 2020 低保 and 特困 still hold them; some poorer households are 低保 or 低保边缘
    now; a few carry heavy rigid expenses."""
    if status_2020 == Status2020.DIBAO:
        return [Kind.DIBAO] if rng.random() < 0.8 else []
    if status_2020 == Status2020.TEKUN:
        return [Kind.TEKUN] if rng.random() < 0.9 else []
    roll = rng.random()
    if below and roll < 0.15:
        return [Kind.DIBAO]
    if below and roll < 0.35:
        return [Kind.MARGINAL]
    if status_2020 == Status2020.SERIOUS_ILLNESS and roll < 0.3:
        return [Kind.RIGID_EXPENSE]
    return [Kind.RIGID_EXPENSE] if roll < 0.01 else []


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("低收入人口名册")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
