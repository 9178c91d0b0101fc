"""The identification case: 户申请、村初核、镇审定、县备案 (三(七)) as a state machine.

Transition methods only set fields on ``self``; the services in
``identification.services`` lock the row, check the policy's rule, call the
transition, save with the actor in the history, and record the step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from households.models import Household, Member, MonitoringSubject, RiskType
from organization.models import IdentificationProcedure, Village
from organization.working_days import Clock

from ..procedures import Procedure, procedure_for
from ..states import OPEN_STATES, PUBLICIZING_STATES, STEP_ORDER, CaseState

__all__ = [
    "OPEN_STATES",
    "PUBLICIZING_STATES",
    "STEP_ORDER",
    "CaseSource",
    "CaseState",
    "IdentificationCase",
]


class CaseSource(models.TextChoices):
    """三(七)1 and 三(四): how the household came to apply."""

    HOUSEHOLD = "household", "农户主动申请"
    WARNING = "warning", "部门预警（技防）"
    VISIT = "visit", "走访发现（人防）"
    CLUE = "clue", "其他渠道（协防）"
    # 三(七)1 自主申报: the household declared its own difficulty (一码申报, the declarations app).
    DECLARATION = "declaration", "自主申报"


class IdentificationCase(FSMModelMixin, models.Model):
    household = models.ForeignKey(
        Household,
        verbose_name="农户",
        on_delete=models.PROTECT,
        related_name="identification_cases",
    )
    # The household's village, copied when the case is saved first and whenever the household
    # moves (``households.models.household_moved``, identification/signals.py): the dashboards
    # count the open cases per village from this table alone, without looking each case's
    # household up among all 300,000 (bench/README.md).
    village = models.ForeignKey(
        Village, verbose_name="村", on_delete=models.PROTECT, related_name="+", editable=False
    )
    applicant = models.ForeignKey(
        Member, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    applied_on = models.DateField("申请日期")
    hardship = models.TextField("困难情况")
    risk_types = models.ManyToManyField(RiskType, verbose_name="风险类型", related_name="+")
    source = models.CharField(
        "来源", max_length=20, choices=CaseSource.choices, default=CaseSource.HOUSEHOLD
    )
    # What the source points to (a warning or clue number, a visit date): the
    # warnings app links its own rows to the case; this keeps a readable trace.
    source_note = models.CharField("来源说明", max_length=200, blank=True)
    # The procedure of the year it was applied in (三(七), PolicySettings), fixed then: a
    # change of the year's setting never moves an open case to another procedure.
    procedure = models.CharField(
        "识别程序",
        max_length=20,
        choices=IdentificationProcedure.choices,
        default=IdentificationProcedure.SUIXI_2021,
        editable=False,
    )
    # Anhui 2024: the household's signed consent to the checking of its data (承诺授权).
    consent_given = models.BooleanField("已签署承诺授权", default=False)
    consent_signed_on = models.DateField("承诺授权日期", null=True, blank=True)
    consent_form = models.FileField(
        "承诺授权书扫描件",
        upload_to="identification/consents/%Y/%m/",
        max_length=300,
        blank=True,
    )
    state = FSMField(
        "环节", max_length=30, choices=CaseState.choices, default=CaseState.APPLIED, protected=True
    )
    # When the case last moved; "days waiting" reads it.
    state_changed_at = models.DateTimeField("进入当前环节时间", default=timezone.now)
    # The time limit in working days from the application (``identification.clock``): the
    # home check's until one is recorded, then the whole identification's. Stored, so that
    # lists and counts filter by the clock in the database.
    due_on = models.DateField("办理时限", null=True, blank=True)
    # The warnings the daily task sent for this limit (orange, then red); cleared when the
    # limit moves, so each is sent once per limit.
    clock_notified = models.CharField(
        "已发时限提醒", max_length=10, blank=True, choices=Clock.choices
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    closed_step = models.CharField("终止环节", max_length=30, blank=True)
    closed_reason = models.TextField("终止原因", blank=True)
    monitoring_subject = models.OneToOneField(
        MonitoringSubject,
        verbose_name="监测对象",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="identification_case",
    )
    # Risk types are set once, with the record itself; its history row names the step. The
    # village is the household's, not the case's own: not in the history.
    history = HistoricalRecords(excluded_fields=["village"])

    class Meta:
        verbose_name = verbose_name_plural = "识别申请"
        ordering = ["-applied_on", "-id"]
        constraints = [
            # 三(七)1: one open application per household at a time.
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_one_open_per_household",
                violation_error_message="该户已有未办结的识别申请",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "state_changed_at"], name="case_state_idle"),
            models.Index(fields=["state", "due_on"], name="case_state_due"),
            # The dashboards' open cases by step, village and clock, from this index alone.
            models.Index(
                fields=["state", "village", "due_on"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_open_by_village",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.head_name}户识别申请（{self.get_state_display()}）"

    def save(self, *args, **kwargs) -> None:
        if self.village_id is None and self.household_id is not None:
            self.village_id = self.household.village_id
        super().save(*args, **kwargs)

    @property
    def procedure_definition(self) -> Procedure:
        """The table of steps this case follows."""
        return procedure_for(self.procedure)

    def get_state_display(self) -> str:
        """The state as the case's procedure names it (待乡镇审核, 待县级审定公告…)."""
        return self.procedure_definition.state_label(self.state)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_publicizing(self) -> bool:
        return self.state in PUBLICIZING_STATES

    # --- transitions: fields on self only -------------------------------------

    def _moved(self, at) -> None:
        self.state_changed_at = at

    @transition(field=state, source=OPEN_STATES, target=RETURN_VALUE(*STEP_ORDER))
    def take_step(self, *, step: str, at, subject: MonitoringSubject | None = None) -> str:
        """Take ``step``: the case moves to the state its procedure's table says (or stays,
        e.g. Anhui 2024's comparison during the village publicity). A step the table does not
        give the current state raises ``ValueError``: the services refuse it before (409)."""
        target = self.procedure_definition.leads_to(step, self.state)
        if subject is not None:  # the county's filing (三(七)7) or approval (2024)
            self.monitoring_subject = subject
        if target != self.state:  # a step that keeps the case where it is leaves its clock
            self._moved(at)
        return target

    @transition(field=state, source=PUBLICIZING_STATES, target=CaseState.APPLIED)
    def reopen(self, *, at) -> None:
        """An upheld objection sends the case back for a new home check (复核)."""
        self._moved(at)

    @transition(field=state, source=OPEN_STATES, target=CaseState.REJECTED)
    def reject(self, *, at, reason: str) -> None:
        self.closed_step = self.state
        self.closed_reason = reason
        self._moved(at)

    @transition(field=state, source=OPEN_STATES, target=CaseState.WITHDRAWN)
    def withdraw(self, *, at, reason: str) -> None:
        self.closed_step = self.state
        self.closed_reason = reason
        self._moved(at)

    @property
    def closed_step_label(self) -> str:
        return self.procedure_definition.state_label(self.closed_step) if self.closed_step else ""
