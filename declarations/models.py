"""Self-declaration (一码申报 / 自主申报, 三(七)1 户申请): a household reports its own difficulty
from a phone page reached by its village's QR code, and the village answers within the year's
working-day limit by opening an identification case or by saying why not.

Transition methods only set fields on ``self``; ``declarations.services`` locks, checks and saves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from households.models import Household, RiskType
from identification.models import IdentificationCase
from organization.models import Village

# Short and unambiguous on a phone screen or read over the telephone: no 0/O, 1/I/L.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 8
NAME_MAX = 50
WORDS_MAX = 300
NOTE_MAX = 300


class State(models.TextChoices):
    # The labels are what the person sees when following their declaration up.
    RECEIVED = "received", "已受理（待核实）"
    CHECKING = "checking", "核实中"
    ACCEPTED = "accepted", "已纳入识别程序"
    DECLINED = "declined", "未纳入"


OPEN_STATES = [State.RECEIVED, State.CHECKING]


class DeclineReason(models.TextChoices):
    """Why a declaration did not enter the procedure: a category the declarant is told."""

    OUT_OF_SCOPE = "out_of_scope", "不属于识别范围"
    NO_RISK = "no_risk", "经核实无返贫致贫风险"
    ALREADY_MONITORED = "already_monitored", "已是监测对象"
    NOT_VERIFIABLE = "not_verifiable", "信息不实或无法核实"
    REFERRED = "referred", "已转其他救助渠道"
    OTHER = "other", "其他"


class PosterCode(models.Model):
    """The random token in a village's QR code: stable once printed, never derived from the
    village's id, so that nobody can walk the county's villages by counting."""

    village = models.OneToOneField(
        Village, verbose_name="村", on_delete=models.PROTECT, related_name="poster_code"
    )
    token = models.CharField("二维码标识", max_length=32, unique=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "申报二维码"
        ordering = ["village_id"]

    def __str__(self) -> str:
        return f"{self.village}申报二维码"


class Declaration(FSMModelMixin, models.Model):
    receipt_code = models.CharField("回执码", max_length=RECEIPT_LENGTH, unique=True)
    name = models.CharField("姓名", max_length=NAME_MAX)
    id_number = models.CharField("身份证号", max_length=18, db_index=True)
    phone = models.CharField("手机号", max_length=11)
    # The village the person chose, and the village that answers: the household's own village
    # when the ID number is in the registry (that village keeps its record), else the chosen one.
    declared_village = models.ForeignKey(
        Village, verbose_name="申报所填村", on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village, verbose_name="办理村", on_delete=models.PROTECT, related_name="declarations"
    )
    risk_types = models.ManyToManyField(RiskType, verbose_name="困难类型", related_name="+")
    words = models.TextField("困难情况", max_length=WORDS_MAX, blank=True)
    received_at = models.DateTimeField("申报时间", default=timezone.now, db_index=True)
    consented_at = models.DateTimeField("同意信息使用时间")
    # Fixed when received, from that year's limit: a later change of the policy does not move it.
    due_on = models.DateField("答复截止日期")
    state = FSMField(
        "办理状态", max_length=20, choices=State.choices, default=State.RECEIVED, protected=True
    )
    household = models.ForeignKey(
        Household,
        verbose_name="对应农户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    case = models.ForeignKey(
        IdentificationCase,
        verbose_name="识别申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="source_declarations",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Working days from the day received to the day answered, kept so the county's averages
    # per town are one aggregate.
    answer_working_days = models.PositiveSmallIntegerField(
        "答复用时（工作日）", null=True, blank=True
    )
    decline_reason = models.CharField(
        "未纳入原因", max_length=20, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.TextField("未纳入说明", max_length=NOTE_MAX, blank=True)
    history = HistoricalRecords(m2m_fields=[risk_types])

    class Meta:
        verbose_name = verbose_name_plural = "自主申报"
        ordering = ["-received_at", "-id"]
        constraints = [
            # A repeat for the same ID number while one is open is merged into it.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(state__in=OPEN_STATES),
                name="declaration_one_open_per_id_number",
            ),
        ]
        indexes = [models.Index(fields=["village", "state"], name="declaration_village_state")]

    def __str__(self) -> str:
        return f"{self.name}的自主申报（{self.receipt_code}）"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def public_status(self) -> str:
        """What the declarant is told: the state, and for a refusal its category only."""
        if self.state == State.DECLINED:
            return f"{State.DECLINED.label}（{self.get_decline_reason_display()}）"
        return self.get_state_display()

    # --- transitions: fields on self only -------------------------------------

    @transition(field=state, source=State.RECEIVED, target=State.CHECKING)
    def start_checking(self) -> None:
        pass

    @transition(field=state, source=OPEN_STATES, target=State.ACCEPTED)
    def accept(self, *, case: IdentificationCase, by, at, working_days: int) -> None:
        self.case = case
        self._answered(by, at, working_days)

    @transition(field=state, source=OPEN_STATES, target=State.DECLINED)
    def decline(self, *, reason: str, note: str, by, at, working_days: int) -> None:
        self.decline_reason = reason
        self.decline_note = note
        self._answered(by, at, working_days)

    def _answered(self, by, at, working_days: int) -> None:
        self.answered_by = by
        self.answered_at = at
        self.answer_working_days = working_days


class DeclarationRepeat(models.Model):
    """The same ID number declared again while its declaration was open: merged, kept as sent."""

    declaration = models.ForeignKey(
        Declaration, verbose_name="自主申报", on_delete=models.CASCADE, related_name="repeats"
    )
    received_at = models.DateTimeField("申报时间", default=timezone.now)
    name = models.CharField("姓名", max_length=NAME_MAX)
    phone = models.CharField("手机号", max_length=11, db_index=True)
    declared_village = models.ForeignKey(
        Village, verbose_name="申报所填村", on_delete=models.PROTECT, related_name="+"
    )
    risk_types = models.ManyToManyField(RiskType, verbose_name="困难类型", related_name="+")
    words = models.TextField("困难情况", max_length=WORDS_MAX, blank=True)
    history = HistoricalRecords(m2m_fields=[risk_types])

    class Meta:
        verbose_name = verbose_name_plural = "重复申报"
        ordering = ["declaration_id", "received_at", "id"]

    def __str__(self) -> str:
        return f"{self.declaration.receipt_code}的重复申报"
