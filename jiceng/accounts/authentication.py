"""``Authorization: Token <key>`` against :class:`~jiceng.accounts.models.ApiToken`.

DRF's own token has one key per user that never expires. Here a key is refused, each with its
own code in the API's error envelope, when it is unknown, revoked or expired, or when its
account is disabled or locked out after too many failed logins.
"""

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from jiceng.accounts.services import find_token, record_token_use


class TokenRevoked(exceptions.AuthenticationFailed):
    default_detail = "令牌已被撤销，请重新登录换取。"
    default_code = "token_revoked"


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = "令牌已过期，请重新登录换取。"
    default_code = "token_expired"


class AccountDisabled(exceptions.AuthenticationFailed):
    default_detail = "该账号已停用。"
    default_code = "account_disabled"


class AccountLockedOut(exceptions.AuthenticationFailed):
    default_detail = "登录失败次数过多，账号已被锁定，请稍后再试或联系管理员解锁。"
    default_code = "locked_out"


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = find_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效。")
        if token.revoked_at is not None:
            raise TokenRevoked()
        if token.expires_at <= timezone.now():
            raise TokenExpired()
        if not token.user.is_active:
            raise AccountDisabled()
        if getattr(token, "locked", False):
            raise AccountLockedOut()
        record_token_use(token)
        return token.user, token
