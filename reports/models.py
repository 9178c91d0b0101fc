"""A ledger export written by a worker (三(十) 台账): the file job's fields plus who asked for
which ledger with which filters. The export log itself is the append-only ``AuditEntry``."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from suixi_monitor.jobs import FileJob


class LedgerKind(models.TextChoices):
    """三(十) "分别建立监测对象台账": one ledger per category, one of exits, the whole registry."""

    UNSTABLE = "unstable", "脱贫不稳定户台账"
    MARGINAL = "marginal", "边缘易致贫户台账"
    SUDDEN = "sudden", "突发严重困难户台账"
    EXITS = "exits", "退出台账"
    REGISTRY = "registry", "农户总台账"


class LedgerExport(FileJob):
    """A large export: queued, written by ``reports.export_ledger``, downloaded by its owner.

    ``original_name`` is the file name offered, ``size`` the bytes written and ``rows_total``
    the rows; the request's path and address are kept for the audit entry the worker writes.
    """

    kind = models.CharField("台账", max_length=20, choices=LedgerKind.choices)
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    filters_label = models.CharField("筛选条件说明", max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField("页面或接口", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("IP地址", null=True, blank=True)
    file = models.FileField("文件", upload_to="reports/ledgers/%Y/%m/", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账导出"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.get_status_display()}）"
