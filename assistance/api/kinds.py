"""``/api/measure-kinds/``: the catalogue (三(八)2), read by everyone signed in, written by
the county bureau; ``/api/measure-suggestions/?subject=<id>``: the suggested kinds for one
subject in scope (分层分类)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from households.models import MonitoringSubject
from households.selectors import monitoring_subject_list

from .. import services
from ..models import OPEN_PLAN_STATES, Measure
from ..selectors import measure_kind_list
from ..suggestions import suggest
from .plans import int_param
from .serializers_plans import MeasureKindSerializer, SuggestionSerializer


@extend_schema(
    parameters=[OpenApiParameter("include_inactive", bool, description="含已停用的类型")]
)
class MeasureKindViewSet(viewsets.ModelViewSet):
    """帮扶措施目录. A kind in use is never deleted (409): retire it with ``is_active``."""

    serializer_class = MeasureKindSerializer
    filter_backends: list = []
    pagination_class = None  # a catalogue of a few dozen rows

    def get_queryset(self):
        inactive = self.request.query_params.get("include_inactive", "").lower() in {"1", "true"}
        # A retired kind is still found by id: the measures that used it name it.
        if self.action != "list":
            inactive = True
        return measure_kind_list(user=self.request.user, include_inactive=inactive)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = services.measure_kind_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(kind).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        kind = self.get_object()
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(kind, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        kind = services.measure_kind_update(
            actor=request.user, kind=kind, **serializer.validated_data
        )
        return Response(self.get_serializer(kind).data)

    def destroy(self, request, *args, **kwargs):
        services.measure_kind_delete(actor=request.user, kind=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeasureSuggestionViewSet(viewsets.ViewSet):
    """The suggestions of 三(八)2 for one monitoring subject in scope; with an open plan,
    each says whether the plan already answers it."""

    serializer_class = SuggestionSerializer

    @extend_schema(
        parameters=[OpenApiParameter("subject", int, required=True)],
        responses=SuggestionSerializer(many=True),
    )
    def list(self, request):
        pk = int_param(request, "subject")
        if pk is None:
            raise ValidationError({"subject": "请指定监测对象（subject）"})
        try:
            subject = monitoring_subject_list(user=request.user).get(pk=pk)
        except MonitoringSubject.DoesNotExist:
            raise Http404 from None
        measures = Measure.objects.filter(plan__subject=subject, plan__state__in=OPEN_PLAN_STATES)
        rows = suggest(subject, on=timezone.localdate(), measures=list(measures))
        return Response(SuggestionSerializer(rows, many=True).data)
