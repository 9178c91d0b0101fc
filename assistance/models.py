"""Help for monitored households (三(八)): who helps whom."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from households.models import Household
from organization.models import HelpUnit


class HelpAssignment(models.Model):
    """三(八)1: a helper (帮扶责任人 / 帮扶联系人) paired with a household; the helper's scope."""

    class Kind(models.TextChoices):
        RESPONSIBLE = "responsible", "帮扶责任人"
        CONTACT = "contact", "帮扶联系人"

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
    started_on = models.DateField("结对日期")
    ended_on = models.DateField("解除日期", null=True, blank=True)
    history = HistoricalRecords()

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

    def __str__(self) -> str:
        return f"{self.helper} → {self.household}"
