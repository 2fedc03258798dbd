"""Printable documents: a Django template rendered to an A4 PDF on the server (WeasyPrint).

Every printed document extends ``print/base.html`` (A4, Chinese fonts, page numbers "第 N 页 共 M
页", a header and a footer line) and is returned by :func:`pdf_response`. WeasyPrint needs the
system library Pango (Debian ``libpango-1.0-0``, with ``fonts-noto-cjk`` for the Chinese glyphs).
Without it the rest of the platform runs: :func:`pdf_missing` names what is missing and the print
views answer a Chinese page saying so (503) instead of a PDF.

The renderer fetches nothing: documents carry no external resources, and the URL fetcher refuses
every URL, so a value typed by a user (a description with ``<img src=…>`` escaped or not) can
never make the server open a connection or read a local file.
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

MISSING_TEXT = "服务器未安装打印所需的系统组件（{what}），暂时无法生成 PDF。请联系系统管理员安装后再试。"


@functools.cache
def pdf_missing() -> str | None:
    """``None`` when PDFs can be made here, else what is missing (for the page and the logs)."""
    try:
        import weasyprint  # noqa: F401  (Pango is loaded when the module is imported)
    except ImportError:
        return "Python 包 WeasyPrint"
    except OSError:
        return "系统库 Pango（Debian 包 libpango-1.0-0）"
    return None


def no_fetcher():
    """A WeasyPrint URL fetcher that refuses every URL (file:, http:, data: alike)."""
    from weasyprint.urls import URLFetcher

    class NoFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"printed documents load no external resources ({url[:60]})")

    return NoFetcher(allowed_protocols=())


def render_pdf(template: str, context: dict, request=None) -> bytes:
    """The PDF bytes of ``template`` with ``context`` (raises when :func:`pdf_missing`)."""
    from weasyprint import HTML

    context = {"printed_at": timezone.localtime(), **context}
    html = render_to_string(template, context, request=request)
    return HTML(string=html, url_fetcher=no_fetcher(), base_url="about:blank").write_pdf()


def pdf_response(request, template: str, context: dict, filename: str) -> HttpResponse:
    """The document as an inline PDF named ``filename`` (Chinese allowed), or the 503 page."""
    missing = pdf_missing()
    if missing:
        return render(
            request,
            "print/unavailable.html",
            {"message": MISSING_TEXT.format(what=missing)},
            status=503,
        )
    response = HttpResponse(render_pdf(template, context, request), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response
