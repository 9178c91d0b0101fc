"""``/api/clues/``: clues (三(四)3 协防), entered by the bureau or a town, routed,
assigned and verified like warnings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from households.selectors import household_list
from organization.models import Village
from organization.selectors import village_list

from .. import selectors, services
from ..models import Clue, State
from .params import PERIOD_PARAMS, bool_param, choice_param, int_param
from .serializers import AssignSerializer, ClueSerializer, ClueVerifySerializer, RouteSerializer


def _village_in_scope(user, village: Village | None) -> Village | None:
    """A village id from another town reads as unknown, like any out-of-scope object."""
    if village is not None and not village_list(user=user).filter(pk=village.pk).exists():
        raise ValidationError({"village": "对象不存在"})
    return village


@extend_schema_view(list=extend_schema(parameters=PERIOD_PARAMS))
class ClueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """协防线索: the bureau and towns enter them; checked like warnings."""

    serializer_class = ClueSerializer

    def get_queryset(self):
        request = self.request
        filters = selectors.ClueFilters(
            period=request.query_params.get("period", "").strip(),
            town=int_param(request, "town"),
            village=int_param(request, "village"),
            state=choice_param(request, "state", State.values),
            source=choice_param(request, "source", Clue.Source.values),
            overdue=bool_param(request, "overdue"),
        )
        return selectors.clue_list(user=request.user, filters=filters)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        clue = services.clue_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(clue).data, status=status.HTTP_201_CREATED)

    def _respond(self, clue: Clue) -> Response:
        clue = selectors.clue_list(user=self.request.user).filter(pk=clue.pk).first() or clue
        return Response(self.get_serializer(clue).data)

    @extend_schema(request=AssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        clue = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        village = _village_in_scope(request.user, serializer.validated_data.get("village"))
        return self._respond(services.item_assign(actor=request.user, item=clue, village=village))

    @extend_schema(request=ClueVerifySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        clue = self.get_object()
        serializer = ClueVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        household = data.get("household")
        if (
            household is not None
            and not household_list(user=request.user).filter(pk=household.pk).exists()
        ):
            raise ValidationError({"household": "对象不存在"})
        return self._respond(services.clue_verify(actor=request.user, clue=clue, **data))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._respond(services.item_close(actor=request.user, item=self.get_object()))

    @extend_schema(request=RouteSerializer)
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        clue = self.get_object()
        serializer = RouteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        clue = services.clue_route(actor=request.user, clue=clue, **serializer.validated_data)
        return self._respond(clue)
