"""``/api/measures/``: 一人一措施 (三(八)1). List, read, add to an open plan, edit; the
``start``, ``complete`` and ``stop`` actions move its state (409 from a wrong one)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from ..selectors import measure_list
from .plans import int_param, required
from .serializers_plans import (
    MeasureCompleteSerializer,
    MeasureSerializer,
    MeasureStartSerializer,
    MeasureStopSerializer,
    MeasureWriteSerializer,
)


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("plan", int)]))
class MeasureViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """帮扶措施: for one member or the whole household; no delete (a measure is stopped)."""

    serializer_class = MeasureSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = measure_list(user=self.request.user).order_by("plan_id", "id")
        plan = int_param(self.request, "plan")
        return qs.filter(plan_id=plan) if plan else qs

    def _respond(self, measure, code=status.HTTP_200_OK) -> Response:
        measure = measure_list(user=self.request.user).get(pk=measure.pk)
        return Response(MeasureSerializer(measure).data, status=code)

    @extend_schema(request=MeasureWriteSerializer, responses=MeasureSerializer)
    def create(self, request, *args, **kwargs):
        serializer = MeasureWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        required(data, "plan", "kind")
        measure = services.measure_create(actor=request.user, **data)
        return self._respond(measure, status.HTTP_201_CREATED)

    @extend_schema(request=MeasureWriteSerializer, responses=MeasureSerializer)
    def update(self, request, *args, **kwargs):
        measure = self.get_object()
        serializer = MeasureWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("plan", None)  # a measure stays in its plan
        measure = services.measure_update(actor=request.user, measure=measure, **data)
        return self._respond(measure)

    @extend_schema(request=MeasureStartSerializer, responses=MeasureSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        serializer = MeasureStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure = services.measure_start(
            actor=request.user, measure=self.get_object(), **serializer.validated_data
        )
        return self._respond(measure)

    @extend_schema(request=MeasureCompleteSerializer, responses=MeasureSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        serializer = MeasureCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure = services.measure_complete(
            actor=request.user, measure=self.get_object(), **serializer.validated_data
        )
        return self._respond(measure)

    @extend_schema(request=MeasureStopSerializer, responses=MeasureSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        serializer = MeasureStopSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure = services.measure_stop(
            actor=request.user, measure=self.get_object(), **serializer.validated_data
        )
        return self._respond(measure)
