"""The workbook's drill to detail (the records behind a figure, through the lists' Excel kinds) and
who may export a dashboard (a branch secretary, by the org grant alone).

* The detail sheet holds exactly the rows the figure's list exports with the same query (the
  派单台 for 受理量, the 党员名册 for 党员), as many as the figure counts.
* The rows are masked as the list's export masks them: a role without the full-data right gets
  masked ID numbers; a role without the list's export right gets no rows, only a message.
* A branch secretary exports their org's dashboard, and nothing above, beside or in the area tree.
"""

import io
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.accounts.models import AuditLog
from jiceng.accounts.roles import ROLES
from jiceng.members.models import Status
from jiceng.members.permissions import MEMBER_EXPORT
from jiceng.members.tests import conftest as member_fixtures

pytestmark = pytest.mark.django_db

orgs = member_fixtures.orgs  # the fixtures
make_member = member_fixtures.make_member
secretary = member_fixtures.secretary

FIGURES = "/api/v1/metrics/figures/"


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def export(client, tree, code, **query):
    return client.get(reverse("dashboards:export", args=[tree, code]), {"period": "2025-09", **query})


def detail_sheet(book, label):
    """(title row, count row, headers, data rows) of the sheet ``明细记录-<label>``."""
    rows = list(book[f"明细记录-{label}"].iter_rows(values_only=True))
    return rows[0], rows[1], rows[2] if len(rows) > 2 else None, rows[3:]


def list_export(client, url):
    """The rows the list's own Excel export gives for the list's query (the list's rows)."""
    parts = urlsplit(url)
    kind = {"/appeals/queue/": "appeals", "/members/": "members"}[parts.path]
    book = workbook(client.get(f"/excel/export/{kind}/?{parts.query}"))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_received_detail_holds_the_queues_rows(september, people, login, api_client):
    client = login(people.street)
    code = september.beianmen.code
    book = workbook(export(client, "areas", september.meiyuan.code, detail="appeals.received", at=code))
    title, count, headers, rows = detail_sheet(book, "受理量")
    assert title[0] == "北安门社区受理量的记录明细"
    api_client.force_authenticate(people.street)
    figure = api_client.get(FIGURES, {"node": code, "period": "2025-09"}).json()["figures"]["appeals.received"]
    assert figure == 5 and count[0] == "共 5 条" and len(rows) == 5
    assert title[1].startswith("/appeals/queue/?")
    list_headers, list_rows = list_export(client, title[1])
    assert headers == list_headers and headers[0] == "工单编号"
    assert sorted(rows) == sorted(list_rows)
    audit = AuditLog.objects.filter(action="export_dashboard").latest("pk")
    assert audit.after["detail"] == "appeals.received" and audit.after["detail_rows"] == 5


@pytest.fixture
def roster(make_member, orgs):
    """Three party members and an applicant in 第一网格党支部, one party member in 第二网格党支部."""
    made = [make_member(org=orgs.branch1) for _ in range(2)]
    made.append(make_member(org=orgs.branch1, status=Status.PROBATIONARY))
    make_member(org=orgs.branch1, status=Status.APPLICANT)
    made.append(make_member(org=orgs.branch2))
    return made


def ids_of(headers, rows):
    column = headers.index("公民身份号码")
    return sorted(row[column] for row in rows)


def test_member_detail_is_masked_for_a_role_without_personal_data(tree, users, roster, login, monkeypatch):
    full = sorted(m.id_number for m in roster[:3])  # the three party members of 第一网格
    # The community office: full ID numbers, the roster's rows.
    client = login(users.community)
    book = workbook(export(client, "areas", tree.beianmen.code, detail="members.area.party", at=tree.grid1.code))
    title, count, headers, rows = detail_sheet(book, "党员")
    assert count[0] == "共 3 条" and ids_of(headers, rows) == full
    list_headers, list_rows = list_export(client, title[1])
    assert headers == list_headers and sorted(rows) == sorted(list_rows)

    # A grid worker granted the export but not personal data: the same members, masked numbers.
    grid = ROLES["grid_worker"]
    monkeypatch.setitem(ROLES, "grid_worker", replace(grid, permissions=grid.permissions | {MEMBER_EXPORT}))
    users.grid.forget_grants()
    book = workbook(export(login(users.grid), "areas", tree.grid1.code, detail="members.area.party"))
    _, count, headers, rows = detail_sheet(book, "党员")
    assert count[0] == "共 3 条"
    assert ids_of(headers, rows) == sorted(n[:1] + "*" * 16 + n[-1:] for n in full)
    audit = AuditLog.objects.filter(action="export_dashboard").latest("pk")
    assert audit.after["masked_rows"] == 3 and audit.after["full_pii_rows"] == 0


def test_member_detail_needs_the_lists_export_right(tree, users, roster, login):
    """A grid worker sees the figure (查看党员) but may not export the roster: no rows, a message."""
    book = workbook(export(login(users.grid), "areas", tree.grid1.code, detail="members.area.party"))
    _, message, headers, rows = detail_sheet(book, "党员")
    assert message[0].startswith("您没有导出党员的权限") and headers is None and rows == []


def test_detail_of_a_figure_or_node_not_on_the_board_is_refused(tree, users, roster, login):
    client = login(users.community)
    assert export(client, "areas", tree.beianmen.code, detail="members.nothing").status_code == 404
    outside = export(client, "areas", tree.beianmen.code, detail="members.area.party", at=tree.gongyuan.code)
    assert outside.status_code == 404
    deeper = export(client, "areas", tree.beianmen.code, detail="members.area.party", at=tree.building.code)
    assert deeper.status_code == 404  # a grandchild: drill down to its parent's board first


def test_branch_secretary_exports_their_orgs_dashboard_and_nothing_else(orgs, tree, roster, secretary, login):
    client = login(secretary)
    book = workbook(export(client, "orgs", orgs.branch1.code))
    assert book["概览"]["A1"].value.startswith(orgs.branch1.name)
    figures = {row[1]: row[2] for row in book["概览"].iter_rows(min_row=3, values_only=True)}
    assert figures["党员"] == 3 and figures["入党申请人"] == 1

    book = workbook(export(client, "orgs", orgs.branch1.code, detail="members.org.party"))
    _, count, headers, rows = detail_sheet(book, "党员")
    assert count[0] == "共 3 条" and ids_of(headers, rows) == sorted(m.id_number for m in roster[:3])

    for tree_name, code in (
        ("orgs", orgs.beianmen.code),  # the committee above
        ("orgs", orgs.branch2.code),  # the branch beside
        ("orgs", orgs.gongyuan_branch.code),
        ("areas", tree.grid1.code),  # the branch's own area: no area grant
    ):
        assert export(client, tree_name, code).status_code == 404, code

    # The Excel page's export of the dashboard kind takes them to their own org.
    book = workbook(client.get("/excel/export/dashboard/", {"period": "2025-09"}))
    assert book["概览"]["A1"].value.startswith(orgs.branch1.name)


def test_branch_secretary_finds_the_dashboard_in_the_menu(orgs, secretary, login):
    """The 数据看板 entry is for org roles too: the secretary's menu has it, and it leads to their org."""
    client = login(secretary)
    page = client.get("/").content.decode()
    assert 'href="/dashboard/"' in page and "数据看板" in page
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].endswith(f"/dashboard/orgs/{orgs.branch1.code}/")


def test_the_dashboard_page_offers_each_figures_detail_as_a_workbook(orgs, tree, roster, secretary, login):
    """导出明细 on a figure's card: the link the page renders gives the workbook with that figure's rows."""
    import html
    import re

    client = login(secretary)
    page = client.get(reverse("dashboards:dashboard", args=["orgs", orgs.branch1.code]), {"period": "2025-09"})
    found = re.search(r'href="([^"]+)" data-detail-export="members\.org\.party"', page.content.decode())
    assert found, "no 导出明细 link on the 党员 card"
    book = workbook(client.get(html.unescape(found[1])))
    _, count, headers, rows = detail_sheet(book, "党员")
    assert count[0] == "共 3 条" and ids_of(headers, rows) == sorted(m.id_number for m in roster[:3])
