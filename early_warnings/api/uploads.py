"""``/api/uploads/``: a department's monthly file (三(四)2), its progress and its
error report; also the two xlsx downloads the pages share."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from organization.models import Department

from .. import selectors, services, spreadsheets
from ..models import Upload, WarningIndicator
from .serializers import UploadDetailSerializer, UploadSerializer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def template_response(department: Department) -> HttpResponse:
    """The department's xlsx template, with its active indicators in the code drop-down."""
    indicators = list(
        WarningIndicator.objects.filter(department=department, active=True).select_related(
            "risk_type"
        )
    )
    data = spreadsheets.department_template(
        department=department, indicators=indicators, example_id=services.sample_id_number()
    )
    return _xlsx_attachment(data, f"预警信息模板-{department.short_name}.xlsx")


def error_report_response(upload: Upload) -> HttpResponse:
    data = spreadsheets.error_report(
        upload.errors,
        title=f"{upload.department.short_name} {upload.period} “{upload.original_name}” 错误明细"
        + (
            f"（另有{upload.rows_error - len(upload.errors)}条未列出）"
            if upload.rows_error > len(upload.errors)
            else ""
        ),
    )
    filename = f"错误明细-{upload.department.short_name}-{upload.period}-{upload.pk}.xlsx"
    return _xlsx_attachment(data, filename)


class UploadViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """预警数据上传: multipart ``file`` + ``period`` (YYYY-MM); ingestion runs on a worker."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["period", "status", "department"]

    def get_serializer_class(self):
        return UploadDetailSerializer if self.action == "retrieve" else UploadSerializer

    def get_queryset(self):
        return selectors.upload_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = UploadSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        upload = services.upload_create(actor=request.user, **serializer.validated_data)
        return Response(
            UploadSerializer(upload, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={(200, "application/vnd.ms-excel"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        """The row errors as an xlsx report (formula-like cells neutralised)."""
        return error_report_response(self.get_object())
