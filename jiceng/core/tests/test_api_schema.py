from django.core.management import call_command


def test_openapi_schema_generates_without_warnings(tmp_path):
    """Every endpoint is described, and no two choice sets share an ambiguous enum name."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    for path in ("/api/v1/areas/", "/api/v1/orgs/", "/api/v1/members/", "/api/v1/appeals/", "/api/v1/auth/token/"):
        assert path in text
    assert "AppealStatusEnum" in text and "MemberStatusEnum" in text
