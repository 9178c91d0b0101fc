"""REST for identification: cases with one POST action per step, objections, data sets.

Thin: querysets are the scoped selectors (another scope's
case is not found: 404), every step is a service, and the one exception
handler turns a refused rule into 400 and a wrong state into 409, each with
the Chinese message that names the clause.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from organization.audit import Kind as AuditKind
from organization.audit import record_access
from organization.working_days import Clock
from suixi_monitor.api import error_responses
from suixi_monitor.downloads import XLSX

from .. import downloads, selectors, services
from ..models import IdentificationCase, Objection
from .exits import ExitCaseViewSet
from .serializers import (
    CaseApplySerializer,
    CaseApproveCountySerializer,
    CaseApproveTownSerializer,
    CaseCompareSerializer,
    CaseConsentSerializer,
    CaseDeliberateSerializer,
    CaseDeliberateVillageSerializer,
    CaseDetailSerializer,
    CaseFileSerializer,
    CaseObjectionSerializer,
    CasePublicizeVillageSerializer,
    CaseReasonSerializer,
    CaseReviewTownSerializer,
    CaseSerializer,
    CaseVerifySerializer,
    ComparisonDatasetSerializer,
    ComparisonDatasetUploadSerializer,
    ComparisonHitsSerializer,
    DatasetUploadDetailSerializer,
    DatasetUploadSerializer,
    ObjectionLodgeSerializer,
)
from .step_docs import StepInputMixin, case_step_action

# --- viewsets --------------------------------------------------------------------------

# What a consent scan is served as (the kinds the service accepts).
CONSENT_MEDIA_TYPES = ["application/pdf", "image/jpeg", "image/png"]


def _bool(value: str | None) -> bool | None:
    return {"true": True, "1": True, "false": False, "0": False}.get((value or "").lower())


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


CLOCK_PARAMETERS = [
    OpenApiParameter(
        "clock",
        str,
        enum=Clock.values,
        description="办理时限：green 正常、orange 临期（到期前若干个工作日）、red 超期；只含办理中的申请",
    ),
    OpenApiParameter("overdue", bool, description="true：只列超期（clock=red）；false：不含超期"),
]


@extend_schema_view(list=extend_schema(parameters=CLOCK_PARAMETERS))
class CaseViewSet(
    StepInputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """识别申请. Create = 户申请; each later step is a POST action on the case."""

    filter_backends: list = []  # the selector parses the filters; see ``get_queryset``

    def get_queryset(self):
        params = self.request.query_params
        filters = selectors.CaseFilters(
            town=_int(params.get("town")),
            village=_int(params.get("village")),
            state=params.get("state", ""),
            source=params.get("source", ""),
            overdue=_bool(params.get("overdue")),
            clock=params.get("clock", ""),
            q=params.get("q", ""),
            queue=params.get("queue", ""),
            procedure=params.get("procedure", ""),
        )
        return selectors.case_list(user=self.request.user, filters=filters).order_by("-id")

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def _answer(self, case: IdentificationCase, code: int = status.HTTP_200_OK) -> Response:
        case = selectors.case_get(user=self.request.user, pk=case.pk)
        return Response(
            CaseDetailSerializer(case, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=CaseApplySerializer, responses=CaseDetailSerializer)
    def create(self, request, *args, **kwargs):
        data = self._input(CaseApplySerializer)
        case = services.case_apply(actor=request.user, **data)
        return self._answer(case, status.HTTP_201_CREATED)

    @case_step_action("verify", request=CaseVerifySerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseVerifySerializer, case=case)
        team = [
            services.TeamMember(role=m["role"], user=m.get("user"), name=m.get("name", ""))
            for m in data.pop("team")
        ]
        return self._answer(services.case_verify(actor=request.user, case=case, team=team, **data))

    @case_step_action(
        "deliberate", request=CaseDeliberateSerializer, responses=CaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def deliberate(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseDeliberateSerializer, case=case)
        return self._answer(
            services.case_record_deliberation(actor=request.user, case=case, **data)
        )

    @case_step_action(
        "deliberate_village",
        request=CaseDeliberateVillageSerializer,
        responses=CaseDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="deliberate-village")
    def deliberate_village(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseDeliberateVillageSerializer, case=case)
        return self._answer(
            services.case_record_village_deliberation(actor=request.user, case=case, **data)
        )

    @case_step_action("consent", request=CaseConsentSerializer, responses=CaseDetailSerializer)
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser],
    )
    def consent(self, request, pk=None):
        """承诺授权 as multipart (with the scan ``consent_form``) or JSON (without)."""
        case = self.get_object()
        data = self._input(CaseConsentSerializer, case=case)
        return self._answer(
            services.case_record_consent(
                actor=request.user,
                case=case,
                signed_on=data["consent_signed_on"],
                form=data.get("consent_form"),
            )
        )

    @extend_schema(
        summary="承诺授权书扫描件",
        responses={
            **{(200, kind): OpenApiTypes.BINARY for kind in CONSENT_MEDIA_TYPES},
            **error_responses(),
        },
    )
    @action(detail=True, methods=["get"], url_path="consent-form")
    def consent_form(self, request, pk=None):
        """The scan of the signed consent (Anhui 2024); each download is logged (查阅记录)."""
        case = self.get_object()
        if not case.consent_form:
            raise Http404
        return downloads.consent_form_response(request, case)

    @extend_schema(
        summary="信息比对命中（三(七)4）",
        responses={
            200: ComparisonHitsSerializer,
            **error_responses(
                forbidden="镇、村在县扶贫局录入比对结果之前不能查看比对命中（三(七)4）。"
            ),
        },
    )
    @action(detail=True, methods=["get"], url_path="comparison-hits", pagination_class=None)
    def comparison_hits(self, request, pk=None):
        """The county: the hits it must judge before ``compare``. The town and village: the
        hits of the recorded comparison, once the county has fed it back (403 before, 三(七)4)."""
        case = self.get_object()
        result = selectors.comparison_hits_for(user=request.user, case=case)
        record_access(
            request,
            kind=AuditKind.COMPARISON,
            what=selectors.comparison_audit_label(case),
            rows=len(result.hits),
        )
        return Response(
            ComparisonHitsSerializer(
                {"hits": result.hits, "missing_kinds": result.missing_kinds}
            ).data
        )

    @case_step_action("compare", request=CaseCompareSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def compare(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseCompareSerializer, case=case)
        judgements = {j["record"]: (j["judgement"], j["reason"]) for j in data.pop("judgements")}
        return self._answer(
            services.case_compare(actor=request.user, case=case, judgements=judgements, **data)
        )

    @case_step_action(
        "publicize_village",
        request=CasePublicizeVillageSerializer,
        responses=CaseDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="publicize-village")
    def publicize_village(self, request, pk=None):
        case = self.get_object()
        data = self._input(CasePublicizeVillageSerializer, case=case)
        return self._answer(services.case_publicize_village(actor=request.user, case=case, **data))

    @case_step_action(
        "approve_town", request=CaseApproveTownSerializer, responses=CaseDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="approve-town")
    def approve_town(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseApproveTownSerializer, case=case)
        return self._answer(services.case_approve_town(actor=request.user, case=case, **data))

    @case_step_action(
        "review_town", request=CaseReviewTownSerializer, responses=CaseDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="review-town")
    def review_town(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseReviewTownSerializer, case=case)
        return self._answer(services.case_review_town(actor=request.user, case=case, **data))

    @case_step_action(
        "approve_county", request=CaseApproveCountySerializer, responses=CaseDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="approve-county")
    def approve_county(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseApproveCountySerializer, case=case)
        return self._answer(services.case_approve_county(actor=request.user, case=case, **data))

    @case_step_action("file", request=CaseFileSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseFileSerializer, case=case)
        return self._answer(services.case_file(actor=request.user, case=case, **data))

    @case_step_action("conclude", request=None, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="conclude-publicity")
    def conclude_publicity(self, request, pk=None):
        """三(七)5/6: end a publicity that ran its days with no open objection (as the daily task)."""
        case = self.get_object()
        return self._answer(services.publicity_conclude(actor=request.user, case=case))

    @case_step_action("reject", request=CaseReasonSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseReasonSerializer, case=case)
        return self._answer(services.case_reject(actor=request.user, case=case, **data))

    @case_step_action("withdraw", request=CaseReasonSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseReasonSerializer, case=case)
        return self._answer(services.case_withdraw(actor=request.user, case=case, **data))

    # --- objections, nested under the case ---

    @extend_schema(
        methods=["get"], summary="公示异议列表", responses=CaseObjectionSerializer(many=True)
    )
    @case_step_action(
        "objection_lodge",
        methods=["post"],
        request=ObjectionLodgeSerializer,
        responses={201: CaseObjectionSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def objections(self, request, pk=None):
        if request.method == "GET":
            case = self.get_object()
            return Response(CaseObjectionSerializer(case.objections.all(), many=True).data)
        try:
            case = self.get_object()
        except Http404:
            # 三(七)5/6: a publicity is posted for the town; a user of the town may object
            # to a case publicised to them though the case stays outside their scope.
            case = get_object_or_404(selectors.objectable_case_list(user=request.user), pk=pk)
        data = self._input(ObjectionLodgeSerializer, case=case)
        objection = services.objection_lodge(actor=request.user, case=case, **data)
        return Response(CaseObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    def _objection(self, objection_pk) -> Objection:
        case = self.get_object()
        return get_object_or_404(case.objections.all(), pk=objection_pk)

    @case_step_action(
        "objection_decide",
        summary="异议成立（退回复核）",
        request=CaseReasonSerializer,
        responses=CaseObjectionSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"objections/(?P<objection_pk>\d+)/uphold")
    def uphold_objection(self, request, pk=None, objection_pk=None):
        objection = self._objection(objection_pk)
        data = self._input(CaseReasonSerializer, case=objection.case)
        return Response(
            CaseObjectionSerializer(
                services.objection_uphold(actor=request.user, objection=objection, **data)
            ).data
        )

    @case_step_action(
        "objection_decide",
        summary="异议不成立",
        request=CaseReasonSerializer,
        responses=CaseObjectionSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"objections/(?P<objection_pk>\d+)/dismiss")
    def dismiss_objection(self, request, pk=None, objection_pk=None):
        objection = self._objection(objection_pk)
        data = self._input(CaseReasonSerializer, case=objection.case)
        return Response(
            CaseObjectionSerializer(
                services.objection_dismiss(actor=request.user, objection=objection, **data)
            ).data
        )


class DatasetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """比对数据集: departments and the bureau upload; the bureau reads them all."""

    serializer_class = ComparisonDatasetSerializer
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]
    filter_backends: list = []

    def get_queryset(self):
        qs = selectors.dataset_list(user=self.request.user)
        kind = self.request.query_params.get("kind")
        return qs.filter(kind=kind) if kind else qs

    @extend_schema(
        request=ComparisonDatasetUploadSerializer,
        responses={202: DatasetUploadSerializer, 200: DatasetUploadSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Store the file and queue its reading (三(七)4): 202 with the upload to poll at its
        ``url`` (also the ``Location``); 200 with the first upload of the same file."""
        serializer = ComparisonDatasetUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload, created = services.dataset_upload_create(
            actor=request.user, **serializer.validated_data
        )
        body = DatasetUploadSerializer(upload, context=self.get_serializer_context()).data
        return Response(
            body,
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
            headers={"Location": body["url"]},
        )


class DatasetUploadViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """比对数据上传: each file's status and progress while a worker reads it, and its row errors."""

    filterset_fields = ["kind", "status"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DatasetUploadDetailSerializer
        return DatasetUploadSerializer

    def get_queryset(self):
        return selectors.dataset_upload_list(user=self.request.user)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        """The row errors as an xlsx report (formula-like cells neutralised)."""
        return downloads.dataset_errors_response(request, self.get_object())


router = SimpleRouter()
router.register("identification-cases", CaseViewSet, basename="identification-case")
router.register("exit-cases", ExitCaseViewSet, basename="exit-case")
router.register("comparison-datasets", DatasetViewSet, basename="comparison-dataset")
router.register(
    "comparison-dataset-uploads", DatasetUploadViewSet, basename="comparison-dataset-upload"
)

# 三(九)(十): exit rounds, spot checks and re-review, in their own module.
from .exit_rounds import router as exit_rounds_router  # noqa: E402

router.registry.extend(exit_rounds_router.registry)
