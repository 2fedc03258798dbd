"""The production profile: the content-security policy on every page, and the checks a deployment needs.

Django 5.2 has no content-security policy of its own, and the policy here is one fixed string, so
a middleware of a few lines sets it (no dependency). Every page is served from this site alone: no
inline ``<script>``, no ``on…=`` handler, no ``style=`` attribute and no ``<style>`` element, so the
policy needs neither ``'unsafe-inline'`` nor ``'unsafe-eval'``. The behaviours pages need live in
``static/jiceng/jiceng.js``; ``tests/browser/test_csp.py`` loads the main pages under this policy
and fails on any violation.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.http import HttpRequest, HttpResponse

# data: for the small SVG icons that Tabler's and Swagger UI's style sheets embed.
DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` (``settings.CONTENT_SECURITY_POLICY``) to every answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or DEFAULT_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Django's technical 404/500 pages (DEBUG on, never in production) are inline styles and scripts.
        technical = settings.DEBUG and response.status_code in (404, 500)
        if not technical and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Several web processes keep the cached tables, rules and throttles in the cache: share it."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The cache is local to each process: the rules and cached tables other processes "
                "changed are seen here only after their entries expire (60 s).",
                hint="Set CACHE_URL=redis://… (docs/deployment.md).",
                id="jiceng.W001",
            )
        ]
    return []
