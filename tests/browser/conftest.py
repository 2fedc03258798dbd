"""The ``browser`` fixture: Debian's Chromium through Playwright (see harness.py)."""

import pytest
from django.db import connections

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, chromium_or_skip


@pytest.fixture
def browser():
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # The test's ORM calls ran while Playwright's loop was up, on a connection of their own
            # (Django's connections are per context); close it, or it stays open on the test database.
            connections.close_all()
