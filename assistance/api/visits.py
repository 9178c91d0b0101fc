"""/api/visits/due/ (三(八)1 定期上门走访) and /api/help-visits/ (帮扶走访): scoped like the pages;
a help visit is written by ``help_visit_record``, all or nothing."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from ..selectors import help_visit_list
from ..selectors.visits import DueFilters, due_row, interval_days, visits_due
from ..services.visits import ProgressItem, help_visit_record
from .serializers_visits import HelpVisitCreateSerializer, HelpVisitSerializer, VisitDueSerializer


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


class VisitsDueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Each monitored subject's next help visit, most overdue first. Filters: ``overdue=true``,
    ``helper``, ``village``, ``town``. A helper sees only the households paired with them."""

    serializer_class = VisitDueSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        filters = DueFilters(
            overdue_only=params.get("overdue") in ("true", "1"),
            helper=_int(params.get("helper")),
            village=_int(params.get("village")),
            town=_int(params.get("town")),
        )
        return visits_due(user=self.request.user, filters=filters, today=timezone.localdate())

    def list(self, request, *args, **kwargs):
        today = timezone.localdate()
        n = interval_days(today)
        page = self.paginate_queryset(self.get_queryset())
        rows = [due_row(subject, interval=n, today=today) for subject in page]
        return self.get_paginated_response(VisitDueSerializer(rows, many=True).data)


class HelpVisitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    filterset_fields = ["subject"]

    def get_queryset(self):
        return (
            help_visit_list(user=self.request.user)
            .prefetch_related(
                "new_risk_types", "progress__measure__kind", "progress__measure__member"
            )
            .order_by("-visit__visited_on", "-id")
        )

    def get_serializer_class(self):
        return HelpVisitCreateSerializer if self.action == "create" else HelpVisitSerializer

    def create(self, request, *args, **kwargs):
        serializer = HelpVisitCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["progress"] = [ProgressItem(**item) for item in data.get("progress", [])]
        help_visit = help_visit_record(actor=request.user, **data)
        help_visit = self.get_queryset().get(pk=help_visit.pk)
        return Response(HelpVisitSerializer(help_visit).data, status=status.HTTP_201_CREATED)
