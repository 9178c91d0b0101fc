"""Each step of 三(七) keeps its own record: who, when, what was found.

A case that went back for a new home check (复核) keeps its earlier records;
the newest record of each kind is the one in force.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from households.models import Member, MonitoringSubject, RiskType
from organization.models import VillagerGroup

from .case import IdentificationCase
from .comparison import ComparisonDataset, ComparisonKind, ComparisonRecord


class StepRecord(models.Model):
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        abstract = True


class HomeCheck(StepRecord):
    """村初核 (三(七)2) with the findings against each criterion of 三(六)."""

    case = models.ForeignKey(
        IdentificationCase,
        verbose_name="识别申请",
        on_delete=models.CASCADE,
        related_name="home_checks",
    )
    checked_on = models.DateField("核查日期")
    # 三(六)一, computed from the income records when the check is recorded.
    income_year = models.PositiveIntegerField("收入年度", null=True, blank=True)
    per_capita_income = models.DecimalField(
        "人均纯收入（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    income_line = models.DecimalField("当年监测收入线（元）", max_digits=10, decimal_places=2)
    below_line = models.BooleanField("人均纯收入低于监测收入线", default=False)
    # 三(六)二
    sudden_change = models.BooleanField("因意外变故收入骤减或支出骤增", default=False)
    # 三(六)三: 三保障一安全
    medical_burden = models.BooleanField("刚性医疗支出较大导致基本生活严重困难", default=False)
    housing_unsafe = models.BooleanField("住房鉴定为C级或D级且无力修缮", default=False)
    schooling_interrupted = models.BooleanField("适龄儿童少年因家庭困难失学辍学", default=False)
    water_unsafe = models.BooleanField("饮水安全受到严重影响", default=False)
    findings = models.TextField("核查情况")
    passed = models.BooleanField("初核通过")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "入户核查"
        ordering = ["case_id", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.checked_on} 入户核查"

    @property
    def criteria_met(self) -> list[str]:
        names = [
            "below_line",
            "sudden_change",
            "medical_burden",
            "housing_unsafe",
            "schooling_interrupted",
            "water_unsafe",
        ]
        return [self._meta.get_field(n).verbose_name for n in names if getattr(self, n)]


class TeamRole(models.TextChoices):
    """三(七)2: 由村“两委”、驻村工作队、帮扶人组成核查组."""

    VILLAGE_COMMITTEE = "village_committee", "村两委"
    WORK_TEAM = "work_team", "驻村工作队"
    HELPER = "helper", "帮扶人"


class TeamMemberRecord(models.Model):
    """One person of a home-check team: a user of the system, or a name typed in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="系统用户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("身份", max_length=20, choices=TeamRole.choices)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class HomeCheckMember(TeamMemberRecord):
    home_check = models.ForeignKey(
        HomeCheck, verbose_name="入户核查", on_delete=models.CASCADE, related_name="team"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "核查组成员"
        ordering = ["home_check_id", "id"]


class Deliberation(StepRecord):
    """组评议 (三(七)3). Only meetings with a quorum are recorded; a failed vote rejects."""

    case = models.ForeignKey(
        IdentificationCase,
        verbose_name="识别申请",
        on_delete=models.CASCADE,
        related_name="deliberations",
    )
    # The 2021 组评议 is held in a villager group; Anhui 2024's 民主评议 at the village (none).
    group = models.ForeignKey(
        VillagerGroup, verbose_name="村民小组", null=True, blank=True, on_delete=models.PROTECT
    )
    held_on = models.DateField("评议日期")
    expected = models.PositiveSmallIntegerField("应参会人数")
    present = models.PositiveSmallIntegerField("实到人数")
    approvals = models.PositiveSmallIntegerField("赞成人数")
    passed = models.BooleanField("评议通过")
    note = models.TextField("评议情况", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "组评议"
        ordering = ["case_id", "-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="deliberation_counts_consistent",
                condition=models.Q(present__lte=models.F("expected"))
                & models.Q(approvals__lte=models.F("present")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.group or '村级民主'}评议"


class Comparison(StepRecord):
    """信息比对 (三(七)4): the data sets consulted and the officer's judgement per hit."""

    case = models.ForeignKey(
        IdentificationCase,
        verbose_name="识别申请",
        on_delete=models.CASCADE,
        related_name="comparisons",
    )
    compared_on = models.DateField("比对日期")
    datasets = models.ManyToManyField(
        ComparisonDataset, verbose_name="比对数据集", related_name="+"
    )
    conclusion = models.TextField("比对结论", blank=True)
    # Anhui 2024: the village publicity it ran during (its conclusion waits for it).
    publicity = models.ForeignKey(
        "Publicity",
        verbose_name="比对时的村级公示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comparisons",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "信息比对"
        ordering = ["case_id", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.compared_on} 信息比对"

    # 三(七)4 names five kinds of data; a comparison says only what it compared.
    def _kinds(self) -> list[str]:
        return sorted({d.kind for d in self.datasets.all()}, key=ComparisonKind.values.index)

    @property
    def compared_kinds(self) -> list[str]:
        """The kinds of data this comparison looked in."""
        return [ComparisonKind(kind).label for kind in self._kinds()]

    @property
    def clear_kinds(self) -> list[str]:
        """The kinds looked in that gave no hit."""
        hit = {h.dataset.kind for h in self.hits.all()}
        return [ComparisonKind(kind).label for kind in self._kinds() if kind not in hit]

    @property
    def unchecked_kinds(self) -> list[str]:
        """The kinds with no data when it was compared: not compared at all."""
        have = set(self._kinds())
        return [label for value, label in ComparisonKind.choices if value not in have]


class ComparisonHit(models.Model):
    class Judgement(models.TextChoices):
        # 不搞“一刀切”: a hit is weighed, it does not reject by itself.
        NO_EFFECT = "no_effect", "不影响认定"
        AFFECTS = "affects", "影响认定"

    comparison = models.ForeignKey(
        Comparison, verbose_name="信息比对", on_delete=models.CASCADE, related_name="hits"
    )
    member = models.ForeignKey(Member, verbose_name="家庭成员", on_delete=models.PROTECT)
    dataset = models.ForeignKey(ComparisonDataset, verbose_name="数据集", on_delete=models.PROTECT)
    record = models.ForeignKey(
        ComparisonRecord, verbose_name="比对数据", null=True, on_delete=models.SET_NULL
    )
    detail = models.CharField("比中内容", max_length=300, blank=True)
    judgement = models.CharField("研判结果", max_length=20, choices=Judgement.choices)
    reason = models.CharField("研判理由", max_length=500)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "比对命中"
        ordering = ["comparison_id", "id"]

    def __str__(self) -> str:
        return f"{self.member} {self.dataset.get_kind_display()}"


# A publicity or objection belongs to exactly one identification case or one exit case.
ONE_CASE_SET = models.Q(case__isnull=False, exit_case__isnull=True) | models.Q(
    case__isnull=True, exit_case__isnull=False
)

# The longest publicity a village or town may set (a year). 三(七)5/6 give only the minimum.
PUBLICITY_MAX_DAYS = 365


class Publicity(models.Model):
    """村公示 (三(七)5) or 镇公示 (三(七)6), counted from its recorded start."""

    class Level(models.TextChoices):
        VILLAGE = "village", "村公示"
        TOWN = "town", "镇公示"

    class Outcome(models.TextChoices):
        RUNNING = "running", "公示中"
        NO_OBJECTION = "no_objection", "期满无异议"
        OBJECTION_UPHELD = "objection_upheld", "异议成立，退回复核"
        ENDED = "ended", "申请终止"

    # 三(七)5/6 for an identification case, 三(九) for an exit case: exactly one is set, so
    # the publicity, its objections and the daily conclusion are one code for both.
    case = models.ForeignKey(
        IdentificationCase,
        verbose_name="识别申请",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="publicities",
    )
    exit_case = models.ForeignKey(
        "identification.ExitCase",
        verbose_name="退出申报",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="publicities",
    )
    level = models.CharField("公示级别", max_length=10, choices=Level.choices)
    started_on = models.DateField("公示开始日期")
    days = models.PositiveSmallIntegerField("公示天数")
    outcome = models.CharField(
        "公示结果", max_length=20, choices=Outcome.choices, default=Outcome.RUNNING
    )
    concluded_at = models.DateTimeField("结束时间", null=True, blank=True)
    # Null when the daily task concluded it: the history says "系统".
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="结束操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "公示"
        ordering = ["case_id", "exit_case_id", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(outcome="running"),
                name="publicity_one_running_per_case",
            ),
            models.UniqueConstraint(
                fields=["exit_case"],
                condition=models.Q(outcome="running"),
                name="publicity_one_running_per_exit_case",
            ),
            models.CheckConstraint(
                condition=ONE_CASE_SET,
                name="publicity_of_one_case",
                violation_error_message="公示须属于一件识别申请或一件退出申报",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.started_on}起{self.days}天"

    @property
    def target(self):
        """The identification case or the exit case publicised."""
        return self.case if self.case_id else self.exit_case

    @property
    def last_day(self) -> datetime.date:
        return self.started_on + datetime.timedelta(days=self.days - 1)

    @property
    def due_on(self) -> datetime.date:
        """The first day the publicity has run its full days (start + days)."""
        return self.started_on + datetime.timedelta(days=self.days)

    def has_run_on(self, day: datetime.date) -> bool:
        return day >= self.due_on

    def days_run(self, day: datetime.date) -> int:
        return max(0, (day - self.started_on).days)


class VillageDecision(StepRecord):
    """村研究确定并公示 (三(七)5): the 两委 meeting and the start of the village publicity."""

    case = models.ForeignKey(
        IdentificationCase,
        verbose_name="识别申请",
        on_delete=models.CASCADE,
        related_name="village_decisions",
    )
    meeting_on = models.DateField("两委会议日期")
    decision = models.TextField("研究意见")
    publicity = models.OneToOneField(
        Publicity, verbose_name="村公示", on_delete=models.PROTECT, related_name="village_decision"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "村研究确定"
        ordering = ["case_id", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.meeting_on} 村两委会议"


class TownApproval(StepRecord):
    """镇审定 (三(七)6): the leading-group meeting; approval starts the town publicity."""

    case = models.ForeignKey(
        IdentificationCase,
        verbose_name="识别申请",
        on_delete=models.CASCADE,
        related_name="town_approvals",
    )
    meeting_on = models.DateField("领导小组会议日期")
    approved = models.BooleanField("审定通过")
    opinion = models.TextField("审定意见")
    publicity = models.OneToOneField(
        Publicity,
        verbose_name="镇公示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="town_approval",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "镇审定"
        ordering = ["case_id", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.meeting_on} 镇审定"


class Announcement(models.Model):
    """县级公告 (三(七)7), numbered 〔YYYY〕N号 without gaps or duplicates within a year."""

    year = models.PositiveIntegerField("年度")
    number = models.PositiveIntegerField("序号")
    published_on = models.DateField("发布日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "县级公告"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="announcement_unique_number")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"〔{self.year}〕{self.number}号"


class AnnouncementCounter(models.Model):
    """The last number used in a year; locked while a filing allocates the next one."""

    year = models.PositiveIntegerField("年度", primary_key=True)
    last_number = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "公告编号计数"

    def __str__(self) -> str:
        return f"{self.year}年已用至{self.last_number}号"


class Filing(StepRecord):
    """县备案 (三(七)7): category, risk types, the announcement it appears in."""

    case = models.OneToOneField(
        IdentificationCase, verbose_name="识别申请", on_delete=models.CASCADE, related_name="filing"
    )
    filed_on = models.DateField("备案日期")
    category = models.CharField(
        "监测对象类别", max_length=20, choices=MonitoringSubject.Category.choices
    )
    risk_types = models.ManyToManyField(RiskType, verbose_name="风险类型", related_name="+")
    announcement = models.ForeignKey(
        Announcement, verbose_name="公告", on_delete=models.PROTECT, related_name="filings"
    )
    # Risk types are set once, with the record itself; its history row names the step.
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "县备案"
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.filed_on} 备案 {self.announcement}"


class Objection(FSMModelMixin, models.Model):
    """异议 during a publicity. Upheld: back to 复核; dismissed: the reason is kept."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    case = models.ForeignKey(
        IdentificationCase,
        verbose_name="识别申请",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="objections",
    )
    exit_case = models.ForeignKey(
        "identification.ExitCase",
        verbose_name="退出申报",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="objections",
    )
    publicity = models.ForeignKey(
        Publicity, verbose_name="公示", on_delete=models.PROTECT, related_name="objections"
    )
    content = models.TextField("异议内容")
    # Who raised it at the notice board (a villager), as told to the official who enters it.
    raised_by_name = models.CharField("异议提出人", max_length=50, blank=True)
    lodged_on = models.DateField("提出日期")
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField("登记时间", default=timezone.now)
    status = FSMField(
        "处理状态", max_length=20, choices=Status.choices, default=Status.OPEN, protected=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_reason = models.TextField("处理意见", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["-lodged_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=ONE_CASE_SET,
                name="objection_of_one_case",
                violation_error_message="异议须属于一件识别申请或一件退出申报",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lodged_on} 异议（{self.get_status_display()}）"

    @property
    def target(self):
        """The identification case or the exit case objected to."""
        return self.case if self.case_id else self.exit_case

    @transition(field=status, source=Status.OPEN, target=Status.UPHELD)
    def uphold(self, *, by, at, reason: str) -> None:
        self.decided_by, self.decided_at, self.decision_reason = by, at, reason

    @transition(field=status, source=Status.OPEN, target=Status.DISMISSED)
    def dismiss(self, *, by, at, reason: str) -> None:
        self.decided_by, self.decided_at, self.decision_reason = by, at, reason


class NoticeExport(models.Model):
    """Every export of personal data is logged: who, what, which scope, how many rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("导出内容", max_length=50)
    target = models.CharField("范围", max_length=100)
    file_format = models.CharField("格式", max_length=10)
    row_count = models.PositiveIntegerField("行数")
    exported_at = models.DateTimeField("导出时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示名单导出记录"
        ordering = ["-exported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.exported_at:%Y-%m-%d %H:%M} {self.kind}"
