"""Login lockout with django-axes, on the login page and on the token endpoint."""

import pytest
from django.conf import settings

PASSWORD = "correct-horse-battery"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def _fast_hashing(cheap_argon2):
    pass


@pytest.fixture
def user(make_user):
    return make_user("zhangsan", password=PASSWORD)


def post_login(client, username, password, ip="10.1.1.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client):
    return "_auth_user_id" in client.session


def test_failure_limit_is_configured():
    assert LIMIT >= 3


def test_correct_password_logs_in(client, user):
    response = post_login(client, "zhangsan", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_wrong_password_shows_chinese_error(client, user):
    response = post_login(client, "zhangsan", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert not is_logged_in(client)


def test_lockout_after_limit_then_correct_password_still_refused(client, user):
    for _ in range(LIMIT - 1):
        response = post_login(client, "zhangsan", "wrong")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    response = post_login(client, "zhangsan", "wrong")
    content = response.content.decode()
    assert response.status_code in (403, 429)
    assert "登录失败次数过多" in content
    assert "锁定" in content
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"{minutes} 分钟" in content or f"{minutes // 60} 小时" in content  # the wait, in Chinese
    assert f"PT{minutes}M" not in content  # not an ISO 8601 duration
    # Now even the right password does not get in.
    response = post_login(client, "zhangsan", PASSWORD)
    assert response.status_code in (403, 429)
    assert "登录失败次数过多" in response.content.decode()
    assert not is_logged_in(client)
    assert client.get("/").status_code == 302


def test_failures_below_the_limit_do_not_lock(client, user):
    for _ in range(LIMIT - 1):
        post_login(client, "zhangsan", "wrong")
    response = post_login(client, "zhangsan", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_success_resets_the_counter(client, user):
    for _ in range(LIMIT - 1):
        post_login(client, "zhangsan", "wrong")
    assert post_login(client, "zhangsan", PASSWORD).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        post_login(client, "zhangsan", "wrong")
    assert post_login(client, "zhangsan", PASSWORD).status_code == 302


def test_lockout_does_not_lock_colleagues_behind_the_same_address(client, user, make_user):
    make_user("lisi", password=PASSWORD)
    for _ in range(LIMIT):
        post_login(client, "zhangsan", "wrong")
    assert post_login(client, "zhangsan", PASSWORD).status_code in (403, 429)
    assert post_login(client, "lisi", PASSWORD).status_code == 302


def test_api_token_lockout(api_client, user):
    def post(password):
        return api_client.post(
            "/api/v1/auth/token/", {"username": "zhangsan", "password": password}, REMOTE_ADDR="10.2.2.2"
        )

    for _ in range(LIMIT - 1):
        response = post("wrong")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_credentials"
    response = post("wrong")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "locked_out"
    assert error["status"] == 403
    assert "锁定" in error["message"]
    response = post(PASSWORD)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "locked_out"
    assert "token" not in response.json()


def test_page_lockout_also_blocks_the_api(client, api_client, user):
    for _ in range(LIMIT):
        post_login(client, "zhangsan", "wrong", ip="10.3.3.3")
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "zhangsan", "password": PASSWORD}, REMOTE_ADDR="10.3.3.3"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "locked_out"
