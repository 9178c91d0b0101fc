"""Department warnings (技防, 三(四)2), clues (协防, 三(四)3) and department sweeps (三(四)1).

A *period* is the month the department's data describe, written ``YYYY-MM``.
Its file is due by the ``warning_due_day`` of the following month and its
warnings reach the towns from that month's ``warning_push_day`` (三(四)2: 每月
10日前提供本部门预警信息，每月15日前反馈到镇村核实).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from households.models import Household, LowIncomeStatus, Member, RiskType
from organization.models import Department, PolicySettings, Town, Village
from suixi_monitor.jobs import FileJob

period_validator = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "期间格式应为 YYYY-MM，如 2026-05")


def period_start(period: str) -> datetime.date:
    year, month = period.split("-")
    try:
        return datetime.date(int(year), int(month), 1)
    except ValueError:  # "0000-01" has the pattern's shape but is no month
        raise ValidationError({"period": "数据月份不存在，应为 YYYY-MM，如 2026-05"}) from None


def period_end(period: str) -> datetime.date:
    return next_month_start(period_start(period)) - datetime.timedelta(days=1)


def next_month_start(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def period_of(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def previous_period(day: datetime.date) -> str:
    """The data month whose file is due in the month of ``day``."""
    return period_of(day.replace(day=1) - datetime.timedelta(days=1))


def period_label(period: str) -> str:
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


class WarningIndicator(models.Model):
    """One thing a department watches, and the rule that turns its rows into warnings."""

    class Rule(models.TextChoices):
        THRESHOLD = "threshold", "数值达到阈值即预警"
        EVERY_ROW = "every_row", "每条记录均预警"

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField("指标代码", max_length=20, unique=True)
    name = models.CharField("指标名称", max_length=100)
    risk_type = models.ForeignKey(
        RiskType, verbose_name="风险类型", on_delete=models.PROTECT, related_name="indicators"
    )
    unit = models.CharField("单位", max_length=20, blank=True)
    rule = models.CharField("预警规则", max_length=20, choices=Rule.choices)
    threshold = models.DecimalField("阈值", max_digits=14, decimal_places=2, null=True, blank=True)
    severe = models.BooleanField("严重指标（单独触发即红色）", default=False)
    description = models.CharField("填报说明", max_length=300, blank=True)
    active = models.BooleanField("启用", default=True)
    # 民政's monthly roster of the low-income population: a file of these indicators sets
    # each listed household's social-assistance status instead of making warnings.
    roster_status = models.CharField(
        "名册身份（名册类指标）",
        max_length=20,
        choices=LowIncomeStatus.Kind.choices,
        blank=True,
        help_text="填写后本指标为民政低收入人口名册：按名册设置农户的低保、特困等身份，不生成预警",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "预警指标"
        ordering = ["department_id", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.rule == self.Rule.THRESHOLD and self.threshold is None:
            raise ValidationError({"threshold": "按阈值预警的指标必须填写阈值"})
        if self.roster_status and self.rule != self.Rule.EVERY_ROW:
            raise ValidationError({"rule": "名册类指标按“每条记录”处理，不设阈值"})

    @property
    def is_roster(self) -> bool:
        return bool(self.roster_status)

    @property
    def needs_value(self) -> bool:
        return self.rule == self.Rule.THRESHOLD and not self.is_roster

    def fires(self, value: Decimal | None) -> bool:
        if self.rule == self.Rule.EVERY_ROW or self.is_roster:
            return True
        return value is not None and value >= self.threshold

    @property
    def rule_label(self) -> str:
        if self.is_roster:
            return f"民政名册：按名册设置{self.get_roster_status_display()}身份"
        if self.rule == self.Rule.THRESHOLD:
            return f"≥ {self.threshold.normalize():f}{self.unit}"
        return self.get_rule_display()


class Upload(FileJob):
    """A department's file for one period; ingestion runs in a Celery task and reports here."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="uploads"
    )
    period = models.CharField("数据月份", max_length=7, validators=[period_validator])
    file = models.FileField("文件", upload_to="warnings/uploads/%Y/%m/", max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        related_name="warning_uploads",
    )
    warnings_count = models.PositiveIntegerField("生成预警", default=0)
    clues_count = models.PositiveIntegerField("生成线索", default=0)
    # Set when the file turns out to be 民政's roster (its rows carry roster indicators):
    # it set statuses (``summary["roster"]`` says what changed) rather than made warnings.
    is_roster = models.BooleanField("低收入人口名册", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "预警数据上传"
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["department", "period"], name="upload_dept_period")]

    def __str__(self) -> str:
        return f"{self.department.short_name} {self.period} {self.original_name}"


class State(models.TextChoices):
    RECEIVED = "received", "已接收"
    PUSHED = "pushed", "已推送到镇"
    ASSIGNED = "assigned", "已分派到村"
    VERIFIED = "verified", "已核实"
    CLOSED = "closed", "已销号"


class Result(models.TextChoices):
    NO_RISK = "no_risk", "经核实无风险"
    ALREADY_MONITORED = "already_monitored", "已是监测对象（更新风险类型）"
    INCLUDE = "include", "纳入监测（启动识别程序）"
    # 三(五): a real risk in a household outside the identification scope is not "no risk":
    # it is handed on (a clue for the town, other assistance such as 医疗救助 or 临时救助).
    REFERRED = "referred", "转为线索/其他救助（有风险但不在识别范围）"


class Priority(models.TextChoices):
    RED = "red", "红色"
    YELLOW = "yellow", "黄色"


class CheckedItem(FSMModelMixin, models.Model):
    """What a warning and a clue share: pushed to a town, assigned to a village, verified, closed.

    Transitions only set fields on ``self``; the services lock, check scope and save.

    Who assigned, verified or closed an item is stamped by the service with the signed-in
    user. Users are deactivated, never deleted (PROTECT refuses it in the ORM), so the
    database keeps no constraint on these stamps: PostgreSQL would fire one check per new row
    per constraint at commit, NULL or not (0.23 s for three of them on a 95,000-row file).
    """

    state = FSMField(
        "状态", max_length=20, choices=State.choices, default=State.RECEIVED, protected=True
    )
    # Where the item is checked: for a warning, copies of the member's household's village
    # and town, kept for scoping (see ``Warning``). PROTECT still guards them in the ORM.
    town = models.ForeignKey(
        Town,
        verbose_name="镇（园区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,  # each model's (town, period, state) index leads with it
    )
    village = models.ForeignKey(
        Village,
        verbose_name="村",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    pushed_at = models.DateTimeField("推送时间", null=True, blank=True)
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="分派人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never searched by; each index slows a 100,000-row insert
        db_constraint=False,  # see the class docstring
    )
    overdue = models.BooleanField("核实超期", default=False)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never searched by; each index slows a 100,000-row insert
        db_constraint=False,  # see the class docstring
    )
    result = models.CharField("核实结果", max_length=20, choices=Result.choices, blank=True)
    result_reason = models.TextField("核实情况", blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="销号人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never searched by; each index slows a 100,000-row insert
        db_constraint=False,  # see the class docstring
    )

    class Meta:
        abstract = True

    @transition(field=state, source=State.RECEIVED, target=State.PUSHED)
    def push(self, *, at: datetime.datetime) -> None:
        self.pushed_at = at

    @transition(field=state, source=State.PUSHED, target=State.ASSIGNED)
    def assign(self, *, by, at: datetime.datetime, village: Village | None = None) -> None:
        if village is not None:
            self.village = village
        self.assigned_by = by
        self.assigned_at = at

    @transition(field=state, source=State.ASSIGNED, target=State.VERIFIED)
    def verify(self, *, by, at: datetime.datetime, result: str, reason: str) -> None:
        self.verified_by = by
        self.verified_at = at
        self.result = result
        self.result_reason = reason
        self.overdue = False

    @transition(field=state, source=State.VERIFIED, target=State.CLOSED)
    def close(self, *, by, at: datetime.datetime) -> None:
        self.closed_by = by
        self.closed_at = at

    @property
    def verify_due_on(self) -> datetime.date | None:
        if self.pushed_at is None:
            return None
        pushed = timezone.localtime(self.pushed_at).date()
        return PolicySettings.for_year(pushed.year).warning_verify_due_on(pushed)


# Shadows the builtin exception name inside this module only; the domain's word wins.
class Warning(CheckedItem):
    """One indicator firing for one registered member in one period (unique, so re-uploads add nothing).

    Written 100,000 rows at a time, so every index and every foreign-key constraint is paid
    per row: PostgreSQL checks a constraint with one locking query per row (about a second per
    constraint for a 95,000-row file, measured with EXPLAIN ANALYZE). The database keeps the
    constraint that states what a warning is about, ``member``, and the case it led to. The
    others are copies (the member's household, village and town; the upload's
    department) or reference rows the county never deletes (indicators, uploads); the ORM's
    PROTECT and SET_NULL still guard them, and the member's constraint keeps its household.
    """

    # The unique (member, period, indicator) and (department, period) indexes lead with these.
    indicator = models.ForeignKey(
        WarningIndicator,
        verbose_name="预警指标",
        on_delete=models.PROTECT,
        related_name="warnings",
        db_index=False,
        db_constraint=False,
    )
    department = models.ForeignKey(
        Department,
        verbose_name="部门",
        on_delete=models.PROTECT,
        related_name="warnings",
        db_index=False,
        db_constraint=False,
    )
    period = models.CharField("数据月份", max_length=7, validators=[period_validator])
    member = models.ForeignKey(
        Member,
        verbose_name="成员",
        on_delete=models.PROTECT,
        related_name="warnings",
        db_index=False,
    )
    household = models.ForeignKey(
        Household,
        verbose_name="农户",
        on_delete=models.PROTECT,
        related_name="warnings",
        db_constraint=False,
        db_index=False,  # (period, household) below
    )
    upload = models.ForeignKey(
        Upload,
        verbose_name="来源上传",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="warnings",
        db_index=False,  # the upload's counts are taken when it is written, not searched
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField("来源行号", null=True, blank=True)
    value = models.DecimalField("数值", max_digits=14, decimal_places=2, null=True, blank=True)
    occurred_on = models.DateField("发生日期", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    severe = models.BooleanField("严重指标", default=False)
    priority = models.CharField(
        "预警等级", max_length=10, choices=Priority.choices, default=Priority.YELLOW
    )
    # 三(七)1: a warning that leads to an application; the case reaches back as
    # ``source_warnings`` (at most one: see the partial unique constraint below).
    case = models.ForeignKey(
        "identification.IdentificationCase",
        verbose_name="识别申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="source_warnings",
        db_index=False,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "部门预警"
        ordering = ["-period", "-id"]
        constraints = [
            # Member first: it serves "this person's warnings" too, so member needs no index
            # of its own, and a file written in member order inserts into neighbouring pages.
            models.UniqueConstraint(
                fields=["member", "period", "indicator"],
                name="warning_unique_member_period_indicator",
            ),
            # One case per warning and one warning per case, indexed only where there is
            # one: a month's file writes 100,000 rows with no case, and no index entries.
            models.UniqueConstraint(
                fields=["case"], condition=Q(case__isnull=False), name="warning_unique_case"
            ),
        ]
        indexes = [
            # Also a household's rows in a month; only the ORM's PROTECT check on deleting a
            # household (an administrator's rare act) asks for a household's rows without one.
            models.Index(fields=["period", "household"], name="warning_period_household"),
            # A town's month by state; and the county dashboard's count of the month by
            # department, state and town, without reading a row (the state and the town cost
            # the department's index two short columns).
            models.Index(fields=["town", "period", "state"], name="warning_town_period_state"),
            models.Index(
                fields=["department", "period", "state", "town"],
                name="warning_dept_period_state_t",
            ),
            # Only overdue rows, which the daily tick marks after the push: a file's insert
            # writes no entry here, and the dashboards count a month's overdue from it alone.
            models.Index(
                fields=["period", "department", "town", "village"],
                name="warning_overdue",
                condition=Q(overdue=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.indicator.name}"


class Clue(CheckedItem):
    """协防 (三(四)3): a lead from a hotline, petition, inspection, or a department row for someone
    not in the registry (三(五)3 keeps unregistered rural residents below the standard in scope)."""

    class Source(models.TextChoices):
        DEPARTMENT = "department", "部门数据（未在台账中）"
        HOTLINE_12317 = "12317", "12317 热线"
        HOTLINE_12345 = "12345", "12345 热线"
        PETITION = "petition", "信访投诉举报"
        INSPECTION = "inspection", "调研督查考核"
        OTHER = "other", "其他工作中发现"

    source = models.CharField("来源", max_length=20, choices=Source.choices)
    period = models.CharField("月份", max_length=7, validators=[period_validator])
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    town_text = models.CharField("原表所填镇村", max_length=100, blank=True)
    description = models.TextField("线索内容")
    indicator = models.ForeignKey(
        WarningIndicator,
        verbose_name="预警指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clues",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clues",
    )
    upload = models.ForeignKey(
        Upload,
        verbose_name="来源上传",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clues",
    )
    row_number = models.PositiveIntegerField("来源行号", null=True, blank=True)
    value = models.DecimalField("数值", max_digits=14, decimal_places=2, null=True, blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name="核实后对应农户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clues",
    )
    case = models.OneToOneField(
        "identification.IdentificationCase",
        verbose_name="识别申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="source_clue",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "协防线索"
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same department row in a second file is the same clue.
            models.UniqueConstraint(
                fields=["indicator", "period", "id_number"],
                condition=models.Q(source="department"),
                name="clue_unique_department_row",
            )
        ]
        indexes = [models.Index(fields=["town", "period", "state"], name="clue_town_period_state")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.name}"

    @property
    def routed_to_county(self) -> bool:
        return self.town_id is None


class DepartmentSweep(models.Model):
    """三(四)1: each department sweeps its sector at least once a quarter and reports to towns."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="sweeps"
    )
    carried_out_on = models.DateField("排查日期")
    scope = models.CharField("排查范围", max_length=300)
    findings = models.TextField("排查发现")
    households_checked = models.PositiveIntegerField("排查户数", default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("填报时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "部门季度排查"
        ordering = ["-carried_out_on", "-id"]

    def __str__(self) -> str:
        return f"{self.department.short_name} {self.carried_out_on}"

    @property
    def quarter(self) -> str:
        return quarter_of(self.carried_out_on)


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last = next_month_start(next_month_start(next_month_start(first))) - datetime.timedelta(days=1)
    return first, last


class MonthlyCycle(models.Model):
    """What the daily tick has already done for a period, so a re-run or a catch-up does it once."""

    period = models.CharField("数据月份", max_length=7, unique=True, validators=[period_validator])
    reminded_at = models.DateTimeField("已提醒", null=True, blank=True)
    closed_at = models.DateTimeField("报送窗口关闭", null=True, blank=True)
    late_departments = models.ManyToManyField(
        Department, verbose_name="逾期未报部门", blank=True, related_name="late_cycles"
    )
    pushed_at = models.DateTimeField("已推送到镇", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "月度预警周期"
        ordering = ["-period"]

    def __str__(self) -> str:
        return period_label(self.period)
