"""The 组织体系 of 二: towns and parks, villages, departments, help units, users.

Every user has one role and the scope that role needs; ``organization.selectors``
turns that into querysets, once per model.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from .working_days import add_working_days


class Town(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", "镇"
        PARK = "park", "园区"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.TOWN)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "镇（园区）"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    town = models.ForeignKey(
        Town, verbose_name="镇（园区）", on_delete=models.PROTECT, related_name="villages"
    )
    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    # 二: the 205 villages with a poverty-alleviation task have a 扶贫专干 as monitor.
    has_poverty_task = models.BooleanField("有扶贫开发任务", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "村（社区）"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="village_unique_name_in_town")
        ]

    def __str__(self) -> str:
        return self.name


class VillagerGroup(models.Model):
    village = models.ForeignKey(
        Village, verbose_name="村", on_delete=models.PROTECT, related_name="groups"
    )
    name = models.CharField("名称", max_length=50)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "村民小组"
        ordering = ["village_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="group_unique_name_in_village")
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """One of the sixteen departments whose data make the 大数据库 of 三(四)2."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    short_name = models.CharField("简称", max_length=10, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "县直部门"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class HelpUnit(models.Model):
    """帮扶单位: a unit that sends helpers and work teams (三(八)1)."""

    name = models.CharField("名称", max_length=100, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "帮扶单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    VILLAGE_MONITOR = "village_monitor", "村防贫监测员"
    TOWN_OFFICIAL = "town_official", "镇（园区）干部"
    COUNTY_BUREAU = "county_bureau", "县扶贫局"
    DEPARTMENT_STAFF = "department_staff", "县直部门"
    HELPER = "helper", "帮扶责任人"


class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    phone = models.CharField("手机号", max_length=20, blank=True)
    village = models.ForeignKey(
        Village,
        verbose_name="所在村",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    town = models.ForeignKey(
        Town,
        verbose_name="所在镇（园区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所在部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    help_unit = models.ForeignKey(
        HelpUnit,
        verbose_name="帮扶单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    # Set when an account is created or its password reset: the one-time password handed
    # over in person must be replaced before anything else (organization/middleware.py).
    must_change_password = models.BooleanField("须修改密码", default=False)

    objects = UserManager()
    # Role and scope decide what a user may see: every change to them is kept.
    # Sign-ins only touch last_login and write no history (see apps.py).
    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_scope_matches_role",
                condition=(
                    models.Q(role=Role.VILLAGE_MONITOR, village__isnull=False)
                    | models.Q(role=Role.TOWN_OFFICIAL, town__isnull=False)
                    | models.Q(role=Role.DEPARTMENT_STAFF, department__isnull=False)
                    | models.Q(role__in=[Role.COUNTY_BUREAU, Role.HELPER])
                ),
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs) -> None:
        # ``set_password`` keeps the new raw password until the save: any new password (the
        # person's own, an editor's reset, the admin's form, ``manage.py changepassword``) ends
        # every API token of the account, in the same transaction.
        password_changed = self.pk is not None and self._password is not None
        super().save(*args, **kwargs)
        if password_changed:
            from .tokens import revoke_tokens

            revoke_tokens(self)

    def get_full_name(self) -> str:
        # Chinese names are family name first, with no space.
        return f"{self.last_name}{self.first_name}".strip()

    def clean(self) -> None:
        super().clean()
        needed = {
            Role.VILLAGE_MONITOR: ("village", "村防贫监测员必须指定所在村"),
            Role.TOWN_OFFICIAL: ("town", "镇（园区）干部必须指定所在镇（园区）"),
            Role.DEPARTMENT_STAFF: ("department", "县直部门人员必须指定所在部门"),
        }.get(self.role)
        if needed and not getattr(self, f"{needed[0]}_id"):
            raise ValidationError({needed[0]: needed[1]})
        if self.role == Role.VILLAGE_MONITOR and self.village_id:
            # A monitor's town follows from the village, so town-wide reads work for them too.
            self.town_id = self.village.town_id

    @property
    def is_county(self) -> bool:
        return self.role == Role.COUNTY_BUREAU

    @property
    def can_see_full_id_numbers(self) -> bool:
        """Roles that enter, check or compare people by ID number see it whole; others see it masked."""
        return self.role in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}

    @cached_property
    def scope_label(self) -> str:
        """The area the user works in: from relations already loaded (admin lists select them),
        else one query at most, for the user's own role only."""
        match self.role:
            case Role.COUNTY_BUREAU:
                return "濉溪县"
            case Role.VILLAGE_MONITOR if self.village_id:
                if self._loaded("village") and Village.town.is_cached(self.village):
                    return f"{self.village.town.name}{self.village.name}"
                names = Village.objects.filter(pk=self.village_id).values_list("town__name", "name")
                return "".join(next(iter(names), ("", "")))
            case Role.TOWN_OFFICIAL | Role.DEPARTMENT_STAFF | Role.HELPER:
                name = {
                    Role.TOWN_OFFICIAL: "town",
                    Role.DEPARTMENT_STAFF: "department",
                    Role.HELPER: "help_unit",
                }[self.role]
                if getattr(self, f"{name}_id") is None:
                    return "帮扶户" if self.role == Role.HELPER else ""
                if self._loaded(name):
                    return getattr(self, name).name
                model = self._meta.get_field(name).related_model
                return (
                    model.objects.filter(pk=getattr(self, f"{name}_id"))
                    .values_list("name", flat=True)
                    .first()
                    or ""
                )
        return ""

    def _loaded(self, name: str) -> bool:
        return self._meta.get_field(name).is_cached(self)


class IdentificationProcedure(models.TextChoices):
    """The identification procedures a year may follow; their steps are tables in
    ``identification/procedures.py``."""

    SUIXI_2021 = "suixi_2021", "2021年濉溪县识别程序（七步）"
    ANHUI_2024 = "anhui_2024", "2024年安徽省识别程序（六步）"


class PolicySettings(models.Model):
    """Every threshold of the policy, per year, each field with its clause.

    三(六): "国家、安徽省、淮北市对监测标准另有规定的，将按有关标准执行" — the
    numbers are data edited by the county bureau, never constants in code.
    """

    year = models.PositiveIntegerField(
        "年度", unique=True, validators=[MinValueValidator(2021), MaxValueValidator(2100)]
    )
    # 三(六)一: 1.5 x the poverty line.
    income_line = models.DecimalField(
        "监测收入线（元/人·年）", max_digits=10, decimal_places=2, default=Decimal("6000")
    )
    # 三(五)3
    minimum_living_standard = models.DecimalField(
        "农村低保标准（元/人·月）", max_digits=10, decimal_places=2, default=Decimal("641")
    )
    # 三(七)2: 核查组成员不得少于2人
    home_check_team_min = models.PositiveSmallIntegerField(
        "入户核查组最少人数", default=2, validators=[MinValueValidator(1)]
    )
    # 三(七)3: 应参会人员三分之二以上到会的会议有效. Kept as a fraction so that exactly
    # two thirds (4 of 6) is met: a decimal 0.6667 would refuse it.
    quorum_numerator = models.PositiveSmallIntegerField(
        "评议会有效到会比例（分子）", default=2, validators=[MinValueValidator(1)]
    )
    quorum_denominator = models.PositiveSmallIntegerField(
        "评议会有效到会比例（分母）", default=3, validators=[MinValueValidator(1)]
    )
    # 三(七)3: 得赞成意见超过参会人数半数的为评议通过
    pass_numerator = models.PositiveSmallIntegerField(
        "评议通过须超过到会人数的比例（分子）", default=1, validators=[MinValueValidator(1)]
    )
    pass_denominator = models.PositiveSmallIntegerField(
        "评议通过须超过到会人数的比例（分母）", default=2, validators=[MinValueValidator(1)]
    )
    # 三(七) as the county runs it in the year: the 2021 plan's seven steps, or Anhui's 2024
    # procedure (no group deliberation, the comparison during the village publicity, 县级审定公告).
    # A case keeps the procedure of the year it was applied in (``IdentificationCase.procedure``).
    identification_procedure = models.CharField(
        "识别程序",
        max_length=20,
        choices=IdentificationProcedure.choices,
        default=IdentificationProcedure.SUIXI_2021,
    )
    # 三(七)5
    village_publicity_days = models.PositiveSmallIntegerField(
        "村公示天数", default=7, validators=[MinValueValidator(1)]
    )
    # 三(七)6: 时间不少于7天
    town_publicity_days = models.PositiveSmallIntegerField(
        "镇公示天数", default=7, validators=[MinValueValidator(1)]
    )
    # Anhui's 2022 一码申报 rules, counted in working days on the official calendar
    # (organization.working_days) from the application: 入户核查须在申请后2个工作日内完成,
    # 识别须在申请后20个工作日内办结 (the publicities' calendar days count inside them).
    home_check_working_days = models.PositiveSmallIntegerField(
        "入户核查时限（申请后工作日）", default=2, validators=[MinValueValidator(1)]
    )
    identification_working_days = models.PositiveSmallIntegerField(
        "识别办结时限（申请后工作日）", default=20, validators=[MinValueValidator(1)]
    )
    # A limit turns orange (临期) this many working days before its last day, red after it.
    clock_warn_working_days = models.PositiveSmallIntegerField(
        "临期提醒（到期前工作日）", default=3, validators=[MaxValueValidator(60)]
    )
    # 三(四)2: 每月10日前提供本部门预警信息，每月15日前反馈到镇村核实
    warning_due_day = models.PositiveSmallIntegerField(
        "部门预警报送截止日（每月）",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    warning_push_day = models.PositiveSmallIntegerField(
        "预警反馈镇村截止日（每月）",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    warning_reminder_days = models.PositiveSmallIntegerField("截止前提醒天数", default=3)
    warning_verify_days = models.PositiveSmallIntegerField(
        "预警核实时限（推送后天数）", default=7, validators=[MinValueValidator(1)]
    )
    # Whether ``warning_verify_days`` counts working days (the 一码申报 way) or calendar days.
    warning_verify_working_days = models.BooleanField("预警核实时限按工作日计算", default=False)
    # 三(九): 对错退率超过2%的镇，需重新审核认定
    wrong_exit_limit = models.DecimalField(
        "错退率上限（%）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    # 三(八)1 "帮扶责任人要定期上门走访": the policy says 定期; the county sets how often.
    help_visit_interval_days = models.PositiveSmallIntegerField(
        "帮扶走访间隔（天）", default=30, validators=[MinValueValidator(1)]
    )
    # 三(八)1 "及时掌握动态变化，及时落实帮扶措施": each plan is reviewed this often.
    plan_review_months = models.PositiveSmallIntegerField(
        "帮扶方案评估周期（月）",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    # 三(十) "退出工作每半年开展一次": the months the two rounds open, and for how long the
    # villages may propose.
    exit_round_first_month = models.PositiveSmallIntegerField(
        "上半年退出批次开启月份",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    exit_round_second_month = models.PositiveSmallIntegerField(
        "下半年退出批次开启月份",
        default=12,
        validators=[MinValueValidator(7), MaxValueValidator(12)],
    )
    exit_round_open_days = models.PositiveSmallIntegerField(
        "退出批次申报天数", default=30, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    # 三(九) "镇组织评估公示": the town's exit publicity, at least 7 days as in 三(七)6.
    exit_publicity_days = models.PositiveSmallIntegerField(
        "退出镇公示天数", default=7, validators=[MinValueValidator(1)]
    )
    # 三(九): a proposal needs a recent home visit to show the risk is gone.
    exit_visit_within_days = models.PositiveSmallIntegerField(
        "退出前须有走访（天内）", default=30, validators=[MinValueValidator(1)]
    )
    # 三(九) 抽查评估: the share of each town's exits drawn, at least a minimum (all if fewer).
    spot_check_percent = models.PositiveSmallIntegerField(
        "抽查比例（%）", default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    spot_check_min = models.PositiveSmallIntegerField(
        "每镇最少抽查户数", default=3, validators=[MinValueValidator(1)]
    )
    # 三(七)1 户申请, by self-declaration (一码申报): the village answers a declaration within
    # this many working days (Anhui's 2022 rule: 2), counted on the official calendar.
    declaration_answer_working_days = models.PositiveSmallIntegerField(
        "自主申报答复时限（工作日）",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "政策参数"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="policy_push_after_due",
                condition=models.Q(warning_push_day__gt=models.F("warning_due_day")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度政策参数"

    def clean(self) -> None:
        if (
            self.quorum_numerator
            and self.quorum_denominator
            and self.quorum_numerator > self.quorum_denominator
        ):
            raise ValidationError({"quorum_numerator": "到会比例不能超过1"})
        if (
            self.pass_numerator
            and self.pass_denominator
            and self.pass_numerator >= self.pass_denominator
        ):
            raise ValidationError({"pass_numerator": "通过比例必须小于1"})
        if (
            self.warning_push_day is not None
            and self.warning_due_day is not None
            and self.warning_push_day <= self.warning_due_day
        ):
            raise ValidationError({"warning_push_day": "反馈镇村截止日必须晚于部门报送截止日"})
        if (
            self.home_check_working_days is not None
            and self.identification_working_days is not None
            and self.home_check_working_days > self.identification_working_days
        ):
            raise ValidationError(
                {"home_check_working_days": "入户核查时限不能超过识别办结时限（均自申请日起算）"}
            )

    def quorum_met(self, *, expected: int, present: int) -> bool:
        """三(七)3: the meeting is valid when at least the quorum fraction of those who should attend came."""
        return present * self.quorum_denominator >= expected * self.quorum_numerator

    def deliberation_passes(self, *, present: int, approvals: int) -> bool:
        """三(七)3: approvals must be more than the pass fraction of those present."""
        return approvals * self.pass_denominator > present * self.pass_numerator

    def warning_verify_due_on(self, pushed_on: datetime.date) -> datetime.date:
        """三(四)2: the last day to verify a warning pushed on ``pushed_on``, in calendar or
        working days as the year says."""
        if self.warning_verify_working_days:
            return add_working_days(pushed_on, self.warning_verify_days)
        return pushed_on + datetime.timedelta(days=self.warning_verify_days)

    @property
    def quorum_label(self) -> str:
        return f"{self.quorum_numerator}/{self.quorum_denominator}"

    @classmethod
    def for_year(cls, year: int) -> PolicySettings:
        """The row for ``year``; else the latest earlier year; else the policy's defaults (unsaved)."""
        row = cls.objects.filter(year__lte=year).order_by("-year").first()
        return row or cls(year=year)

    @classmethod
    def current(cls, today: datetime.date | None = None) -> PolicySettings:
        return cls.for_year((today or timezone.localdate()).year)


class Notification(models.Model):
    """An in-app message for one user; the header shows the unread count."""

    recipient = models.ForeignKey(
        User, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField("内容", max_length=500)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message


class DepartmentContact(models.Model):
    """A person to call at a department (三(四)2: the departments that send warnings), kept by
    the county bureau for the 部门通讯录."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30)
    order = models.PositiveSmallIntegerField("排序", default=0, help_text="数字小的排在前面")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "部门联系人"
        ordering = ["department_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.department.short_name} {self.name}"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("个人信息查阅记录只能新增，不能修改")

    def delete(self):
        raise PermissionError("个人信息查阅记录只能新增，不能删除")


class AuditEntry(models.Model):
    """Who saw personal data, when and which: every export or download of it and every
    search by ID number (``organization.audit.record_access``). Append-only: the app never
    changes or deletes an entry; the county bureau reviews them (/audit-log/, /api/audit-log/)."""

    class Kind(models.TextChoices):
        EXPORT = "export", "导出名单"
        DOWNLOAD = "download", "下载文件"
        ID_SEARCH = "id_search", "按身份证号查询"
        COMPARISON = "comparison", "查看比对数据"

    user = models.ForeignKey(
        User, verbose_name="查阅人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    what = models.CharField("查阅内容", max_length=200)
    detail = models.CharField("查询条件或文件名", max_length=200, blank=True)
    rows = models.PositiveIntegerField("行数", null=True, blank=True)
    path = models.CharField("页面或接口", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("IP地址", null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "个人信息查阅记录"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "at"], name="audit_user_at"),
            models.Index(fields=["kind", "at"], name="audit_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.what}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("个人信息查阅记录只能新增，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("个人信息查阅记录只能新增，不能删除")
