from axes.helpers import get_lockout_message
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.accounts.models import ApiToken, User
from jiceng.accounts.services import issue_token, revoke_token_of
from jiceng.accounts.throttling import MESSAGE, LoginThrottle, LoginThrottledView
from jiceng.core.api import IdPagination, error_response


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名")
    password = serializers.CharField(label="密码", style={"input_type": "password"})
    purpose = serializers.CharField(label="用途（如设备名）", max_length=60, required=False, allow_blank=True)


class ObtainTokenView(LoginThrottledView, APIView):
    """用户名、密码换取 API 令牌；之后在请求头中带 `Authorization: Token <令牌>`。

    每次换取都签发一个新令牌，到期时间见 `expires_at`（有效期为城市规则“API 令牌有效期”）。
    本接口与登录页共用每个地址每分钟的次数限额，超过时返回 429。"""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            ),
            429: OpenApiResponse(description=MESSAGE),
        },
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request=request._request, username=data["username"], password=data["password"])
        if getattr(request._request, "axes_locked_out", False):
            # Answer in the API's JSON shape; left set, AxesMiddleware would swap in its HTML page.
            request._request.axes_locked_out = False
            return error_response(f"登录失败次数过多，账号已被锁定。{get_lockout_message()}", 403, "locked_out")
        if user is None or not user.is_active:
            return error_response("用户名或密码不正确。", 400, "invalid_credentials")
        token, key = issue_token(user, user, label=data.get("purpose") or "API 登录")
        return Response({"token": key, "expires_at": token.expires_at})


class ApiTokenSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state_label", read_only=True, label="状态")

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "label", "created_at", "expires_at", "last_used_at", "revoked_at", "state"]
        read_only_fields = fields


class ApiTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """本人的 API 令牌（不含令牌本身，只有前几位）：列表与撤销。管理员在“系统管理”页面管理他人的令牌。"""

    serializer_class = ApiTokenSerializer
    pagination_class = IdPagination
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        # One's own tokens only: another user's token answers 404, as out of scope does.
        user = self.request.user
        if not isinstance(user, User):  # IsAuthenticated has refused anyone else
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=user)

    @extend_schema(request=None, responses={200: ApiTokenSerializer}, tags=["auth"])
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """撤销本人的一个令牌（已撤销的再次撤销不报错）。"""
        token = revoke_token_of(request.user, self.get_object())
        return Response(ApiTokenSerializer(token).data)
