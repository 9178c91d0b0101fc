"""``/api/uploads/``: a department's monthly file (三(四)2), its progress and its
error report."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from .. import selectors, services
from ..downloads import error_report_response
from .serializers import UploadDetailSerializer, UploadSerializer


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
        return error_report_response(request, self.get_object())
