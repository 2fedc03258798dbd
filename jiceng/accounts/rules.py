"""The accounts' numbers: API token lifetime and the login throttle, as city-editable rules.

Read them with :func:`jiceng.core.rules.get_rule`; the keys are the constants below.
"""

from jiceng.core.rules import Integer, register

TOKEN_LIFETIME_DAYS = "accounts.token_lifetime_days"
TOKENS_PER_USER = "accounts.tokens_per_user"
LOGIN_ATTEMPTS_PER_MINUTE = "accounts.login_attempts_per_minute"

_GB_22239 = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》8.1.4.1 身份鉴别"

register(
    TOKEN_LIFETIME_DAYS,
    "API 令牌有效期（天）",
    30,
    f"{_GB_22239}a)：身份鉴别信息具有复杂度要求并定期更换；令牌到期后须重新登录换取（默认30天）。",
    type=Integer(min_value=1, max_value=365),
)
register(
    TOKENS_PER_USER,
    "每个账号同时有效的 API 令牌数上限",
    10,
    f"{_GB_22239}：每次登录换取新令牌；超过此数时最早的令牌自动撤销，避免无人管理的令牌长期有效（平台约定）。",
    type=Integer(min_value=1, max_value=100),
)
register(
    LOGIN_ATTEMPTS_PER_MINUTE,
    "同一地址每分钟登录和换取令牌的次数上限",
    30,
    f"{_GB_22239}b)：应具有登录失败处理功能，限制非法登录次数；同一网络地址（办公室出口）共享此限额（平台约定）。",
    type=Integer(min_value=1, max_value=10000),
)
