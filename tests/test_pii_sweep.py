"""Personal data per role over every route (issue 13, point 1; DOMAIN.md §11).

Every role of the route sweep's world fetches every swept route (pages, API, the member export,
Open311, Excel jobs) on its own subtree, and no answer may hold:

* a member's full ID number, unless the role holds ``members.view_pii_member`` on the member and
  the route is a full view (the API detail, audited) or the export (counted in its audit record);
* a member's full phone, on the same terms;
* a member's full birth date, unless the role holds that right (others see the year only);
* a reporter's full phone, unless the role may see the reporter (``appeals.view_reporter_appeal``
  on the appeal, or is the reporter).

xlsx answers are read cell by cell, so the export is checked like a page.
"""

import io
import json
import zipfile

import openpyxl
import pytest
from django.urls import NoReverseMatch

from jiceng.appeals.services import reporter_visible
from jiceng.members.models import Member
from jiceng.members.privacy import pii_visible
from jiceng.wishes.privacy import WishPrivacy
from tests.route_sweep.data import build_world
from tests.route_sweep.sweep import Sweeper, Target, rule_for, walk
from tests.route_sweep.table import Exempt

ROLES = ("district", "street", "community", "grid", "department", "resident", "nobody")
# The routes that show a member's full ID number or phone to a holder of the right, each audited:
# the API detail, the export, and the edit form (which holds the phone to correct it).
FULL_VIEWS = {"api:member-detail", "api:member-detail (.format)", "excel:export", "members:member_edit"}
XLSX = "application/vnd.openxmlformats"


@pytest.fixture
def world(db):
    world = build_world()
    for n, member in enumerate(Member.objects.filter(org__in=[world.inside.org]).order_by("pk"), start=1):
        member.phone = f"1391234{n:04d}"
        member.save(update_fields=["phone"])
    return world


def answer_text(response, body: bytes) -> str:
    content_type = response.get("Content-Type", "")
    if content_type.startswith(XLSX):
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        except (KeyError, zipfile.BadZipFile):  # the world's stand-in job files are empty archives
            return ""
        cells = (cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)
        return "\n".join(str(cell) for cell in cells if cell is not None)
    text = body.decode("utf-8", errors="replace")
    if content_type.startswith("application/json"):
        text += json.dumps(json.loads(text or "null"), ensure_ascii=False)  # \uXXXX escapes undone
    return text


def secrets_for(user, world) -> list[tuple[str, str, set[str] | None]]:
    """(what, the string, the routes where this user may see it: None = anywhere)."""
    secrets = []
    for member in Member.objects.filter(org=world.inside.org):
        holder = pii_visible(user, member)
        allowed = FULL_VIEWS if holder else set()
        secrets.append((f"ID number of {member.name}", member.id_number, allowed))
        secrets.append((f"phone of {member.name}", member.phone, allowed))
        secrets.append((f"birth date of {member.name}", f"{member.birth_date:%Y-%m-%d}", None if holder else set()))
    # 微心愿: the beneficiary in full for the community's staff and grid workers only (issue 11).
    wish = world.inside.wish
    wish_full = None if WishPrivacy(user).full(wish) else set()
    secrets.append(("wish beneficiary's name", wish.beneficiary_name, wish_full))
    secrets.append(("wish beneficiary's phone", wish.beneficiary_phone, wish_full))
    secrets.append(("wish beneficiary's address", wish.beneficiary_address, wish_full))
    appeal = world.inside.appeal
    secrets.append(("reporter's phone", appeal.reporter_phone, None if reporter_visible(user, appeal) else set()))
    return secrets


def targets(world):
    for route in walk():
        rule = rule_for(route.name)
        if isinstance(rule, Exempt) or rule.public:
            continue
        try:
            yield Target.build(route, rule, world)
        except (LookupError, NoReverseMatch):
            continue  # the route sweep reports it


@pytest.mark.parametrize("role", ROLES)
def test_no_answer_holds_personal_data_the_role_may_not_see(world, role):
    user = getattr(world.users, role)
    secrets = secrets_for(user, world)
    holds_some = any(allowed for _, _, allowed in secrets if allowed is not None)
    assert holds_some == (role in ("district", "street", "community"))
    sweeper = Sweeper(world)
    leaks, fetched = [], 0
    for target in targets(world):
        response, body, _ = sweeper.request(target, role, "get", target.inside)
        if isinstance(response, Exception) or response.status_code != 200:
            continue
        fetched += 1
        text = answer_text(response, body)
        for what, value, allowed in secrets:
            if value and value in text and allowed is not None and target.route.label not in allowed:
                leaks.append(f"{target.inside}: {what}")
    assert fetched > 5, "the role opened almost nothing: the sweep proves nothing"
    assert not leaks, f"{role} sees personal data it may not:\n" + "\n".join(leaks)


def test_the_sweep_sees_what_a_holder_may_see(world):
    """The check can fail: the district sees the full ID number on the audited API detail and in
    its export, and the street that dispatched the appeal sees the reporter's phone (all allowed)."""
    sweeper = Sweeper(world)
    member = world.inside.member
    texts = {}
    for target in targets(world):
        if target.route.label in ("api:member-detail", "excel:export", "appeals:detail"):
            for role in ("street", "grid"):
                response, body, _ = sweeper.request(target, role, "get", target.inside)
                texts[(target.route.label, role)] = answer_text(response, body)
    assert member.id_number in texts[("api:member-detail", "street")]
    assert member.id_number in texts[("excel:export", "street")]
    assert member.id_number not in texts[("api:member-detail", "grid")]
    assert world.inside.appeal.reporter_phone in texts[("appeals:detail", "street")]
