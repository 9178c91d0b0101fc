"""``/api/sweeps/``: departments' quarterly sweeps (三(四)1)."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from .. import selectors, services
from .serializers import SweepSerializer


class SweepViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """部门季度排查 (三(四)1)."""

    serializer_class = SweepSerializer
    filterset_fields = ["department"]

    def get_queryset(self):
        return selectors.sweep_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.sweep_record(
            actor=self.request.user, **serializer.validated_data
        )
