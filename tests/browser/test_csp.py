"""The pages pass the content-security policy they are served with (jiceng/core/security.py).

Chromium enforces the policy: an inline ``<script>``, an ``on…=`` handler, a ``style=`` attribute,
a ``<style>`` element, an ``eval`` (Alpine's expressions, htmx's ``hx-on``) or a file from another
site is refused and reported. Each test walks the main pages as a user does (every entry of the
main menu, the detail pages, the forms whose behaviour lives in static/jiceng/jiceng.js, the admin
and the API docs) and fails on any violation, any script error, or a page served without the policy.
"""

import pytest
from django.urls import reverse

from jiceng.appeals.models import Channel, ResponsibleLevel
from jiceng.appeals.services import create_appeal, create_category
from jiceng.orgs.tests.conftest import build_orgs, make_members
from tests.browser.harness import DESK, PHONE, login, new_page, shot

pytestmark = pytest.mark.browser

PASSWORD = "Csp-Check-2026-desk"

# Reports every violation the page itself sees (init scripts are not subject to the policy).
WATCH_JS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watch:
    """What went wrong on a page: policy violations (console and event), script errors, missing headers."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(WATCH_JS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: script error: {error}"))
        page.on("response", self._response)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.problems.append(f"{self.page.url}: console {message.type}: {message.text}")

    def _response(self, response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"{response.url}: {response.status}")
        is_page = response.request.resource_type == "document" and response.status < 300
        if is_page and "content-security-policy" not in response.headers:
            self.problems.append(f"{response.url}: served without a Content-Security-Policy header")

    def visit(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        self.check()

    def check(self) -> None:
        self.problems += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__csp || []")]
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture
def world(transactional_db, tree, make_user, cheap_argon2):
    orgs = build_orgs(tree)
    members = make_members(orgs.grid1, 3)
    look = create_category(None, name="市容环境", responsible_level=ResponsibleLevel.COMMUNITY)
    stall = create_category(None, name="占道经营", parent=look, responsible_level=ResponsibleLevel.GRID)
    resident = make_user("resident_zhang", role="resident", area=tree.beianmen, password=PASSWORD)
    appeal = create_appeal(
        resident,
        channel=Channel.RESIDENT,
        category=stall,
        description="北安门街口有占道经营，影响通行。",
        area=tree.grid1,
    )
    return {
        "tree": tree,
        "orgs": orgs,
        "member": members[0],
        "appeal": appeal,
        "community": make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD),
        "root": make_user("root", is_superuser=True, is_staff=True, password=PASSWORD),
    }


def menu_urls(page) -> list[str]:
    return page.eval_on_selector_all("#sidebar-menu a.nav-link", "links => links.map(a => a.href)")


def test_community_pages_pass_the_policy(live_server, world, browser):
    page = new_page(browser, DESK)
    watch = Watch(page)
    login(page, live_server, "beianmen", PASSWORD)
    watch.check()
    menu = menu_urls(page)
    assert len(menu) >= 5, menu
    details = [
        reverse("areas:area_detail", args=[world["tree"].beianmen.code]),
        reverse("orgs:org_detail", args=[world["orgs"].beianmen.code]),
        reverse("members:member_detail", args=[world["member"].pk]),
        reverse("appeals:detail", args=[world["appeal"].pk]),
    ]
    for url in [*menu, *(live_server.url + path for path in details)]:
        watch.visit(url)

    # The transfer form's branch chooser (htmx search, then a click handled by jiceng.js).
    watch.visit(live_server.url + reverse("members:member_transfer", args=[world["member"].pk]))
    page.fill("#to-org-search", "贡院")
    page.locator("#to-org-results [data-choose-code]").first.click()
    assert page.input_value("#id_to_org") == world["orgs"].gongyuan_branch.code
    assert (
        page.locator("#to-org-chosen").inner_text()
        == f"已选择：贡院社区第一党支部（{world['orgs'].gongyuan_branch.code}）"
    )
    shot(page, "csp-transfer-chooser")
    watch.check()


SUBMIT_TWICE_JS = """
() => {
  const form = document.getElementById('appeal-submit');
  form.addEventListener('submit', (e) => e.preventDefault(), {once: true});  // the first stays on this page
  const send = () => {
    const event = new SubmitEvent('submit', {bubbles: true, cancelable: true});
    form.dispatchEvent(event);
    return event.defaultPrevented;
  };
  send();
  return send();
}
"""


def test_resident_submit_page_passes_the_policy_and_sends_once(live_server, world, browser):
    page = new_page(browser, PHONE)
    watch = Watch(page)
    login(page, live_server, "resident_zhang", PASSWORD)
    watch.visit(live_server.url + reverse("appeals:submit"))
    assert page.evaluate(SUBMIT_TWICE_JS) is True  # the second submit, while the first is on its way, is stopped
    page.locator("#appeal-submit button[type=submit]:disabled").wait_for()
    watch.check()


def test_administrator_pages_pass_the_policy(live_server, world, browser):
    page = new_page(browser, DESK)
    watch = Watch(page)
    login(page, live_server, "root", PASSWORD)

    # Moving a grid: the "常用" buttons fill the new parent's code (jiceng.js, no onclick).
    watch.visit(live_server.url + reverse("areas:area_move", args=[world["tree"].grid1.code]))
    page.get_by_role("button", name="梅园新村社区", exact=True).click()
    assert page.input_value("#id_new_parent") == world["tree"].meiyuan_cm.code

    for path in ["/admin/", "/admin/core/rule/", "/admin/core/rule/add/", "/admin/appeals/category/"]:
        watch.visit(live_server.url + path)
    watch.visit(live_server.url + reverse("swagger-ui"))
    page.locator(".swagger-ui .info .title").wait_for()
    shot(page, "csp-api-docs")
    watch.check()
