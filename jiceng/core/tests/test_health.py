"""``GET /healthz``: one ``SELECT 1``, no login, JSON, 503 when the database is gone."""

from unittest import mock

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_answers_ok_with_one_query_and_no_login(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies  # no session is created for a probe


def test_head_is_allowed_and_writes_are_not(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_database_down_answers_503(client):
    with mock.patch("jiceng.core.health.connection.cursor", side_effect=DatabaseError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
