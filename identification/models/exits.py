"""Leaving monitoring (三(九), 三(十)): half-year rounds, the exit case, the county's spot check.

"由村级上报拟退出名单，镇组织评估公示……并报县扶贫局备案。县级对退出名单进行抽查评估，
对错退率超过2%的镇，需重新审核认定" (三(九)); "退出工作每半年开展一次" (三(十)).

As with the identification case, transition methods only set fields on ``self``; the
services lock the row, check the rule, call the transition and save with the actor.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from households.models import Household, MonitoringSubject
from organization.models import Town

from .steps import StepRecord, TeamMemberRecord


class ExitRound(models.Model):
    """One half-year round of exits (三(十) "退出工作每半年开展一次") for the whole county.

    Opened by the daily task on the month PolicySettings names, or by the county by hand;
    each town follows it in its own ``TownRound``.
    """

    class Half(models.IntegerChoices):
        FIRST = 1, "上半年"
        SECOND = 2, "下半年"

    year = models.PositiveIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", choices=Half.choices)
    opened_on = models.DateField("开始日期")
    # The last day proposals are taken (opened_on + PolicySettings.exit_round_open_days - 1).
    closes_on = models.DateField("申报截止日期")
    # Null when the daily task opened it on its date: the history says "系统".
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="开启人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "退出批次"
        ordering = ["-year", "-half"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "half"],
                name="exit_round_one_per_half_year",
                violation_error_message="该半年的退出批次已开启",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opened_on")),
                name="exit_round_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.year}年{self.get_half_display()}退出批次"

    def takes_proposals_on(self, day: datetime.date) -> bool:
        return self.opened_on <= day <= self.closes_on


class TownRoundState(models.TextChoices):
    OPEN = "open", "申报中"
    CLOSING = "closing", "办理中"
    CLOSED = "closed", "已结束"
    RE_REVIEW = "re_review", "重新审核认定中"


class TownRound(FSMModelMixin, models.Model):
    """A town's part of a round: proposals while open, the rest of the cases while closing,
    closed when every case is done, and ``re_review`` after a spot check over the limit."""

    round = models.ForeignKey(
        ExitRound, verbose_name="退出批次", on_delete=models.PROTECT, related_name="town_rounds"
    )
    town = models.ForeignKey(
        Town, verbose_name="镇（园区）", on_delete=models.PROTECT, related_name="exit_rounds"
    )
    state = FSMField(
        "状态",
        max_length=20,
        choices=TownRoundState.choices,
        default=TownRoundState.OPEN,
        protected=True,
    )
    state_changed_at = models.DateTimeField("进入当前状态时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "镇退出批次"
        ordering = ["-round__year", "-round__half", "town__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "town"], name="town_round_once_per_town")
        ]

    def __str__(self) -> str:
        return f"{self.town}{self.round.label}（{self.get_state_display()}）"

    @property
    def takes_proposals(self) -> bool:
        return self.state == TownRoundState.OPEN

    @transition(field=state, source=TownRoundState.OPEN, target=TownRoundState.CLOSING)
    def stop_proposals(self, *, at) -> None:
        self.state_changed_at = at

    @transition(field=state, source=TownRoundState.CLOSING, target=TownRoundState.CLOSED)
    def close(self, *, at) -> None:
        self.state_changed_at = at

    @transition(field=state, source=TownRoundState.CLOSED, target=TownRoundState.RE_REVIEW)
    def require_re_review(self, *, at) -> None:
        """三(九): the spot check found the wrong-exit rate above the limit."""
        self.state_changed_at = at

    @transition(field=state, source=TownRoundState.RE_REVIEW, target=TownRoundState.CLOSED)
    def finish_re_review(self, *, at) -> None:
        self.state_changed_at = at


class ExitState(models.TextChoices):
    PROPOSED = "proposed", "村级已上报（待入户核实）"
    VERIFIED = "verified", "已核实（待镇评估）"
    EVALUATED = "evaluated", "镇已评估（待公示）"
    TOWN_PUBLICIZING = "town_publicizing", "镇公示中"
    COUNTY_FILING = "county_filing", "待县备案"
    FILED = "filed", "已备案退出"
    WITHDRAWN = "withdrawn", "已撤回"
    REVERTED = "reverted", "重新审核后撤销退出"


# The steps of 三(九) in the order a case passes them, from the proposal to the filing.
EXIT_STEP_ORDER = [
    ExitState.PROPOSED,
    ExitState.VERIFIED,
    ExitState.EVALUATED,
    ExitState.TOWN_PUBLICIZING,
    ExitState.COUNTY_FILING,
    ExitState.FILED,
]
EXIT_OPEN_STATES = EXIT_STEP_ORDER[:-1]


class ReReview(models.TextChoices):
    """三(九) "需重新审核认定": the town's answer for each exit of a round in re-review."""

    PENDING = "", "—"
    CONFIRMED = "confirmed", "维持退出"
    REVERTED = "reverted", "撤销退出，恢复监测"


class ExitCase(FSMModelMixin, models.Model):
    """One monitoring subject proposed for exit in a round (三(九))."""

    town_round = models.ForeignKey(
        TownRound, verbose_name="镇退出批次", on_delete=models.PROTECT, related_name="exit_cases"
    )
    subject = models.ForeignKey(
        MonitoringSubject,
        verbose_name="监测对象",
        on_delete=models.PROTECT,
        related_name="exit_cases",
    )
    # The subject's household, kept on the case so every scope rule reads it by one prefix.
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="exit_cases"
    )
    proposed_on = models.DateField("上报日期")
    reason = models.TextField("拟退出理由")
    state = FSMField(
        "环节", max_length=30, choices=ExitState.choices, default=ExitState.PROPOSED, protected=True
    )
    state_changed_at = models.DateTimeField("进入当前环节时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上报人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    # A return sends the case back to the village; the last reason stays here, every one in
    # the history.
    returned_step = models.CharField("退回环节", max_length=30, blank=True)
    returned_reason = models.TextField("退回原因", blank=True)
    closed_step = models.CharField("终止环节", max_length=30, blank=True)
    closed_reason = models.TextField("终止原因", blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    re_review = models.CharField(
        "重新审核认定", max_length=20, choices=ReReview.choices, blank=True, default=""
    )
    re_review_reason = models.TextField("重新审核意见", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "退出申报"
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(state__in=EXIT_OPEN_STATES),
                name="exit_case_one_open_per_subject",
                violation_error_message="该监测对象已有未办结的退出申报",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "state_changed_at"], name="exit_case_state_idle"),
        ]

    def __str__(self) -> str:
        return f"{self.household.head_name}户退出（{self.get_state_display()}）"

    @property
    def is_open(self) -> bool:
        return self.state in EXIT_OPEN_STATES

    @property
    def is_publicizing(self) -> bool:
        return self.state == ExitState.TOWN_PUBLICIZING

    # --- transitions: fields on self only -------------------------------------

    def _moved(self, at) -> None:
        self.state_changed_at = at

    @transition(field=state, source=ExitState.PROPOSED, target=ExitState.VERIFIED)
    def verify(self, *, at) -> None:
        self._moved(at)

    @transition(field=state, source=ExitState.VERIFIED, target=ExitState.EVALUATED)
    def evaluate(self, *, at) -> None:
        self._moved(at)

    @transition(field=state, source=ExitState.EVALUATED, target=ExitState.TOWN_PUBLICIZING)
    def publicize(self, *, at) -> None:
        self._moved(at)

    @transition(field=state, source=ExitState.TOWN_PUBLICIZING, target=ExitState.COUNTY_FILING)
    def conclude_town_publicity(self, *, at) -> None:
        self._moved(at)

    @transition(field=state, source=ExitState.COUNTY_FILING, target=ExitState.FILED)
    def file(self, *, at, on: datetime.date) -> None:
        self.filed_on = on
        self._moved(at)

    @transition(field=state, source=ExitState.TOWN_PUBLICIZING, target=ExitState.PROPOSED)
    def reopen(self, *, at) -> None:
        """An upheld objection sends the case back to the village for a new home check."""
        self.returned_step = ExitState.TOWN_PUBLICIZING
        self._moved(at)

    @transition(
        field=state,
        source=[ExitState.VERIFIED, ExitState.EVALUATED, ExitState.COUNTY_FILING],
        target=ExitState.PROPOSED,
    )
    def send_back(self, *, at, reason: str) -> None:
        """Return (退回): back to the village, with the step and the reason kept."""
        self.returned_step = self.state
        self.returned_reason = reason
        self._moved(at)

    @transition(field=state, source=EXIT_OPEN_STATES, target=ExitState.WITHDRAWN)
    def withdraw(self, *, at, reason: str) -> None:
        self.closed_step = self.state
        self.closed_reason = reason
        self._moved(at)

    def confirm_exit(self, *, reason: str) -> None:
        """三(九) 重新审核认定: the exit stands; the case stays filed."""
        self.re_review = ReReview.CONFIRMED
        self.re_review_reason = reason

    @transition(field=state, source=ExitState.FILED, target=ExitState.REVERTED)
    def revert(self, *, at, reason: str) -> None:
        """三(九) 重新审核认定: the exit was wrong; the subject returns to monitoring."""
        self.re_review = ReReview.REVERTED
        self.re_review_reason = reason
        self._moved(at)

    @property
    def returned_step_label(self) -> str:
        return ExitState(self.returned_step).label if self.returned_step else ""

    @property
    def closed_step_label(self) -> str:
        return ExitState(self.closed_step).label if self.closed_step else ""


# --- each step's record (三(九)): who, when, what was found -----------------------------
# A case returned to the village keeps its earlier records; the newest of each kind is in force.


class ExitHomeCheck(StepRecord):
    """入户核实: the team found the income and 三保障、饮水 secured, and reviewed the measures."""

    exit_case = models.ForeignKey(
        ExitCase, verbose_name="退出申报", on_delete=models.CASCADE, related_name="home_checks"
    )
    checked_on = models.DateField("核实日期")
    per_capita_income = models.DecimalField("核实人均纯收入（元）", max_digits=12, decimal_places=2)
    income_line = models.DecimalField("当年监测收入线（元）", max_digits=10, decimal_places=2)
    education_secured = models.BooleanField("义务教育有保障")
    medical_secured = models.BooleanField("基本医疗有保障")
    housing_secured = models.BooleanField("住房安全有保障")
    water_secured = models.BooleanField("饮水安全有保障")
    measures_note = models.TextField("帮扶措施落实情况")
    findings = models.TextField("核实情况", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "退出入户核实"
        ordering = ["exit_case_id", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.checked_on} 退出入户核实"


class ExitHomeCheckMember(TeamMemberRecord):
    home_check = models.ForeignKey(
        ExitHomeCheck, verbose_name="入户核实", on_delete=models.CASCADE, related_name="team"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "退出核实组成员"
        ordering = ["home_check_id", "id"]


class ExitEvaluation(StepRecord):
    """镇组织评估 (三(九)): one meeting of the town evaluates several cases of its round."""

    town_round = models.ForeignKey(
        TownRound, verbose_name="镇退出批次", on_delete=models.PROTECT, related_name="evaluations"
    )
    held_on = models.DateField("评估会议日期")
    # The names as the minutes list them, one a line: officials, cadres, helpers, villagers.
    present = models.TextField("参会人员")
    note = models.TextField("会议情况", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "镇退出评估会议"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} 镇退出评估会议"

    @property
    def present_names(self) -> list[str]:
        return [name for name in self.present.splitlines() if name.strip()]


class ExitEvaluationResult(models.Model):
    """The meeting's result for one household: pass, or return to the village with a reason."""

    evaluation = models.ForeignKey(
        ExitEvaluation, verbose_name="评估会议", on_delete=models.CASCADE, related_name="results"
    )
    exit_case = models.ForeignKey(
        ExitCase, verbose_name="退出申报", on_delete=models.CASCADE, related_name="evaluations"
    )
    passed = models.BooleanField("评估通过")
    reason = models.TextField("评估意见", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "退出评估结果"
        ordering = ["exit_case_id", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "exit_case"], name="exit_evaluation_once_per_case"
            ),
            models.CheckConstraint(
                condition=models.Q(passed=True) | ~models.Q(reason=""),
                name="exit_evaluation_return_has_reason",
                violation_error_message="退回须填写原因",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} {'通过' if self.passed else '退回'}"


class ExitFiling(StepRecord):
    """县备案 (三(九) "并报县扶贫局备案"): the date the subject is marked risk-eliminated."""

    exit_case = models.OneToOneField(
        ExitCase, verbose_name="退出申报", on_delete=models.CASCADE, related_name="filing"
    )
    filed_on = models.DateField("备案日期")
    note = models.TextField("备案意见", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "退出备案"
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.filed_on} 退出备案"


class SpotCheck(FSMModelMixin, models.Model):
    """三(九) 抽查评估: the county's sample of one town's filed exits in one round.

    The draw is reproducible: ``seed`` is stored and shown, and the same seed on the same
    ordered list of exits draws the same households. Once drawn, the sample is fixed.
    """

    class State(models.TextChoices):
        OPEN = "open", "抽查中"
        CLOSED = "closed", "已完成"

    town_round = models.OneToOneField(
        TownRound, verbose_name="镇退出批次", on_delete=models.PROTECT, related_name="spot_check"
    )
    seed = models.CharField("抽样种子", max_length=64)
    population = models.PositiveIntegerField("退出户数")
    sample_size = models.PositiveIntegerField("抽查户数")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽样人", on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField("抽样时间", default=timezone.now)
    state = FSMField(
        "状态", max_length=20, choices=State.choices, default=State.OPEN, protected=True
    )
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)
    # The rate at closing and the limit it was held against, kept as they were that day.
    wrong_count = models.PositiveIntegerField("错退户数", null=True, blank=True)
    checked_count = models.PositiveIntegerField("已抽查户数", null=True, blank=True)
    limit = models.DecimalField(
        "错退率上限（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "退出抽查"
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"{self.town_round}抽查"

    @transition(field=state, source=State.OPEN, target=State.CLOSED)
    def close(self, *, at, wrong: int, checked: int, limit: Decimal) -> None:
        self.closed_at = at
        self.wrong_count, self.checked_count, self.limit = wrong, checked, limit

    @property
    def rate(self) -> Decimal | None:
        return wrong_exit_rate(self.wrong_count, self.checked_count)

    @property
    def over_limit(self) -> bool:
        rate = self.rate
        return rate is not None and self.limit is not None and rate > self.limit


def wrong_exit_rate(wrong: int | None, checked: int | None) -> Decimal | None:
    """三(九) 错退率 = wrong ÷ checked, in percent to two places; None before any check."""
    if not checked:
        return None
    return (Decimal(wrong or 0) * 100 / Decimal(checked)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


class SpotCheckItem(models.Model):
    """One sampled exit and the checker's verdict on it."""

    class Verdict(models.TextChoices):
        PENDING = "", "待抽查"
        CORRECT = "correct", "退出准确"
        WRONG = "wrong", "错误退出"

    class WrongReason(models.TextChoices):
        INCOME = "income", "收入仍低于监测线"
        GUARANTEES = "guarantees", "三保障或饮水问题未解决"
        MEASURES = "measures", "帮扶措施未落实"
        FALSE_DATA = "false_data", "数据不实"
        OTHER = "other", "其他"

    spot_check = models.ForeignKey(
        SpotCheck, verbose_name="抽查", on_delete=models.CASCADE, related_name="items"
    )
    exit_case = models.ForeignKey(
        ExitCase, verbose_name="退出申报", on_delete=models.PROTECT, related_name="spot_checks"
    )
    # The position in the draw, so the sample reads in the order it was drawn.
    position = models.PositiveIntegerField("抽样序号")
    verdict = models.CharField(
        "抽查结论", max_length=20, choices=Verdict.choices, blank=True, default=""
    )
    wrong_reason = models.CharField(
        "错退原因", max_length=20, choices=WrongReason.choices, blank=True
    )
    note = models.TextField("抽查情况", blank=True)
    checked_on = models.DateField("抽查日期", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="抽查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "抽查户"
        ordering = ["spot_check_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["spot_check", "exit_case"], name="spot_check_item_once_per_case"
            ),
            models.CheckConstraint(
                name="spot_check_wrong_has_reason",
                condition=~models.Q(verdict="wrong") | ~models.Q(wrong_reason=""),
                violation_error_message="错误退出须选择原因",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spot_check} #{self.position}"
