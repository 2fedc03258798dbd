from axes.helpers import get_lockout_message
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.api import error_response


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名")
    password = serializers.CharField(label="密码", style={"input_type": "password"})


class ObtainTokenView(APIView):
    """用户名、密码换取 API 令牌；之后在请求头中带 `Authorization: Token <令牌>`。"""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **serializer.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            # Answer in the API's JSON shape; left set, AxesMiddleware would swap in its HTML page.
            request._request.axes_locked_out = False
            return error_response(f"登录失败次数过多，账号已被锁定。{get_lockout_message()}", 403, "locked_out")
        if user is None or not user.is_active:
            return error_response("用户名或密码不正确。", 400, "invalid_credentials")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
