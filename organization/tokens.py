"""API tokens (django-rest-knox): issued for a username and password, stored only as a hash,
ended by their expiry (``REST_KNOX["TOKEN_TTL"]``), by ``POST /api/auth/logout/``, and by
any change of the account's password (``User.save``)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from knox.models import get_token_model
from knox.settings import knox_settings
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

MSG_CREDENTIALS = "用户名或密码不正确，或账号已停用"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名")
    password = serializers.CharField(label="密码", style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(label="令牌（请求头 Authorization: Token <令牌>）")
    expiry = serializers.DateTimeField(label="失效时间")


def revoke_tokens(user) -> int:
    """End every API token of ``user``; returns how many there were."""
    deleted, _ = get_token_model().objects.filter(user=user).delete()
    return deleted


class TokenObtainView(APIView):
    """A new token for a username and password. Wrong passwords count towards the sign-in
    lockout (django-axes) like those typed on the sign-in page."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="用户名或密码不正确"),
            429: OpenApiResponse(description="密码连续输错次数过多，暂停登录（说明何时可再试）"),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request, so that django-axes marks a lockout where its middleware looks.
        user = authenticate(
            request=request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise serializers.ValidationError({"non_field_errors": [MSG_CREDENTIALS]})
        instance, token = get_token_model().objects.create(
            user=user, expiry=knox_settings.TOKEN_TTL, prefix=knox_settings.TOKEN_PREFIX
        )
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)


class TokenLogoutView(APIView):
    """Ends the token this request was made with."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        request._auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
