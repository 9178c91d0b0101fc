"""/api/help-assignments/ (帮扶结对, 三(八)1): list and read in scope; create with the pairing
rules of ``household_pair``; end one (``POST …/{id}/end/``). Never deleted: the record of who
helped when stays (DELETE, PUT and PATCH answer 405)."""

from __future__ import annotations

from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..selectors import assignment_list
from ..services.pairing import assignment_end, household_pair
from .serializers_visits import AssignmentEndSerializer, HelpAssignmentSerializer, PairSerializer


class HelpAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = HelpAssignmentSerializer
    filterset_fields = ["household", "helper", "kind"]
    ordering_fields = ["started_on", "id"]

    def get_queryset(self):
        qs = assignment_list(user=self.request.user).order_by("-started_on", "-id")
        current = self.request.query_params.get("open")
        if current in ("true", "1"):
            qs = qs.filter(ended_on__isnull=True)
        elif current in ("false", "0"):
            qs = qs.filter(ended_on__isnull=False)
        return qs

    def get_serializer_class(self):
        if self.action == "create":
            return PairSerializer
        if self.action == "end":
            return AssignmentEndSerializer
        return HelpAssignmentSerializer

    def create(self, request, *args, **kwargs):
        """Pair a subject's household; answers the assignments created."""
        serializer = PairSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["on"] = data.pop("started_on")
        created = household_pair(actor=request.user, **data)
        body = HelpAssignmentSerializer(created, many=True).data
        return Response({"assignments": body}, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        serializer = AssignmentEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assignment = assignment_end(
            actor=request.user, assignment=assignment, on=data["ended_on"], reason=data["reason"]
        )
        return Response(HelpAssignmentSerializer(assignment).data)
