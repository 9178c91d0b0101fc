"""/api/declarations/: ``POST`` and ``GET status/`` are public and throttled; the rest is for
signed-in village, town and county users, scoped (another scope's declaration is 404)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from suixi_monitor.api import ErrorSerializer, error_responses

from .. import selectors, services
from ..models import State
from ..throttles import MSG_THROTTLED, STATUS_THROTTLES, SUBMIT_THROTTLES, wait_label
from .serializers import (
    AcceptSerializer,
    DeclarationSerializer,
    DeclineSerializer,
    PublicStatusSerializer,
    ReceiptSerializer,
    StatusQuerySerializer,
    SubmitSerializer,
)

PUBLIC = {"create", "status"}
MSG_NOT_FOUND = "未查询到该回执码的申报，请核对回执码和手机号。"
THROTTLED = OpenApiResponse(
    ErrorSerializer, description="提交或查询过于频繁（按IP地址和手机号限流）"
)


class _TooLarge(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "提交的内容过长。"


class _NoFiles(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "自主申报不接收文件。"


def _bool(raw: str | None) -> bool | None:
    return {"1": True, "true": True, "0": False, "false": False}.get((raw or "").lower())


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


class DeclarationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """自主申报（一码申报，三(七)1 户申请）."""

    serializer_class = DeclarationSerializer
    filter_backends: list = []
    parser_classes = [JSONParser, FormParser]  # no files: the public body is a few fields

    def get_permissions(self):
        if self.action in PUBLIC:
            return [AllowAny()]
        return super().get_permissions()

    def get_throttles(self):
        if self.action == "create":
            return [cls() for cls in SUBMIT_THROTTLES]
        if self.action == "status":
            return [cls() for cls in STATUS_THROTTLES]
        return []

    def throttled(self, request, wait):
        raise exceptions.Throttled(wait=wait, detail=MSG_THROTTLED.format(wait=wait_label(wait)))

    def initial(self, request, *args, **kwargs):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.DECLARATION_MAX_BODY_BYTES:
            raise _TooLarge()
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        state = params.get("state", "")
        filters = selectors.DeclarationFilters(
            q=params.get("q", "")[:50],
            town=_int(params.get("town")),
            village=_int(params.get("village")),
            state=state if state in State.values else "",
            overdue=_bool(params.get("overdue")),
        )
        return selectors.declaration_list(user=self.request.user, filters=filters)

    @extend_schema(
        summary="列出自主申报",
        parameters=[
            OpenApiParameter("q", str, description="姓名、身份证号、手机号或回执码"),
            OpenApiParameter("town", int),
            OpenApiParameter("village", int),
            OpenApiParameter("state", str, enum=State.values),
            OpenApiParameter("overdue", bool, description="true：超过答复截止日期仍未答复"),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="提交自主申报（公开，无需登录）",
        description=(
            "群众自主申报（一码申报）。身份证号按国家标准校验，手机号须为11位大陆手机号，"
            "consent 须为 true。同一身份证号已有未办结申报的，本次并入原申报并返回原回执码"
            "（200，merged=true）；否则新建（201）。按IP地址和手机号限流，超过时返回 429。"
        ),
        request=SubmitSerializer,
        responses={
            201: ReceiptSerializer,
            200: ReceiptSerializer,
            429: THROTTLED,
            **error_responses(
                bad_request="字段缺失或无效：身份证号校验不通过、手机号格式不对、未同意信息使用说明、内容过长。",
                not_found=None,
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        if request.FILES:
            raise _NoFiles()
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        declaration, created = services.declaration_submit(**serializer.validated_data)
        body = {
            "receipt_code": declaration.receipt_code,
            "merged": not created,
            "status": declaration.state,
            "status_display": declaration.public_status,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="查询办理进度（公开，无需登录）",
        description="凭回执码和手机号查询，只返回办理状态（及未纳入的原因类别）。回执码不存在与手机号不符的回答相同（404）。",
        parameters=[
            OpenApiParameter("code", str, required=True, description="回执码"),
            OpenApiParameter("phone", str, required=True, description="申报时填写的手机号"),
        ],
        responses={
            200: PublicStatusSerializer,
            429: THROTTLED,
            **error_responses(bad_request="缺少 code 或 phone。", not_found=MSG_NOT_FOUND),
        },
    )
    @action(detail=False, methods=["get"])
    def status(self, request):
        query = StatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.declaration_status(**query.validated_data)
        if found is None:
            raise exceptions.NotFound(MSG_NOT_FOUND)
        body = {
            "status": found.state,
            "public_status": found.public_status,
            "decline_reason": found.decline_reason,
        }
        return Response(PublicStatusSerializer(body).data)

    def _answering(self):
        if not selectors.can_answer(self.request.user):
            raise PermissionDenied(services.MSG_NOT_YOURS)
        return self.get_object()

    def _respond(self, declaration):
        declaration = self.get_queryset().get(pk=declaration.pk)
        return Response(
            DeclarationSerializer(declaration, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="纳入识别程序",
        description=(
            "村（或镇）答复：以“自主申报”为来源登记识别申请（三(七)1 户申请），申报与申请互相关联；"
            "该户已有未办结的识别申请的，并入该申请。申报人须已在台账中登记（否则先在页面上据申报登记农户），"
            "且属于三(五)识别范围、尚未纳入监测。"
        ),
        request=AcceptSerializer,
        responses={
            200: DeclarationSerializer,
            **error_responses(
                bad_request="申报人未在台账中登记或不在本人范围；不属于三(五)识别范围；已是监测对象。",
                forbidden="只有本村防贫监测员或本镇干部可以办理。",
                conflict="该申报已答复（state 为其状态）。",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        declaration = self._answering()
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.declaration_accept(
                actor=request.user, declaration=declaration, **serializer.validated_data
            )
        )

    @extend_schema(
        summary="不予纳入",
        description="村（或镇）答复：选择原因类别（申报人查询时可见）并填写具体说明（镇、村可见）。",
        request=DeclineSerializer,
        responses={
            200: DeclarationSerializer,
            **error_responses(
                bad_request="未选择原因类别或未填写说明。",
                forbidden="只有本村防贫监测员或本镇干部可以办理。",
                conflict="该申报已答复（state 为其状态）。",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        declaration = self._answering()
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.declaration_decline(
                actor=request.user, declaration=declaration, **serializer.validated_data
            )
        )
