"""The PDF renderer's edges: a server without WeasyPrint or Pango answers a Chinese page naming
what is missing (the rest of the platform runs), and a document never fetches a URL."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from jiceng.core import pdf


@pytest.fixture
def missing_pango(monkeypatch):
    monkeypatch.setattr(pdf, "pdf_missing", lambda: "系统库 Pango（Debian 包 libpango-1.0-0）")


@pytest.mark.django_db
def test_without_pango_the_print_view_says_what_is_missing(missing_pango, login, users, tree):
    response = login(users.district).get(reverse("areas:area_detail", args=[tree.xuanwu.code]))
    assert response.status_code == 200  # the rest of the platform runs
    response = login(users.district).get(reverse("members:dues_list_pdf", args=["0"]))
    assert response.status_code in (404,)  # scope is checked before printing
    request = RequestFactory().get("/")
    request.user = users.district
    response = pdf.pdf_response(request, "print/member_sheet.html", {}, "x.pdf")
    assert response.status_code == 503
    text = response.content.decode()
    assert "暂时无法生成 PDF" in text
    assert "libpango-1.0-0" in text


def test_this_machine_can_print():
    pdf.pdf_missing.cache_clear()
    assert pdf.pdf_missing() is None


def test_documents_fetch_no_url(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }")
    fetcher = pdf.no_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(secret.as_uri())
    from weasyprint import HTML

    asked = []
    original = fetcher.fetch

    def spy(url, headers=None):
        asked.append(url)
        return original(url, headers)

    fetcher.fetch = spy
    HTML(string=f'<link rel="stylesheet" href="{secret.as_uri()}"><p>文字</p>', url_fetcher=fetcher).write_pdf()
    assert asked == [secret.as_uri()]  # asked once, refused, and the document still renders
