"""``/api/warnings/``: warnings in scope, with ``assign``, ``assign-bulk``, ``verify``
and ``close`` (三(四)2: pushed to towns, verified at the door, closed)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organization.models import Role

from .. import selectors, services
from ..models import Priority, State, Warning
from .params import PERIOD_PARAMS, bool_param, choice_param, int_param
from .serializers import (
    BulkAssignSerializer,
    DepartmentWarningSerializer,
    VerifySerializer,
    WarningSerializer,
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *PERIOD_PARAMS,
            OpenApiParameter("department", int),
            OpenApiParameter("priority", str, enum=Priority.values),
        ]
    )
)
class WarningViewSet(viewsets.ReadOnlyModelViewSet):
    """部门预警: read in scope; move on with ``assign``, ``assign_bulk``, ``verify``, ``close``."""

    def get_serializer_class(self):
        if getattr(self.request.user, "role", None) == Role.DEPARTMENT_STAFF:
            return DepartmentWarningSerializer
        return WarningSerializer

    def get_queryset(self):
        request = self.request
        filters = selectors.WarningFilters(
            period=request.query_params.get("period", "").strip(),
            department=int_param(request, "department"),
            town=int_param(request, "town"),
            village=int_param(request, "village"),
            state=choice_param(request, "state", State.values),
            priority=choice_param(request, "priority", Priority.values),
            overdue=bool_param(request, "overdue"),
        )
        return selectors.warning_list(user=request.user, filters=filters).order_by("-period", "-id")

    def _respond(self, warning: Warning) -> Response:
        warning = (
            selectors.warning_list(user=self.request.user).filter(pk=warning.pk).first() or warning
        )
        return Response(self.get_serializer(warning).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        warning = services.item_assign(actor=request.user, item=self.get_object())
        return self._respond(warning)

    @extend_schema(
        request=BulkAssignSerializer,
        responses=inline_serializer(
            "WarningsAssigned", {"assigned": serializers.IntegerField(help_text="分派的预警条数")}
        ),
    )
    @action(detail=False, methods=["post"], url_path="assign-bulk")
    def assign_bulk(self, request):
        serializer = BulkAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data["ids"]
        warnings = list(self.get_queryset().filter(pk__in=ids))
        if len(warnings) != len(set(ids)):
            raise ValidationError({"ids": "部分预警不存在或不在您的范围内"})
        count = services.items_assign_bulk(actor=request.user, items=warnings)
        return Response({"assigned": count})

    @extend_schema(request=VerifySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        warning = self.get_object()
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        warning = services.warning_verify(
            actor=request.user, warning=warning, **serializer.validated_data
        )
        return self._respond(warning)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        warning = services.item_close(actor=request.user, item=self.get_object())
        return self._respond(warning)
