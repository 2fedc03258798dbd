"""What every browser test shares: the Chromium launch, viewports, the overflow probe.

Drives Debian's ``/usr/bin/chromium`` through Playwright against pytest-django's live server; no
browser is ever downloaded. Without Chromium a test is a loud skip, and with ``CI=true`` a failure.
"""

import os
import re
import warnings
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the test thread; Django then refuses ORM
# calls from that thread (the fixtures, the in-memory SQLite shared with the server) unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 375, "height": 812}
DESK = {"width": 1280, "height": 900}

# Every element's box, as the user's browser lays it out; anything poking past the right edge
# of the screen makes the page scroll sideways, except inside a box that scrolls (or clips) on its
# own, like a wide table in ``.table-responsive``: that box is checked itself instead.
OVERFLOW_JS = """
() => {
  const vw = document.documentElement.clientWidth;
  const wide = [];
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (clipped(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > vw + 0.5 || r.left < -0.5 || r.width > vw + 0.5) {
      wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`
                + ` [${Math.round(r.left)}..${Math.round(r.right)}]`);
    }
  }
  return {vw, scrollWidth: document.documentElement.scrollWidth, wide};
}
"""


def chromium_or_skip():
    if Path(CHROMIUM).is_file():
        return
    message = (
        f"!!! {CHROMIUM} IS MISSING: the browser tests did NOT run. "
        "Install Debian's chromium (apt-get install chromium) to run them."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " CI=true: failing.", pytrace=False)
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


def new_page(browser, viewport):
    phone = viewport == PHONE
    context = browser.new_context(
        viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)  # generous: CI machines are often busy
    return page


def menu_to(page, label, url):
    """Follow the main menu's entry ``label`` and wait for ``url``: on a phone the menu is opened
    first, and a folded group holding the entry is unfolded at any width.

    Bootstrap animates the menu open (``.collapsing``) for ~350 ms; a click landing mid-animation
    can be lost on a busy machine, so wait until the menu has settled open, and click again if the
    first click did not start a navigation.
    """
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#sidebar-menu.show:not(.collapsing)").wait_for(state="visible")
    # The entry's name, maybe followed by its count of waiting work ("吹哨报到 2").
    name = re.compile(rf"^{re.escape(label)}(\s*\d+\+?)?$")
    link = page.locator("#sidebar-menu").get_by_role("link", name=name)
    if not link.is_visible():  # inside a folded group: unfold it
        inner = page.locator(".nav-link-title", has_text=label)  # a role query skips hidden links
        page.locator("#sidebar-menu details").filter(has=inner).locator("summary").click()
    for attempt in range(3):
        try:
            with page.expect_navigation(url=url, timeout=10_000):
                link.click()
            return
        except Exception:
            if attempt == 2 or page.url.split("?")[0] == url:
                raise


def submit(page, button, url):
    """Press ``button`` (a locator) and wait for the page it leads to, even when that page has the
    URL of the current one (a form posting back to its page). ``page.wait_for_url`` alone returns at
    once when the URL already matches, so what follows would read the old page or race the server."""
    with page.expect_navigation(url=url):
        button.click()


def login(page, live_server, username, password):
    """Log ``username`` in on ``page`` through the login form and land on the home page."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def assert_fits(page):
    """Nothing on the page pokes past the right edge of the screen (no sideways scrolling)."""
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scrollWidth"] <= overflow["vw"], overflow
    assert overflow["wide"] == [], f"elements wider than the {overflow['vw']} px screen: {overflow['wide']}"


def shot(page, name: str) -> None:
    """A full-page screenshot ``test-artifacts/browser-<name>-<database>.png``, to look at as a user would."""
    from django.db import connection

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}-{connection.vendor}.png"), full_page=True)


def pick(page, field: str, text: str, choice: str | None = None) -> None:
    """Choose a node in the area/org picker ``#field`` (static/jiceng/picker.js) as a user does: type
    ``text``, wait for the suggestions, choose ``choice`` (default: the first) with the keyboard."""
    box = page.locator(f"#{field}")
    box.fill("")
    box.press_sequentially(text, delay=20)
    options = page.locator(f"#{field}-list .jc-picker-option")
    options.first.wait_for()
    names = options.locator(".jc-picker-name").all_inner_texts()
    index = names.index(choice) if choice is not None else 0
    for _ in range(index):
        box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_function(f"() => document.querySelector('#{field}-list').hidden")
