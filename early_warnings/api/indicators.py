"""``/api/indicators/``: every department's indicators; the county bureau edits them,
and ``template/`` gives a department its xlsx template."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action

from organization.models import Department, Role

from .. import selectors, services
from ..downloads import template_response
from .params import int_param
from .serializers import IndicatorSerializer


class IndicatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """预警指标: everyone reads them; the county bureau edits them."""

    serializer_class = IndicatorSerializer
    filterset_fields = ["department", "active"]

    def get_queryset(self):
        return selectors.indicator_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.indicator_save(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.indicator_save(
            actor=self.request.user, indicator=serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses={(200, "application/vnd.ms-excel"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def template(self, request):
        """The xlsx template for ``?department=<id>`` (department staff: their own)."""
        department = _template_department(request)
        return template_response(department)


def _template_department(request) -> Department:
    user = request.user
    if user.role == Role.DEPARTMENT_STAFF:
        return user.department
    department_id = int_param(request, "department")
    if department_id is None:
        raise ValidationError({"department": "请指定部门"})
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise ValidationError({"department": "对象不存在"})
    return department
