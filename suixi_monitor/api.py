"""Project-wide API plumbing: pagination, the one error mapping and its documented shapes."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ApplicationError

# The largest id a database key holds (64-bit): a larger number in a lookup is no row, and
# SQLite refuses it with an overflow instead of finding nothing.
MAX_ID = 2**63 - 1


def id_field(**kwargs) -> serializers.IntegerField:
    """An id the client names in a body (``ids: [..]``): a positive 64-bit integer."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """Map domain errors once: ApplicationError → 400/409, Django ValidationError → 400."""
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message, **exc.extra}
        if exc.field:
            body[exc.field] = [exc.message]
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        body = as_serializer_error(exc)
        if NON_FIELD_ERRORS in body:  # a model's clean() error, named as DRF names its own
            body[api_settings.NON_FIELD_ERRORS_KEY] = body.pop(NON_FIELD_ERRORS)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError("请求内容格式不正确（不是有效的 JSON 或表单数据）。")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到。")
    elif isinstance(exc, PermissionDenied):
        # Keep the service's own reason ("只有县扶贫局可以…"); DRF's default says only "no permission".
        exc = exceptions.PermissionDenied(*exc.args[:1])
    return drf_exception_handler(exc, context)


# --- the error bodies, for the schema -----------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """A refusal (403, 404): ``{"detail": "…"}``, the reason in Chinese."""

    detail = serializers.CharField(help_text="中文说明")


class ConflictSerializer(ErrorSerializer):
    """A step in the wrong state (409): the reason and the object's current state."""

    state = serializers.CharField(required=False, help_text="对象当前所处的状态（环节）代码")
    procedure = serializers.CharField(
        required=False, help_text="识别申请所按识别程序的代码（该程序没有所请求的步骤时）"
    )


# 400: the message names the field it is about; a rule that is no one field's has ``detail``.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        '字段名为键、中文错误信息列表为值，如 {"reason": ["请填写撤回原因"]}；'
        "不属于某一字段的规则另有 detail（引用政策条款）。"
    ),
    "properties": {
        "detail": {"type": "string", "description": "不属于某一字段的规则的中文说明"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    # Usually a list of messages; a nested input (a list of rows) answers per row.
    "additionalProperties": {"description": "中文错误信息列表；嵌套的输入按行或字段给出"},
}


def error_responses(
    *,
    bad_request: str | None = None,
    forbidden: str | None = None,
    conflict: str | None = None,
    not_found: str | None = "不存在，或不在本人管辖范围内。",
) -> dict[int, OpenApiResponse]:
    """The documented 400/403/404/409 answers of an operation, each with its body's shape."""
    answers = {
        400: (bad_request, VALIDATION_ERROR_SCHEMA),
        403: (forbidden, ErrorSerializer),
        404: (not_found, ErrorSerializer),
        409: (conflict, ConflictSerializer),
    }
    return {
        code: OpenApiResponse(response=body, description=text)
        for code, (text, body) in answers.items()
        if text
    }
