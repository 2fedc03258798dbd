"""REST API v1 contract: auth, filters, cursor pagination, detail by code, errors, schema, docs."""

import re
from urllib.parse import parse_qs, urlparse

import pytest

from jiceng.accounts.models import ApiToken
from jiceng.accounts.services import hash_key, issue_token
from jiceng.areas.models import Area

LIST = "/api/v1/areas/"


def has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


@pytest.fixture
def token_client(api_client):
    def make(user):
        _, key = issue_token(None, user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api_client

    return make


def assert_error(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert has_chinese(body["error"]["message"]), body
    return body["error"]


# --- authentication ---------------------------------------------------------------------


def test_anonymous_gets_401_json_in_chinese(api_client, tree):
    for url in (LIST, f"{LIST}{tree.beianmen.code}/"):
        error = assert_error(api_client.get(url), 401, "not_authenticated")
        assert "Authentication" not in error["message"]


def test_bad_token_is_401(api_client, tree):
    api_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert_error(api_client.get(LIST), 401, "authentication_failed")


def test_token_flow(api_client, tree, make_user, cheap_argon2):
    user = make_user("api_user", role="community", area=tree.beianmen, password="s3cret-pass-word")
    response = api_client.post("/api/v1/auth/token/", {"username": "api_user", "password": "s3cret-pass-word"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(user=user).key_hash == hash_key(token)
    # A new token per login, not the same one forever; the first one still works.
    again = api_client.post("/api/v1/auth/token/", {"username": "api_user", "password": "s3cret-pass-word"})
    assert again.json()["token"] != token
    assert ApiToken.objects.filter(user=user).count() == 2
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert codes(api_client.get(LIST))[0] == "320102002011"


def test_token_with_wrong_password_is_refused(api_client, tree, make_user, cheap_argon2):
    make_user("api_user", password="s3cret-pass-word")
    response = api_client.post("/api/v1/auth/token/", {"username": "api_user", "password": "wrong"})
    assert_error(response, 400, "invalid_credentials")
    assert "token" not in response.json()


def test_token_request_without_fields_is_400_with_fields(api_client, db):
    error = assert_error(api_client.post("/api/v1/auth/token/", {}), 400, "invalid")
    assert set(error["fields"]) == {"username", "password"}


def test_session_auth(client, tree, users):
    client.force_login(users.community)
    response = client.get(LIST)
    assert response.status_code == 200
    assert codes(response)[0] == "320102002011"


# --- scope ------------------------------------------------------------------------------


def test_list_is_scoped_to_the_subtree(token_client, tree, users):
    assert codes(token_client(users.community).get(LIST)) == [
        "320102002011",
        "320102002011001",
        "320102002011001001",
        "320102002011002",
    ]
    expected = sorted(Area.objects.subtree("320102").values_list("code", flat=True))
    assert codes(token_client(users.district).get(LIST)) == expected
    assert codes(token_client(users.grid).get(LIST)) == ["320102002011001", "320102002011001001"]
    assert codes(token_client(users.nobody).get(LIST)) == []


def test_superuser_lists_everything(token_client, tree, superuser):
    assert codes(token_client(superuser).get(LIST, {"page_size": 100})) == sorted(
        Area.objects.values_list("code", flat=True)
    )


def test_detail_outside_scope_is_404_like_missing(token_client, tree, users):
    client = token_client(users.community)
    hidden = assert_error(client.get(f"{LIST}{tree.gongyuan.code}/"), 404, "not_found")
    missing = assert_error(client.get(f"{LIST}999999999999/"), 404, "not_found")
    assert hidden == missing  # scope does not leak existence
    assert_error(client.get(f"{LIST}{tree.meiyuan.code}/"), 404, "not_found")


def test_filters_cannot_widen_scope(token_client, tree, users):
    client = token_client(users.community)
    assert codes(client.get(LIST, {"parent": tree.fuzimiao.code})) == []
    assert codes(client.get(LIST, {"code": "3201"})) == codes(client.get(LIST))
    assert codes(client.get(LIST, {"q": "贡院"})) == []


# --- detail -----------------------------------------------------------------------------


def test_detail_by_code(token_client, tree, users):
    response = token_client(users.community).get(f"{LIST}320102002011/")
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == "320102002011"
    assert data["name"] == "北安门社区"
    assert data["level"] == "community"
    assert data["level_display"] == "社区"
    assert data["parent"] == "320102002"
    assert data["households"] == 10
    assert data["total_households"] == 350
    assert data["total_population"] == 875
    assert data["child_count"] == 2
    assert data["descendant_count"] == 3
    assert data["url"].endswith("/api/v1/areas/320102002011/")


def test_api_is_read_only(token_client, tree, users):
    client = token_client(users.district)
    assert_error(client.post(LIST, {"code": "320102003", "name": "x"}), 405, "method_not_allowed")
    assert_error(client.delete(f"{LIST}320102002011/"), 405, "method_not_allowed")
    assert Area.objects.filter(code="320102002011").exists()


# --- filters ----------------------------------------------------------------------------


def test_filter_by_parent(token_client, tree, superuser):
    client = token_client(superuser)
    assert codes(client.get(LIST, {"parent": "320102002"})) == ["320102002001", "320102002011"]
    assert codes(client.get(LIST, {"parent": "3201"})) == ["320102", "320104"]
    assert codes(client.get(LIST, {"parent": "320102002011001001"})) == []


def test_filter_by_level(token_client, tree, superuser):
    client = token_client(superuser)
    assert codes(client.get(LIST, {"level": "community"})) == ["320102002001", "320102002011", "320104001001"]
    assert codes(client.get(LIST, {"level": "grid", "parent": "320102002011"})) == [
        "320102002011001",
        "320102002011002",
    ]
    assert_error(client.get(LIST, {"level": "province"}), 400, "invalid")


def test_filter_by_code_prefix(token_client, tree, superuser):
    client = token_client(superuser)
    assert codes(client.get(LIST, {"code": "320104"})) == ["320104", "320104001", "320104001001"]
    assert codes(client.get(LIST, {"code": "320102002011001"})) == ["320102002011001", "320102002011001001"]
    # A prefix that is not a whole code still selects by digits: 32010 covers 320102 and 320104.
    assert codes(client.get(LIST, {"code": "32010"})) == sorted(
        Area.objects.exclude(code="3201").values_list("code", flat=True)
    )
    for junk in ("abc", "３２０１", "²"):
        assert codes(client.get(LIST, {"code": junk})) == []


def test_filter_by_q(token_client, tree, superuser):
    client = token_client(superuser)
    assert codes(client.get(LIST, {"q": "贡院"})) == ["320104001001"]
    assert codes(client.get(LIST, {"q": "第二网格"})) == ["320102002011002"]
    assert codes(client.get(LIST, {"q": "320104"})) == ["320104", "320104001", "320104001001"]
    assert codes(client.get(LIST, {"q": "不存在的名字"})) == []
    assert codes(client.get(LIST, {"q": "²"})) == []


# --- pagination -------------------------------------------------------------------------


def test_cursor_pagination_walks_every_row_once(token_client, tree, superuser):
    client = token_client(superuser)
    seen = []
    response = client.get(LIST, {"page_size": 5})
    pages = 0
    while True:
        body = response.json()
        assert len(body["results"]) <= 5
        seen.extend(row["code"] for row in body["results"])
        pages += 1
        if not body["next"]:
            break
        next_url = urlparse(body["next"])
        assert next_url.path == LIST
        query = parse_qs(next_url.query)
        assert "cursor" in query and query["page_size"] == ["5"]
        response = client.get(body["next"])
        assert response.status_code == 200
    total = Area.objects.count()
    assert seen == sorted(Area.objects.values_list("code", flat=True))
    assert pages == -(-total // 5)
    assert "count" not in response.json()  # keyset pagination never counts the table


def test_default_page_and_previous_link(token_client, tree, superuser):
    client = token_client(superuser)
    first = client.get(LIST, {"page_size": 2}).json()
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert second["previous"]
    back = client.get(second["previous"]).json()
    assert [r["code"] for r in back["results"]] == [r["code"] for r in first["results"]]
    whole = client.get(LIST).json()
    assert whole["next"] is None
    assert len(whole["results"]) == Area.objects.count()


def test_pagination_keeps_filters(token_client, tree, superuser):
    client = token_client(superuser)
    body = client.get(LIST, {"code": "320102", "page_size": 3}).json()
    assert "code=320102" in body["next"]
    rest = client.get(body["next"]).json()
    assert all(row["code"].startswith("320102") for row in rest["results"])


def test_bad_cursor_is_404_json(token_client, tree, superuser):
    assert_error(token_client(superuser).get(LIST, {"cursor": "garbage"}), 404, "not_found")


# --- schema and docs --------------------------------------------------------------------


def test_openapi_schema_is_served(client, tree, superuser):
    client.force_login(superuser)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "基层 Jiceng API"
    assert "/api/v1/areas/" in schema["paths"]
    assert "/api/v1/areas/{code}/" in schema["paths"]
    assert "/api/v1/auth/token/" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/areas/"]["get"]["parameters"]}
    assert {"parent", "level", "code", "q", "cursor", "page_size"} <= params


def test_swagger_ui_is_served_without_internet(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    # No CDN: every URL the page loads is on this server, under /static/ (or the schema itself).
    external = re.findall(r"""(?:https?:)?//[a-z0-9.-]+[^"'\s)]*""", html, flags=re.I)
    assert [u for u in external if not u.startswith(("http://testserver/", "//testserver/"))] == []
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert assets, html
    # The page's own script comes from the page's URL (no inline script: content-security policy).
    script = "/api/docs/?script="
    assert script in assets
    for asset in assets:
        assert asset.startswith("/static/") or asset == script, asset
        assert client.get(asset).status_code == 200, asset
    assert "/api/schema/" in client.get(script).content.decode()
