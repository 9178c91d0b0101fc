"""Help for monitored households (三(三), 三(八)): who helps, the plan, its measures, the visits.

- ``HelpAssignment``: a helper paired with a household (三(八)1 不脱钩 / 帮扶联系人).
- ``MeasureKind``: the county's catalogue of measures, seeded from 三(八)2.
- ``AssistancePlan``: 一户一方案, one current plan per monitoring subject.
- ``Measure``: 一人一措施, one measure for a member or the whole household.
- ``HelpVisit``: what a helper saw on a visit (三(八)1 定期上门走访), kept beside the
  registry's ``Visit`` so that every visit of a household is one list.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from households.models import Household, Member, MonitoringSubject, RiskType, Visit
from organization.models import Department, HelpUnit


class HelpAssignment(models.Model):
    """三(八)1: a helper (帮扶责任人 / 帮扶联系人) paired with a household; the helper's scope."""

    class Kind(models.TextChoices):
        RESPONSIBLE = "responsible", "帮扶责任人"
        CONTACT = "contact", "帮扶联系人"

    class Level(models.TextChoices):
        """三(八)1 "由镇、村二级干部结对联系帮扶": a contact is a town or a village cadre."""

        NONE = "", "—"
        TOWN = "town", "镇级干部"
        VILLAGE = "village", "村级干部"

    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.CASCADE, related_name="help_assignments"
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="帮扶人",
        on_delete=models.PROTECT,
        related_name="help_assignments",
    )
    help_unit = models.ForeignKey(
        HelpUnit, verbose_name="帮扶单位", null=True, blank=True, on_delete=models.PROTECT
    )
    kind = models.CharField(
        "帮扶类型", max_length=20, choices=Kind.choices, default=Kind.RESPONSIBLE
    )
    level = models.CharField(
        "联系人层级", max_length=10, choices=Level.choices, blank=True, default=Level.NONE
    )
    started_on = models.DateField("结对日期")
    ended_on = models.DateField("解除日期", null=True, blank=True)
    # 三(八)1 "需调整的由原帮扶单位继续派出": a change of helper says why.
    reason = models.CharField("调整原因", max_length=300, blank=True)
    end_reason = models.CharField("解除原因", max_length=300, blank=True)
    # The latest visit to the household by this helper, whenever made. A subject's help
    # visit falls due from the latest visit by a currently paired helper (三(八)1), so the
    # visits due and the dashboards read it here, one row per pairing, instead of every
    # visit of every monitored household. Derived, never edited: assistance/signals.py keeps
    # it on every save or delete of a visit and when a pairing is made; not in the history.
    last_visited_on = models.DateField("最近走访日期", null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["last_visited_on"])

    class Meta:
        verbose_name = verbose_name_plural = "帮扶结对"
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "helper"],
                condition=models.Q(ended_on__isnull=True),
                name="assignment_one_open_per_pair",
            ),
        ]
        indexes = [
            models.Index(
                fields=["helper", "household"],
                condition=models.Q(ended_on__isnull=True),
                name="assignment_open_by_helper",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper} → {self.household}"


class MeasureKind(models.Model):
    """三(八)2 分层分类: the catalogue of measures, seeded from the clause, edited by the county."""

    class Group(models.TextChoices):
        INDUSTRY = "industry", "产业帮扶"
        EMPLOYMENT = "employment", "就业帮扶"
        PUBLIC_JOB = "public_job", "公益性岗位"
        SAFETY_NET = "safety_net", "兜底保障"
        HOUSING = "housing", "住房安全"
        WATER = "water", "饮水安全"
        HEALTH = "health", "健康帮扶"
        TEMPORARY_RELIEF = "temporary_relief", "临时救助"
        EDUCATION = "education", "教育帮扶"
        SOCIAL = "social", "社会帮扶"
        MICROCREDIT = "microcredit", "小额信贷"

    # 三(八)2 "有一定劳动能力的，可通过产业就业、公益性岗位增加收入": the development measures.
    DEVELOPMENT_GROUPS = (Group.INDUSTRY, Group.EMPLOYMENT, Group.PUBLIC_JOB)

    code = models.SlugField("代码", max_length=40, unique=True)
    group = models.CharField("措施大类", max_length=20, choices=Group.choices)
    name = models.CharField("措施名称", max_length=50, unique=True)
    description = models.CharField("说明", max_length=300, blank=True)
    # Practice since 2021: 小额信贷, 公益性岗位 contracts and 雨露计划 run to their own end after
    # the exit, while the other targeted measures stop (三(九) "逐步停止有关针对性帮扶措施").
    continues_after_exit = models.BooleanField("退出后继续执行", default=False)
    has_amount = models.BooleanField("涉及金额", default=False)
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "帮扶措施类型"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_development(self) -> bool:
        return self.group in self.DEVELOPMENT_GROUPS


class PlanState(models.TextChoices):
    DRAFT = "draft", "草拟中"
    ACTIVE = "active", "实施中"
    CLOSED = "closed", "已关闭"


OPEN_PLAN_STATES = [PlanState.DRAFT, PlanState.ACTIVE]


class AssistancePlan(FSMModelMixin, models.Model):
    """一户一方案 (三(八)1): what the household's help answers, who made it, when it is reviewed."""

    subject = models.ForeignKey(
        MonitoringSubject, verbose_name="监测对象", on_delete=models.PROTECT, related_name="plans"
    )
    state = FSMField("方案状态", default=PlanState.DRAFT, choices=PlanState.choices, protected=True)
    risk_types = models.ManyToManyField(RiskType, verbose_name="针对的风险", related_name="+")
    # 三(八)1 "针对监测对象的资源禀赋、真实意愿、自身能力和发展需求"
    resources = models.CharField("资源禀赋", max_length=300, blank=True)
    wishes = models.CharField("真实意愿", max_length=300, blank=True)
    abilities = models.CharField("自身能力", max_length=300, blank=True)
    needs = models.CharField("发展需求", max_length=300, blank=True)
    # 三(八)1 "由驻村工作队、镇村干部、帮扶人及帮扶单位共同制定"
    work_team = models.CharField("驻村工作队", max_length=200, blank=True)
    cadres = models.CharField("镇村干部", max_length=200, blank=True)
    helpers = models.CharField("帮扶人", max_length=200, blank=True)
    help_unit = models.ForeignKey(
        HelpUnit, verbose_name="帮扶单位", null=True, blank=True, on_delete=models.PROTECT
    )
    made_on = models.DateField("制定日期")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 三(八)2: a member who can work gets a development measure, unless this says why not.
    no_development_reason = models.CharField(
        "有劳动能力成员未安排产业就业措施的原因", max_length=300, blank=True
    )
    activated_on = models.DateField("确认日期", null=True, blank=True)
    reviewed_on = models.DateField("最近评估日期", null=True, blank=True)
    next_review_on = models.DateField("下次评估日期", null=True, blank=True, db_index=True)
    closed_on = models.DateField("关闭日期", null=True, blank=True)
    close_reason = models.CharField("关闭原因", max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[risk_types])

    class Meta:
        verbose_name = verbose_name_plural = "帮扶方案"
        ordering = ["-made_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(state__in=["draft", "active"]),
                name="plan_one_open_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject.household.head_name}户帮扶方案"

    @transition(field=state, source=PlanState.DRAFT, target=PlanState.ACTIVE)
    def activate(self, *, on, next_review_on) -> None:
        self.activated_on = on
        self.next_review_on = next_review_on

    @transition(field=state, source=PlanState.ACTIVE, target=PlanState.ACTIVE)
    def review(self, *, on, next_review_on) -> None:
        self.reviewed_on = on
        self.next_review_on = next_review_on

    @transition(field=state, source=OPEN_PLAN_STATES, target=PlanState.CLOSED)
    def close(self, *, on, reason) -> None:
        self.closed_on = on
        self.close_reason = reason
        self.next_review_on = None

    @transition(
        field=state,
        source=PlanState.CLOSED,
        target=RETURN_VALUE(PlanState.DRAFT, PlanState.ACTIVE),
    )
    def reopen(self, *, state, next_review_on) -> str:
        """三(九) 重新审核认定: a reverted exit reopens the plan it closed, in the state it was
        closed from (draft or active)."""
        self.closed_on = None
        self.close_reason = ""
        if state == PlanState.ACTIVE:
            self.next_review_on = next_review_on
        return state


class PlanReview(models.Model):
    """A review of an active plan (三(八)1 "及时掌握动态变化"), every N months of PolicySettings."""

    plan = models.ForeignKey(
        AssistancePlan, verbose_name="帮扶方案", on_delete=models.CASCADE, related_name="reviews"
    )
    reviewed_on = models.DateField("评估日期")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评估人", on_delete=models.PROTECT, related_name="+"
    )
    conclusion = models.CharField("评估结论", max_length=500)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "方案评估"
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.reviewed_on} 方案评估"


class MeasureState(models.TextChoices):
    PLANNED = "planned", "计划中"
    IN_PROGRESS = "in_progress", "实施中"
    DONE = "done", "已完成"
    STOPPED = "stopped", "已停止"


OPEN_MEASURE_STATES = [MeasureState.PLANNED, MeasureState.IN_PROGRESS]


class Measure(FSMModelMixin, models.Model):
    """一人一措施 (三(八)1): one measure of a plan, for one member or the whole household."""

    plan = models.ForeignKey(
        AssistancePlan, verbose_name="帮扶方案", on_delete=models.PROTECT, related_name="measures"
    )
    kind = models.ForeignKey(
        MeasureKind, verbose_name="措施类型", on_delete=models.PROTECT, related_name="measures"
    )
    # Empty: the measure is for the whole household.
    member = models.ForeignKey(
        Member,
        verbose_name="帮扶对象成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    description = models.CharField("措施内容", max_length=300, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name="责任部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    started_on = models.DateField("开始日期", null=True, blank=True)
    planned_end_on = models.DateField("计划完成日期", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    amount = models.DecimalField(
        "金额（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    state = FSMField(
        "措施状态", default=MeasureState.PLANNED, choices=MeasureState.choices, protected=True
    )
    result = models.CharField("帮扶成效", max_length=300, blank=True)
    stop_reason = models.CharField("停止原因", max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "帮扶措施"
        ordering = ["plan_id", "id"]
        indexes = [models.Index(fields=["kind", "state"], name="measure_kind_state")]

    def __str__(self) -> str:
        who = self.member.name if self.member_id else "全户"
        return f"{self.kind}（{who}）"

    @transition(field=state, source=MeasureState.PLANNED, target=MeasureState.IN_PROGRESS)
    def start(self, *, on) -> None:
        self.started_on = on

    @transition(field=state, source=MeasureState.IN_PROGRESS, target=MeasureState.DONE)
    def complete(self, *, on, result) -> None:
        self.ended_on = on
        if result:
            self.result = result

    @transition(field=state, source=OPEN_MEASURE_STATES, target=MeasureState.STOPPED)
    def stop(self, *, on, reason) -> None:
        self.ended_on = on
        self.stop_reason = reason

    @transition(
        field=state,
        source=MeasureState.STOPPED,
        target=RETURN_VALUE(MeasureState.PLANNED, MeasureState.IN_PROGRESS),
    )
    def resume(self, *, state) -> str:
        """三(九) 重新审核认定: a measure the reverted exit stopped runs again from the state
        it was stopped in."""
        self.ended_on = None
        self.stop_reason = ""
        return state


class HelpVisit(models.Model):
    """What a helper saw (三(八)1 "了解帮扶对象生产生活、产业发展及就业、教育、医疗、住房等保障情况"),
    attached to the registry's visit so that the household keeps one list of visits."""

    class IncomeChange(models.TextChoices):
        UP = "up", "增加"
        SAME = "same", "基本不变"
        DOWN = "down", "减少"

    visit = models.OneToOneField(
        Visit, verbose_name="走访记录", on_delete=models.CASCADE, related_name="help_visit"
    )
    subject = models.ForeignKey(
        MonitoringSubject,
        verbose_name="监测对象",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_visits",
    )
    income_change = models.CharField(
        "收入变化", max_length=10, choices=IncomeChange.choices, default=IncomeChange.SAME
    )
    income_note = models.CharField("收入情况", max_length=300, blank=True)
    # 两不愁三保障及饮水安全 (三(二)二), as the helper found them.
    food_clothing_ok = models.BooleanField("不愁吃不愁穿", default=True)
    education_ok = models.BooleanField("义务教育有保障", default=True)
    medical_ok = models.BooleanField("基本医疗有保障", default=True)
    housing_ok = models.BooleanField("住房安全有保障", default=True)
    water_ok = models.BooleanField("饮水安全有保障", default=True)
    new_risk_types = models.ManyToManyField(
        RiskType, verbose_name="新发现的风险", blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "帮扶走访"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"帮扶走访 {self.visit}"

    @property
    def problems(self) -> list[str]:
        return [
            self._meta.get_field(name).verbose_name
            for name in ("food_clothing_ok", "education_ok", "medical_ok", "housing_ok", "water_ok")
            if not getattr(self, name)
        ]


class MeasureProgress(models.Model):
    """A measure's progress as found on a visit; the measure itself is updated by its service."""

    help_visit = models.ForeignKey(
        HelpVisit, verbose_name="帮扶走访", on_delete=models.CASCADE, related_name="progress"
    )
    measure = models.ForeignKey(
        Measure, verbose_name="帮扶措施", on_delete=models.CASCADE, related_name="progress"
    )
    state_before = models.CharField("走访前状态", max_length=20, choices=MeasureState.choices)
    state_after = models.CharField("走访后状态", max_length=20, choices=MeasureState.choices)
    note = models.CharField("进展情况", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "措施进展"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["help_visit", "measure"], name="progress_one_per_visit_measure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure}：{self.get_state_after_display()}"
