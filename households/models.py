"""The registry (台账): households, members, income, monitoring subjects, visits."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.dispatch import Signal
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from organization.models import PolicySettings, Village, VillagerGroup

from . import id_numbers

MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(Decimal("0"))],
}


class Status2020(models.TextChoices):
    """The household's standing at the end of 2020, which decides 三(五)1-2."""

    POVERTY_ALLEVIATED = "poverty_alleviated", "脱贫户"
    DIBAO = "dibao", "低保户"
    TEKUN = "tekun", "特困户"
    SEVERE_DISABILITY = "severe_disability", "重度残疾人家庭"
    SERIOUS_ILLNESS = "serious_illness", "重病大病家庭"
    ORDINARY = "ordinary", "一般农户"


@dataclass(frozen=True)
class ScopeVerdict:
    """三(五) for one household: in scope or not, the clause that brings it in, and otherwise
    each condition it fails, in words a monitor can act on."""

    in_scope: bool
    because: str = ""
    missing: list[str] = field(default_factory=list)


# Where ``selectors.with_current_statuses`` leaves a household's open statuses.
CURRENT_STATUSES = "prefetched_current_statuses"


# A household was saved into another village. Sent by ``Household.save`` with ``household``
# after the save, inside its transaction; apps above that keep the household's village on
# their own rows (identification's cases) move their copy. Defined beside the model, since
# ``households.signals`` imports the services that import this module.
household_moved = Signal()


class Household(models.Model):
    village = models.ForeignKey(
        Village, verbose_name="村", on_delete=models.PROTECT, related_name="households"
    )
    group = models.ForeignKey(
        VillagerGroup,
        verbose_name="村民小组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    code = models.CharField("户编号", max_length=30, unique=True, null=True, blank=True)
    head_name = models.CharField("户主姓名", max_length=50)
    address = models.CharField("住址", max_length=200)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    registered_in_county = models.BooleanField("户籍在濉溪县", default=True)
    long_term_resident = models.BooleanField("在濉溪县长期居住", default=True)
    status_2020 = models.CharField(
        "2020年底身份", max_length=20, choices=Status2020.choices, default=Status2020.ORDINARY
    )
    # Kept in step with the newest income record by the income services, so
    # lists can filter "below the line" over 300,000 households with an index.
    latest_income_year = models.PositiveIntegerField(
        "最近收入年度", null=True, blank=True, editable=False
    )
    latest_per_capita_income = models.DecimalField(
        "最近人均纯收入", max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    below_income_line = models.BooleanField(
        "低于监测收入线", default=False, editable=False, db_index=True
    )
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "农户"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["village", "-id"], name="household_village_recent"),
            # The dashboards' count of households below the line per village, from the index
            # alone: only the few below the line have an entry.
            models.Index(
                fields=["village"],
                name="household_below_line_village",
                condition=models.Q(below_income_line=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.head_name}户（{self.village}）"

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        left = getattr(self, "_saved_village_id", self.village_id)
        moved = not adding and self.village_id != left
        super().save(*args, **kwargs)
        if adding:
            VillageHouseholdCount.add(self.village_id, 1)
        if moved:
            VillageHouseholdCount.add(left, -1)
            VillageHouseholdCount.add(self.village_id, 1)
            # The subjects keep the household's village (see MonitoringSubject.village), and
            # so do the apps above that keep it (identification's cases).
            self.monitoring_subjects.update(village_id=self.village_id)
            household_moved.send(sender=Household, household=self)
        self._saved_village_id = self.village_id

    @classmethod
    def from_db(cls, db, field_names, values):
        household = super().from_db(db, field_names, values)
        household._saved_village_id = household.__dict__.get("village_id")
        return household

    def clean(self) -> None:
        if self.group_id and self.village_id and self.group.village_id != self.village_id:
            raise ValidationError({"group": "村民小组不属于所选的村"})

    @property
    def status_2020_in_scope(self) -> bool:
        return self.status_2020 != Status2020.ORDINARY

    def current_low_income_statuses(self) -> list[LowIncomeStatus]:
        """The social-assistance statuses the household holds now (民政 低收入人口), oldest
        first; a list prefetches them (``selectors.with_current_statuses``) to save a query
        per row."""
        statuses = getattr(self, CURRENT_STATUSES, None)
        if statuses is None:
            statuses = list(self.low_income_statuses.filter(ended_on__isnull=True))
        return sorted(statuses, key=lambda s: (s.started_on, s.pk or 0))

    def in_identification_scope(self, policy: PolicySettings | None = None) -> bool:
        """三(五): registered in Suixi and living there, and one of 1-3."""
        return self.identification_scope(policy).in_scope

    def identification_scope(self, policy: PolicySettings | None = None) -> ScopeVerdict:
        """三(五) with its reasons: registered in Suixi and living there long term, and
        1. a 脱贫户 at the end of 2020, 2. a 低保, 特困, 重度残疾 or 重病大病 household at the end
        of 2020, or 3. per-person income below the rural minimum living standard. A member
        falling ill now does not change 1-2 (they are the standing at the end of 2020).

        3 also takes in a household that is 低保 or 特困 now (the civil-affairs roster): 民政
        granted it because its income is below the minimum living standard. 低保边缘 and
        刚性支出困难 lie above that standard, so they alone bring nobody in."""
        missing = []
        if not self.registered_in_county:
            missing.append("户籍不在濉溪县")
        if not self.long_term_resident:
            missing.append("未在濉溪县长期居住")
        current = self.current_low_income_statuses()
        assisted = next((s for s in current if s.kind in LowIncomeStatus.IN_SCOPE_KINDS), None)
        if self.status_2020 == Status2020.POVERTY_ALLEVIATED:
            because = "三(五)1：截至2020年底为建档立卡脱贫户"
        elif self.status_2020_in_scope:
            because = f"三(五)2：截至2020年底为{self.get_status_2020_display()}"
        elif assisted is not None:
            because = (
                f"三(五)3：现为{assisted.get_kind_display()}户（{assisted.started_label}），"
                "民政认定低于农村低保标准"
            )
        elif self.below_minimum_living_standard(policy):
            monthly = (self.latest_per_capita_income / 12).quantize(Decimal("0.01"))
            because = (
                f"三(五)3：{self.latest_income_year}年人均纯收入折合每月{monthly}元，"
                "低于农村低保标准"
            )
        else:
            because = ""
            missing.append("2020年底身份为一般农户，不属于三(五)1、2")
            missing.append(
                "三(五)3：现非低保户、特困户"
                + "".join(f"（现为{s.get_kind_display()}户，{s.started_label}）" for s in current)
            )
            if self.latest_per_capita_income is None:
                missing.append("三(五)3：尚未登记收入，无法判断是否低于农村低保标准")
            else:
                policy = policy or PolicySettings.for_year(self.latest_income_year)
                monthly = (self.latest_per_capita_income / 12).quantize(Decimal("0.01"))
                missing.append(
                    f"三(五)3：{self.latest_income_year}年人均纯收入"
                    f"{self.latest_per_capita_income}元，折合每月{monthly}元，"
                    f"不低于农村低保标准{policy.minimum_living_standard.normalize():f}元/月"
                )
        return ScopeVerdict(
            in_scope=bool(because) and len(missing) == 0, because=because, missing=missing
        )

    def below_minimum_living_standard(self, policy: PolicySettings | None = None) -> bool:
        """三(五)3: per-person monthly income below the rural minimum living standard (641 元)."""
        if self.latest_per_capita_income is None:
            return False
        policy = policy or PolicySettings.for_year(self.latest_income_year)
        return self.latest_per_capita_income / 12 < policy.minimum_living_standard


class LowIncomeStatus(models.Model):
    """A social-assistance status the household holds or held (农村低收入人口, 民政): 低保,
    特困, 低保边缘 or 刚性支出困难, from ``started_on`` until ``ended_on``.

    ``ended_on`` is the first day the household no longer holds the status: a roster of
    month M that no longer lists the household ends it on the 1st of M (it held the status
    until the day before). Rows are never deleted: a status that ends and comes back is a new
    row, and ``status_2020`` (the standing at the end of 2020) is kept beside them.
    """

    class Kind(models.TextChoices):
        DIBAO = "dibao", "低保"
        TEKUN = "tekun", "特困"
        MARGINAL = "dibao_marginal", "低保边缘"
        RIGID_EXPENSE = "rigid_expense", "刚性支出困难"

    class Source(models.TextChoices):
        ROSTER = "roster", "民政名册"
        MANUAL = "manual", "手工录入"

    # 三(五)3: 民政 grants these two below the rural minimum living standard.
    IN_SCOPE_KINDS = frozenset({Kind.DIBAO, Kind.TEKUN})

    household = models.ForeignKey(
        Household,
        verbose_name="农户",
        on_delete=models.PROTECT,
        related_name="low_income_statuses",
    )
    kind = models.CharField("救助类别", max_length=20, choices=Kind.choices)
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    # Which roster upload (department, month, file and number) or who entered it by hand.
    # A text, not a key: the uploads live in early_warnings, above this app.
    source_label = models.CharField("来源说明", max_length=200, blank=True)
    ended_source = models.CharField("终止来源", max_length=10, choices=Source.choices, blank=True)
    ended_label = models.CharField("终止说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "低收入人口身份"
        ordering = ["household_id", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=models.Q(ended_on__isnull=True),
                name="low_income_one_open_status_per_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="low_income_status_ends_after_start",
            ),
        ]
        indexes = [
            # The list of the low-income population reads the open statuses of one kind.
            models.Index(
                fields=["kind", "household"],
                name="low_income_open_kind",
                condition=models.Q(ended_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.period_label}）"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    @property
    def started_label(self) -> str:
        return f"{self.started_on.year}年{self.started_on.month}月起"

    @property
    def period_label(self) -> str:
        if self.ended_on is None:
            return self.started_label
        return f"{self.started_on:%Y-%m-%d}至{self.ended_on:%Y-%m-%d}终止"


class Member(models.Model):
    class Relation(models.TextChoices):
        HEAD = "head", "户主"
        SPOUSE = "spouse", "配偶"
        SON = "son", "之子"
        DAUGHTER = "daughter", "之女"
        DAUGHTER_IN_LAW = "daughter_in_law", "之儿媳"
        SON_IN_LAW = "son_in_law", "之女婿"
        GRANDSON = "grandson", "之孙子"
        GRANDDAUGHTER = "granddaughter", "之孙女"
        FATHER = "father", "之父"
        MOTHER = "mother", "之母"
        SIBLING = "sibling", "兄弟姐妹"
        OTHER = "other", "其他"

    class Labour(models.TextChoices):
        SKILLED = "skilled", "技能劳动力"
        ORDINARY = "ordinary", "普通劳动力"
        WEAK = "weak", "弱劳动力或半劳动力"
        LOST = "lost", "丧失劳动力"
        NONE = "none", "无劳动力"

    class Health(models.TextChoices):
        HEALTHY = "healthy", "健康"
        CHRONIC = "chronic", "长期慢性病"
        SERIOUS = "serious", "患有大病"
        DISABLED = "disabled", "残疾"

    class Disability(models.TextChoices):
        NONE = "", "无"
        GRADE_1 = "1", "一级"
        GRADE_2 = "2", "二级"
        GRADE_3 = "3", "三级"
        GRADE_4 = "4", "四级"

    class Schooling(models.TextChoices):
        NOT_APPLICABLE = "", "非在校生"
        PRESCHOOL = "preschool", "学前教育"
        PRIMARY = "primary", "小学"
        JUNIOR = "junior", "初中"
        SENIOR = "senior", "高中"
        VOCATIONAL = "vocational", "中职"
        HIGHER = "higher", "大专及以上"
        DROPPED_OUT = "dropped_out", "义务教育阶段失学辍学"

    class Sex(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    relation = models.CharField("与户主关系", max_length=20, choices=Relation.choices)
    labour_capacity = models.CharField(
        "劳动能力", max_length=20, choices=Labour.choices, default=Labour.ORDINARY
    )
    health = models.CharField(
        "健康状况", max_length=20, choices=Health.choices, default=Health.HEALTHY
    )
    disability_grade = models.CharField(
        "残疾等级", max_length=2, choices=Disability.choices, blank=True, default=""
    )
    schooling = models.CharField(
        "在校生状况", max_length=20, choices=Schooling.choices, blank=True, default=""
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relation="head"),
                name="member_one_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.id_number:
            try:
                self.id_number = id_numbers.normalize_id_number(self.id_number)
            except ValidationError as error:
                raise ValidationError({"id_number": error.messages}) from None
            self.derive_from_id_number()
        if self.health == self.Health.DISABLED and not self.disability_grade:
            raise ValidationError({"disability_grade": "健康状况为残疾时请选择残疾等级"})

    def derive_from_id_number(self) -> None:
        self.sex = id_numbers.sex(self.id_number)
        self.birth_date = id_numbers.birth_date(self.id_number)

    @property
    def masked_id_number(self) -> str:
        return id_numbers.mask(self.id_number)


class IncomeRecord(models.Model):
    """A household's yearly income and rigid expenses (三(二)一 收入支出状况)."""

    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.CASCADE, related_name="income_records"
    )
    year = models.PositiveIntegerField(
        "年度", validators=[MinValueValidator(2015), MaxValueValidator(2100)]
    )
    household_size = models.PositiveSmallIntegerField("家庭人口", validators=[MinValueValidator(1)])
    wage_income = models.DecimalField("工资性收入", **MONEY)
    business_income = models.DecimalField("生产经营性收入", **MONEY)
    property_income = models.DecimalField("财产性收入", **MONEY)
    transfer_income = models.DecimalField("转移性收入", **MONEY)
    medical_expense = models.DecimalField("医疗刚性支出", **MONEY)
    education_expense = models.DecimalField("教育刚性支出", **MONEY)
    other_expense = models.DecimalField("其他刚性支出", **MONEY)
    per_capita_net_income = models.DecimalField(
        "人均纯收入", max_digits=12, decimal_places=2, editable=False
    )
    note = models.CharField("备注", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "收入记录"
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"], name="income_one_per_household_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年"

    @property
    def total_income(self) -> Decimal:
        return self.wage_income + self.business_income + self.property_income + self.transfer_income

    @property
    def rigid_expense(self) -> Decimal:
        return self.medical_expense + self.education_expense + self.other_expense

    def compute_per_capita(self) -> Decimal:
        """Net income = all income less rigid expenses, per person (三(六)一)."""
        net = (self.total_income - self.rigid_expense) / Decimal(self.household_size)
        return net.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def income_line(self) -> Decimal:
        return PolicySettings.for_year(self.year).income_line

    @property
    def below_line(self) -> bool:
        return self.per_capita_net_income < self.income_line


class VillageHouseholdCount(models.Model):
    """How many households each village has, so that the dashboards read one row per village
    instead of counting the county's 300,000 households on every view (bench/README.md).

    Kept in the transaction of every household written: ``Household.save`` adds one on a new
    household and moves one on a change of village, and a delete takes one away
    (households/signals.py), each an ``UPDATE … SET households = households + 1`` that waits
    for a concurrent one on the same village, so none is lost; a village without a row yet is
    counted from its households. Bulk loads (the demo) and the daily task
    ``households.recount_villages`` recount from the households themselves. A plain integer,
    not a positive one: a count that went wrong behind the system's back must not make a
    household's delete fail; the recount puts it right.
    """

    village = models.OneToOneField(
        Village, verbose_name="村", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    households = models.IntegerField("农户数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "各村农户数"

    def __str__(self) -> str:
        return f"{self.village_id}: {self.households}"

    @classmethod
    def add(cls, village_id: int, delta: int) -> None:
        if not cls.objects.filter(village_id=village_id).update(
            households=models.F("households") + delta
        ):
            cls.recount([village_id])  # a village counted for the first time

    @classmethod
    def recount(cls, village_ids: list[int] | None = None) -> int:
        """Count ``village_ids``' households again (every village's when ``None``); answers
        how many villages' figures were wrong."""
        villages = Village.objects.all()
        if village_ids is not None:
            villages = villages.filter(pk__in=village_ids)
        counts = dict(
            Household.objects.filter(village__in=villages)
            .order_by()
            .values("village_id")
            .annotate(n=models.Count("*"))
            .values_list("village_id", "n")
        )
        kept = dict(
            cls.objects.filter(village__in=villages).values_list("village_id", "households")
        )
        rows = [
            cls(village_id=pk, households=counts.get(pk, 0))
            for pk in villages.values_list("pk", flat=True)
        ]
        wrong = [row for row in rows if kept.get(row.village_id, 0) != row.households]
        cls.objects.bulk_create(
            wrong, update_conflicts=True, unique_fields=["village"], update_fields=["households"]
        )
        return len(wrong)


class RiskType(models.Model):
    """三(二): 因病、因残、因学、因灾、因意外事故、因产业失败、因就业不稳…"""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "风险类型"
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class MonitoringSubject(FSMModelMixin, models.Model):
    """A household under monitoring (监测对象, 三(一)); created when the county files it."""

    class Category(models.TextChoices):
        UNSTABLE = "unstable", "脱贫不稳定户"
        MARGINAL = "marginal", "边缘易致贫户"
        SUDDEN = "sudden", "突发严重困难户"

    class Status(models.TextChoices):
        MONITORING = "monitoring", "监测中"
        ELIMINATED = "eliminated", "风险已消除"

    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="monitoring_subjects"
    )
    # The household's village, copied when the subject is saved first and whenever the
    # household moves (Household.save): the dashboards count the county's subjects per
    # village from this table alone, without joining all 300,000 households (bench/README.md).
    village = models.ForeignKey(
        Village, verbose_name="村", on_delete=models.PROTECT, related_name="+", editable=False
    )
    category = models.CharField("监测对象类别", max_length=20, choices=Category.choices)
    risk_types = models.ManyToManyField(RiskType, verbose_name="风险类型", related_name="subjects")
    started_on = models.DateField("纳入监测日期")
    status = FSMField("监测状态", default=Status.MONITORING, choices=Status.choices, protected=True)
    ended_on = models.DateField("风险消除日期", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    # 三(七)7: the county's announcement that filed the household, e.g. 〔2021〕3号 (blank for a
    # subject entered directly by the bureau, monitored before the system).
    announcement = models.CharField("备案公告", max_length=30, blank=True)
    # The day the next help visit is counted from (三(八)1 定期上门走访): the latest visit by a
    # helper paired with the household now, else the start of the earliest open pairing,
    # else ``started_on``. Derived, never edited: the help app (assistance/signals.py) keeps
    # it on every save or delete of a visit, a pairing, a plan or the subject, so the county's
    # overdue count is one range scan of the monitored subjects (bench/README.md); a new
    # subject starts from ``started_on`` until then. Not in the history.
    help_due_basis = models.DateField("帮扶走访起算日", editable=False)
    # Whether a helper is paired with the household now, and whether the subject's plan is
    # active (三(八)1 一户一方案): kept by the help app in the same way, so that the dashboards'
    # help coverage reads this table alone.
    help_paired = models.BooleanField("已结对帮扶", default=False, editable=False)
    help_plan_active = models.BooleanField("有实施中方案", default=False, editable=False)
    history = HistoricalRecords(
        m2m_fields=[risk_types],
        excluded_fields=["help_due_basis", "help_paired", "help_plan_active"],
    )

    class Meta:
        verbose_name = verbose_name_plural = "监测对象"
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status="monitoring"),
                name="subject_one_open_per_household",
            ),
        ]
        indexes = [
            # The dashboards' overdue help visits per village: a range of this index alone.
            models.Index(
                fields=["help_due_basis", "village"],
                condition=models.Q(status="monitoring"),
                name="subject_help_due",
            ),
            # The dashboards' monitored subjects by category and their help coverage per
            # village, from this index alone.
            models.Index(
                fields=["village", "category", "help_plan_active", "help_paired"],
                condition=models.Q(status="monitoring"),
                name="subject_monitored_by_village",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.head_name}户（{self.get_category_display()}）"

    def save(self, *args, **kwargs) -> None:
        if self.village_id is None and self.household_id is not None:
            self.village_id = self.household.village_id
        if self.help_due_basis is None:
            self.help_due_basis = self.started_on
        super().save(*args, **kwargs)

    @transition(field=status, source=Status.MONITORING, target=Status.ELIMINATED)
    def eliminate_risk(self, *, on) -> None:
        """三(九): marked out when the risk is gone; the exit procedure calls this."""
        self.ended_on = on

    @transition(field=status, source=Status.ELIMINATED, target=Status.MONITORING)
    def reinstate(self) -> None:
        """三(九) 重新审核认定: the exit was wrong, so the subject is monitored again."""
        self.ended_on = None


class Visit(models.Model):
    """走访 (人防, 三(四)1), with the 六个必访 as reasons."""

    class Reason(models.TextChoices):
        DISASTER = "disaster", "遭遇重大自然灾害户"
        FAMILY_CHANGE = "family_change", "家庭重大变故户"
        SUDDEN_ILLNESS = "sudden_illness", "家庭突发重病户"
        ELDERLY_ALONE = "elderly_alone", "独居老人户"
        SEVERE_DISABILITY = "severe_disability", "重度残疾人户"
        INDUSTRY_FAILURE = "industry_failure", "产业发展失败户"
        ROUTINE = "routine", "常态化走访"

    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.CASCADE, related_name="visits"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="走访人",
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = models.DateField("走访日期")
    reason = models.CharField(
        "走访事由", max_length=20, choices=Reason.choices, default=Reason.ROUTINE
    )
    findings = models.TextField("走访情况")
    risk_found = models.BooleanField("发现返贫致贫风险", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_reason_display()}"
