"""REST for exits (三(九)): ``/api/exit-cases/``, create = the village's proposal, one POST
action per later step, nested objections as in identification.

Thin: the queryset is the scoped selector (another scope's case is 404), every step is a
service, each step's 400/403/409 answers are documented from the exit permission table, and
the caller's role is checked before the body is read."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from suixi_monitor.api import MAX_ID

from .. import services
from ..models import ExitCase, Objection
from ..selectors import exits as selectors
from ..services import exit_permissions as steps
from ..services.exit_permissions import EXITS
from .exit_serializers import (
    ExitCaseDetailSerializer,
    ExitCaseSerializer,
    ExitEvaluateSerializer,
    ExitFileSerializer,
    ExitObjectionSerializer,
    ExitProposeSerializer,
    ExitPublicizeSerializer,
    ExitVerifySerializer,
)
from .serializers import CaseReasonSerializer, ObjectionLodgeSerializer
from .step_docs import StepInputMixin, step_action


def _id(value: str | None) -> int | None:
    """A filter's id: digits within a database key, else no filter (never an overflow)."""
    if value and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return None


class ExitCaseViewSet(
    StepInputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """退出申报 (三(九)). Filters: ``round``, ``town``, ``village``, ``state``, ``q`` (户主姓名).
    Create = 村级上报; each later step is a POST action on the case."""

    filter_backends: list = []  # the selector parses the filters; see ``get_queryset``

    def get_queryset(self):
        params = self.request.query_params
        filters = selectors.ExitFilters(
            round=_id(params.get("round")),
            town=_id(params.get("town")),
            village=_id(params.get("village")),
            state=params.get("state", ""),
            q=params.get("q", ""),
        )
        return selectors.exit_case_list(user=self.request.user, filters=filters).order_by("-id")

    def get_serializer_class(self):
        return ExitCaseDetailSerializer if self.action == "retrieve" else ExitCaseSerializer

    def _answer(self, case: ExitCase, code: int = status.HTTP_200_OK) -> Response:
        case = selectors.exit_case_get(user=self.request.user, pk=case.pk)
        return Response(
            ExitCaseDetailSerializer(case, context=self.get_serializer_context()).data, status=code
        )

    @step_action(
        steps.PROPOSE,
        EXITS,
        request=ExitProposeSerializer,
        responses={201: ExitCaseDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = self._input(ExitProposeSerializer)
        case = services.exit_propose(actor=request.user, **data)
        return self._answer(case, status.HTTP_201_CREATED)

    @step_action(
        steps.VERIFY, EXITS, request=ExitVerifySerializer, responses=ExitCaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        case = self.get_object()
        data = self._input(ExitVerifySerializer)
        team = [
            services.TeamMember(role=m["role"], user=m.get("user"), name=m.get("name", ""))
            for m in data.pop("team")
        ]
        return self._answer(services.exit_verify(actor=request.user, case=case, team=team, **data))

    @step_action(
        steps.EVALUATE, EXITS, request=ExitEvaluateSerializer, responses=ExitCaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        """The town's evaluation meeting for this one case (the page evaluates several)."""
        case = self.get_object()
        data = self._input(ExitEvaluateSerializer)
        result = services.EvaluationResult(case=case, passed=data["passed"], reason=data["reason"])
        services.exit_evaluate(
            actor=request.user,
            town_round=case.town_round,
            held_on=data["held_on"],
            present=data["present"],
            results=[result],
            note=data["note"],
        )
        return self._answer(case)

    @step_action(
        steps.PUBLICIZE, EXITS, request=ExitPublicizeSerializer, responses=ExitCaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def publicize(self, request, pk=None):
        case = self.get_object()
        data = self._input(ExitPublicizeSerializer)
        return self._answer(services.exit_publicize(actor=request.user, case=case, **data))

    @step_action(steps.CONCLUDE, EXITS, request=None, responses=ExitCaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="conclude-publicity")
    def conclude_publicity(self, request, pk=None):
        """三(九): end the town publicity that ran its days with no open objection."""
        case = self.get_object()
        EXITS.require_role(request.user, steps.CONCLUDE)
        return self._answer(services.publicity_conclude(actor=request.user, case=case))

    @step_action(steps.FILE, EXITS, request=ExitFileSerializer, responses=ExitCaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        case = self.get_object()
        data = self._input(ExitFileSerializer)
        return self._answer(services.exit_file(actor=request.user, case=case, **data))

    @step_action(
        steps.RETURN, EXITS, request=CaseReasonSerializer, responses=ExitCaseDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseReasonSerializer)
        return self._answer(services.exit_return(actor=request.user, case=case, **data))

    @step_action(
        steps.WITHDRAW, EXITS, request=CaseReasonSerializer, responses=ExitCaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseReasonSerializer)
        return self._answer(services.exit_withdraw(actor=request.user, case=case, **data))

    # --- objections, nested under the case ---

    @extend_schema(
        methods=["get"], summary="公示异议列表", responses=ExitObjectionSerializer(many=True)
    )
    @step_action(
        steps.OBJECTION_LODGE,
        EXITS,
        methods=["post"],
        request=ObjectionLodgeSerializer,
        responses={201: ExitObjectionSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def objections(self, request, pk=None):
        if request.method == "GET":
            case = self.get_object()
            return Response(ExitObjectionSerializer(case.objections.all(), many=True).data)
        try:
            case = self.get_object()
        except Http404:
            # The town publicity is posted for the town: a user of the town may object to a
            # case publicised to them though it stays outside their scope.
            case = get_object_or_404(selectors.exit_objectable_list(user=request.user), pk=pk)
        data = self._input(ObjectionLodgeSerializer)
        objection = services.objection_lodge(actor=request.user, case=case, **data)
        return Response(ExitObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    def _objection(self, objection_pk) -> Objection:
        case = self.get_object()
        return get_object_or_404(case.objections.all(), pk=objection_pk)

    @step_action(
        steps.OBJECTION_DECIDE,
        EXITS,
        summary="异议成立（退回村级重新核实）",
        request=CaseReasonSerializer,
        responses=ExitObjectionSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"objections/(?P<objection_pk>\d+)/uphold")
    def uphold_objection(self, request, pk=None, objection_pk=None):
        objection = self._objection(objection_pk)
        data = self._input(CaseReasonSerializer)
        return Response(
            ExitObjectionSerializer(
                services.objection_uphold(actor=request.user, objection=objection, **data)
            ).data
        )

    @step_action(
        steps.OBJECTION_DECIDE,
        EXITS,
        summary="异议不成立",
        request=CaseReasonSerializer,
        responses=ExitObjectionSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"objections/(?P<objection_pk>\d+)/dismiss")
    def dismiss_objection(self, request, pk=None, objection_pk=None):
        objection = self._objection(objection_pk)
        data = self._input(CaseReasonSerializer)
        return Response(
            ExitObjectionSerializer(
                services.objection_dismiss(actor=request.user, objection=objection, **data)
            ).data
        )
