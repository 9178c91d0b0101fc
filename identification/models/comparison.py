"""Comparison data sets for 信息比对 (三(七)4).

Departments upload what they hold on urban housing, vehicles, large farm
machinery, business entities and public payroll, keyed by ID number; a case
is compared against the latest set of each kind. A file is stored as a
``DatasetUpload`` and read by a Celery worker, which writes the data set.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from organization.models import Department
from suixi_monitor.jobs import FileJob


class ComparisonKind(models.TextChoices):
    URBAN_HOUSING = "urban_housing", "城镇住房"
    VEHICLE = "vehicle", "车辆"
    FARM_MACHINERY = "farm_machinery", "大型农机具"
    BUSINESS = "business", "经营实体"
    PUBLIC_PAYROLL = "public_payroll", "财政供养人员"


class ComparisonDataset(models.Model):
    kind = models.CharField("比对类别", max_length=20, choices=ComparisonKind.choices)
    as_of = models.DateField("数据截止日期")
    department = models.ForeignKey(
        Department,
        verbose_name="提供部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comparison_datasets",
    )
    file_name = models.CharField("文件名", max_length=200)
    # The same file uploaded twice is the same data set (idempotent upload).
    sha256 = models.CharField("文件摘要", max_length=64)
    row_count = models.PositiveIntegerField("记录数", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "比对数据集"
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "sha256"], name="dataset_unique_file_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（截至{self.as_of}）"


class DatasetUpload(FileJob):
    """A comparison file as uploaded; a worker reads it and writes its ``ComparisonDataset``."""

    kind = models.CharField("比对类别", max_length=20, choices=ComparisonKind.choices)
    as_of = models.DateField("数据截止日期")
    department = models.ForeignKey(
        Department,
        verbose_name="提供部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dataset_uploads",
    )
    file = models.FileField("文件", upload_to="identification/datasets/%Y/%m/", max_length=300)
    sha256 = models.CharField("文件摘要", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    dataset = models.ForeignKey(
        ComparisonDataset,
        verbose_name="数据集",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uploads",
    )

    class Meta:
        verbose_name = verbose_name_plural = "比对数据上传"
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            # The same file for the same kind is one upload while it is queued, read or done;
            # after a refusal (out of attempts, say) it may be uploaded again.
            models.UniqueConstraint(
                fields=["kind", "sha256"],
                condition=~Q(status=FileJob.Status.FAILED),
                name="dataset_upload_one_live_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"


class ComparisonRecord(models.Model):
    dataset = models.ForeignKey(
        ComparisonDataset, verbose_name="数据集", on_delete=models.CASCADE, related_name="records"
    )
    id_number = models.CharField("身份证号", max_length=18, db_index=True)
    name = models.CharField("姓名", max_length=50, blank=True)
    detail = models.CharField("比对内容", max_length=300, blank=True)
    row_number = models.PositiveIntegerField("行号")

    class Meta:
        verbose_name = verbose_name_plural = "比对数据"
        ordering = ["dataset_id", "row_number"]

    def __str__(self) -> str:
        return f"{self.name} {self.detail}"
