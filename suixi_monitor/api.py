"""Project-wide API plumbing: pagination and the one error mapping."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ApplicationError


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
