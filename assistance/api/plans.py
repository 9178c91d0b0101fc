"""``/api/assistance-plans/``: 一户一方案 (三(八)1). List, read, create a draft, edit; the
``activate`` (town) and ``review`` actions. No delete (405): a plan is closed, never removed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from ..models import PlanState
from ..selectors import plans as selectors
from .serializers_plans import (
    ActivateSerializer,
    PlanSerializer,
    PlanWriteSerializer,
    ReviewSerializer,
)


def int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError({name: "应为整数"})
    return int(raw)


def required(data: dict, *names: str) -> None:
    missing = {name: "该字段是必填项。" for name in names if data.get(name) in (None, "")}
    if missing:
        raise ValidationError(missing)


LIST_PARAMS = [
    OpenApiParameter("state", str, enum=PlanState.values),
    OpenApiParameter("town", int),
    OpenApiParameter("village", int),
    OpenApiParameter("overdue", bool, description="仅评估超期的实施中方案"),
    OpenApiParameter("q", str, description="户主姓名"),
]


@extend_schema_view(list=extend_schema(parameters=LIST_PARAMS))
class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """帮扶方案: drafted by the village, the town or the paired helper, confirmed by the town,
    reviewed every N months (PolicySettings.plan_review_months)."""

    serializer_class = PlanSerializer
    filter_backends: list = []  # the selector parses the filters

    def get_queryset(self):
        request = self.request
        state = request.query_params.get("state", "").strip()
        if state and state not in PlanState.values:
            raise ValidationError({"state": f"可选值：{'、'.join(PlanState.values)}"})
        filters = selectors.PlanFilters(
            state=state,
            town=int_param(request, "town"),
            village=int_param(request, "village"),
            overdue=request.query_params.get("overdue", "").lower() in {"1", "true"},
            q=request.query_params.get("q", ""),
        )
        qs = selectors.plan_search(user=request.user, filters=filters, today=timezone.localdate())
        return qs.prefetch_related("risk_types").order_by("-made_on", "-id")

    def _respond(self, plan, code=status.HTTP_200_OK) -> Response:
        plan = (
            selectors.plan_list(user=self.request.user)
            .select_related("subject__household__village__town")
            .get(pk=plan.pk)
        )
        return Response(PlanSerializer(plan).data, status=code)

    @extend_schema(request=PlanWriteSerializer, responses=PlanSerializer)
    def create(self, request, *args, **kwargs):
        serializer = PlanWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        required(data, "subject", "made_on")
        plan = services.plan_create(actor=request.user, **data)
        return self._respond(plan, status.HTTP_201_CREATED)

    @extend_schema(request=PlanWriteSerializer, responses=PlanSerializer)
    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = PlanWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("subject", None)  # a plan stays with its subject
        plan = services.plan_update(actor=request.user, plan=plan, **data)
        return self._respond(plan)

    @extend_schema(request=ActivateSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        plan = self.get_object()
        serializer = ActivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_activate(actor=request.user, plan=plan, **serializer.validated_data)
        return self._respond(plan)

    @extend_schema(request=ReviewSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        plan = self.get_object()
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.plan_review(actor=request.user, plan=plan, **serializer.validated_data)
        return self._respond(plan)
