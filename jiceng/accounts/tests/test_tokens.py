"""API tokens: a new one per login, expiry (a rule), revocation, refusal while the account is
disabled or locked out, a cap per user, and the login throttle shared by the page and the API."""

from datetime import timedelta

import pytest
from axes.utils import reset
from django.conf import settings
from django.utils import timezone

from jiceng.accounts.models import ApiToken
from jiceng.accounts.rules import LOGIN_ATTEMPTS_PER_MINUTE, TOKEN_LIFETIME_DAYS, TOKENS_PER_USER
from jiceng.accounts.services import issue_token, revoke_token
from jiceng.core.models import Rule
from jiceng.core.rules import forget_rule

PASSWORD = "correct-horse-battery"
TOKEN_URL = "/api/v1/auth/token/"
LIST = "/api/v1/areas/"


@pytest.fixture(autouse=True)
def _fast_hashing(cheap_argon2):
    pass


@pytest.fixture
def user(make_user, tree):
    return make_user("zhangsan", role="community", area=tree.beianmen, password=PASSWORD)


def set_rule(key, value):
    Rule.objects.update_or_create(key=key, defaults={"value": value})
    forget_rule(key)


def login(api_client, password=PASSWORD, ip="10.9.9.9", **extra):
    return api_client.post(TOKEN_URL, {"username": "zhangsan", "password": password, **extra}, REMOTE_ADDR=ip)


def get_with(api_client, key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client.get(LIST)


def error_code(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]["code"]


def test_each_login_issues_a_new_token_that_expires_after_the_rule(api_client, user):
    first = login(api_client, purpose="手机")
    second = login(api_client)
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    token = ApiToken.objects.get(user=user, label="手机")
    lifetime = token.expires_at - token.created_at
    assert timedelta(days=30) - timedelta(seconds=5) < lifetime <= timedelta(days=30)
    assert get_with(api_client, first.json()["token"]).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_lifetime_is_a_city_rule(api_client, user):
    set_rule(TOKEN_LIFETIME_DAYS, 7)
    login(api_client)
    token = ApiToken.objects.get(user=user)
    assert timedelta(days=7) - timedelta(seconds=5) < token.expires_at - token.created_at <= timedelta(days=7)


def test_an_expired_token_is_refused(api_client, user):
    token, key = issue_token(None, user)
    assert get_with(api_client, key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = get_with(api_client, key)
    assert error_code(response, 401) == "token_expired"
    assert "过期" in response.json()["error"]["message"]


def test_a_revoked_token_is_refused_and_others_still_work(api_client, user):
    token, key = issue_token(None, user)
    _, other = issue_token(None, user)
    revoke_token(user, token)
    assert error_code(get_with(api_client, key), 401) == "token_revoked"
    assert get_with(api_client, other).status_code == 200


def test_a_disabled_account_token_is_refused(api_client, user):
    _, key = issue_token(None, user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert error_code(get_with(api_client, key), 401) == "account_disabled"


def test_a_locked_out_account_token_is_refused_until_unlocked(client, api_client, user):
    _, key = issue_token(None, user)
    # Failed logins on the page, from another address than the token's client.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "zhangsan", "password": "wrong"}, REMOTE_ADDR="10.4.4.4")
    response = get_with(api_client, key)
    assert error_code(response, 401) == "locked_out"
    assert "锁定" in response.json()["error"]["message"]
    reset(username="zhangsan")
    assert get_with(api_client, key).status_code == 200


def test_failures_below_the_limit_do_not_refuse_the_token(client, api_client, user):
    _, key = issue_token(None, user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "zhangsan", "password": "wrong"}, REMOTE_ADDR="10.4.4.4")
    assert get_with(api_client, key).status_code == 200


def test_beyond_the_cap_the_oldest_tokens_are_revoked(api_client, user):
    set_rule(TOKENS_PER_USER, 2)
    keys = [login(api_client).json()["token"] for _ in range(3)]
    assert error_code(get_with(api_client, keys[0]), 401) == "token_revoked"
    assert get_with(api_client, keys[1]).status_code == 200
    assert get_with(api_client, keys[2]).status_code == 200
    assert ApiToken.objects.filter(user=user, revoked_at=None).count() == 2


def test_the_key_is_not_stored(api_client, user):
    _, key = issue_token(None, user)
    stored = ApiToken.objects.get(user=user)
    assert key not in {stored.key_hash, stored.prefix, stored.label}
    assert key.startswith(stored.prefix)


def test_token_endpoint_is_throttled_per_address(api_client, user):
    set_rule(LOGIN_ATTEMPTS_PER_MINUTE, 3)
    for _ in range(3):
        assert login(api_client, password="wrong").status_code == 400
    response = login(api_client)  # even the right password, once over the limit
    assert error_code(response, 429) == "throttled"
    assert "频繁" in response.json()["error"]["message"]
    assert "token" not in response.json()
    assert int(response["Retry-After"]) > 0
    # Another address has its own budget.
    assert login(api_client, ip="10.8.8.8").status_code == 200


def test_login_page_is_throttled_and_shares_the_budget(client, api_client, user):
    set_rule(LOGIN_ATTEMPTS_PER_MINUTE, 2)
    login(api_client, password="wrong", ip="10.5.5.5")
    client.post("/accounts/login/", {"username": "zhangsan", "password": "wrong"}, REMOTE_ADDR="10.5.5.5")
    response = client.post("/accounts/login/", {"username": "zhangsan", "password": PASSWORD}, REMOTE_ADDR="10.5.5.5")
    assert response.status_code == 429
    assert "登录过于频繁" in response.content.decode()
    assert "_auth_user_id" not in client.session
    other = client.post("/accounts/login/", {"username": "zhangsan", "password": PASSWORD}, REMOTE_ADDR="10.6.6.6")
    assert other.status_code == 302


def test_the_owner_lists_and_revokes_tokens_through_the_api(api_client, user, make_user):
    first, key = issue_token(None, user, label="对接")
    second, _ = issue_token(None, user, label="手机")
    theirs, _ = issue_token(None, make_user("lisi"))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = api_client.get("/api/v1/auth/tokens/").json()["results"]
    assert [row["label"] for row in listed] == ["手机", "对接"]
    assert all(key not in str(row) for row in listed)
    assert {row["state"] for row in listed} == {"有效"}
    revoked = api_client.post(f"/api/v1/auth/tokens/{second.pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["state"] == "已撤销"
    assert error_code(api_client.post(f"/api/v1/auth/tokens/{theirs.pk}/revoke/"), 404) == "not_found"
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    # Revoking the token in use logs the client out.
    assert api_client.post(f"/api/v1/auth/tokens/{first.pk}/revoke/").status_code == 200
    assert error_code(api_client.get("/api/v1/auth/tokens/"), 401) == "token_revoked"


def test_find_token_equals_the_orm_query(client, api_client, user):
    """``find_token``'s statement, written once per process, reads the same token, user and
    lock-out as the ORM query it replaces: for a live token, an unknown key, and after the account
    was locked out and unlocked."""
    from jiceng.accounts.lockout import locked_exists
    from jiceng.accounts.services import find_token, hash_key

    _, key = issue_token(None, user)

    def orm(k):
        return (
            ApiToken.objects.select_related("user")
            .annotate(locked=locked_exists("user__username"))
            .filter(key_hash=hash_key(k))
            .first()
        )

    def same(k):
        mine, theirs = find_token(k), orm(k)
        if theirs is None:
            assert mine is None
            return None
        fields = [f.attname for f in ApiToken._meta.concrete_fields]
        assert [getattr(mine, f) for f in fields] == [getattr(theirs, f) for f in fields]
        user_fields = [f.attname for f in type(theirs.user)._meta.concrete_fields]
        assert [getattr(mine.user, f) for f in user_fields] == [getattr(theirs.user, f) for f in user_fields]
        assert mine.locked == theirs.locked
        return mine

    assert same(key).locked is False
    assert same("no-such-key") is None
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "zhangsan", "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
    assert same(key).locked is True
    reset(username="zhangsan")
    assert same(key).locked is False
