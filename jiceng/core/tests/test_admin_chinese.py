"""The /admin/ that remains is Chinese: its header, the app list, every model's list columns
and form labels, and it has the site's favicon."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
# Short Latin terms a Chinese office uses as they are.
ALLOWED = {"ID", "IP", "API", "Excel", "URL", "JSON", "Open311", "HTTP", "E-mail", "Email", "Token"}
# Form labels and column headers (a row's own <th> holds data, not a label).
TEXT = re.compile(r"<(label|th scope=\"col\")[^>]*>(.*?)</(?:label|th)>", re.S)
TAGS = re.compile(r"<[^>]+>")


def english_labels(html: str) -> list[str]:
    found = []
    for _, inner in TEXT.findall(html):
        text = TAGS.sub("", inner).strip().rstrip(":：")
        if text and not CJK.search(text) and text not in ALLOWED and re.search(r"[A-Za-z]{3,}", text):
            found.append(text)
    return found


def test_admin_index_is_chinese_with_favicon(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()
    assert "基层治理平台管理后台" in page
    assert "jiceng/favicon.svg" in page
    for english in ("Task Results", "access attempts", "Axes", "Django administration"):
        assert english not in page


def test_every_admin_list_and_form_has_chinese_labels(client, superuser):
    client.force_login(superuser)
    problems = {}
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls = [reverse(f"{prefix}_changelist")]
        if model_admin.has_add_permission(type("R", (), {"user": superuser})()):
            urls.append(reverse(f"{prefix}_add"))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            labels = english_labels(response.content.decode())
            if labels:
                problems[url] = labels
    assert problems == {}
