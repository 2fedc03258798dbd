"""The compliance roll-up two ways: ``rollup.refresh`` (incremental, in the writes that change a
branch's status: a meeting closed, an exemption approved, an org created, dissolved, moved) and
``rollup.rebuild`` (the worker's job) write the same rows; the 落实情况 page's counts read from
it equal the direct computation over the scope's branches for every node of both trees; the
page's queries do not grow with the branches. Runs on SQLite and PostgreSQL like every test."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.db.models import Q
from django.urls import reverse

from jiceng.core.paths import subtree_q
from jiceng.core.scope import Scope
from jiceng.orglife import compliance, held, rollup, services
from jiceng.orglife.compliance import EXEMPT, HELD, LATE, MISSED, Period
from jiceng.orglife.models import ComplianceTally, MeetingType
from jiceng.orgs.models import Org, OrgCategory, OrgType
from jiceng.orgs.services import create_org, move_org, update_org
from tests.queries import count_queries

from .test_held_rebuild import at, old


def hold(people, org, types, due: date, held_at):
    """A meeting of ``org`` due on ``due`` and held at ``held_at``, by the system (any branch)."""
    from .test_held_rebuild import hold as hold_as

    return hold_as(SimpleNamespace(community=None), org, types, due, held_at)


pytestmark = pytest.mark.django_db

PERIODS = ["2026-Q3", "2026-Q4", "2026-08", "2026-09", "2026-11", "2026-12", "2026", "2025", "2025-Q4"]


def direct(q, period: Period) -> dict:
    return compliance.counts(compliance.branches(Org.objects.filter(q)), period, compliance.required_types(period))


@pytest.fixture
def life(orgs, people):
    """The roll-up tallied for 2025 and 2026 first; then a year of changes made incrementally."""
    old(orgs.grid1, orgs.grid2, orgs.gongyuan_branch)
    rollup.rebuild([2025, 2026])
    g1, g2 = orgs.grid1, orgs.grid2
    hold(people, g1, ["theme_day", "congress"], date(2026, 11, 5), at(date(2026, 11, 5)))
    hold(people, g2, ["theme_day", "congress"], date(2026, 9, 28), at(date(2026, 10, 5)))  # late for Sep and Q3
    hold(people, g1, ["committee", "lecture"], date(2026, 11, 10), at(date(2026, 12, 2)))  # late for Nov only
    hold(people, orgs.gongyuan_branch, ["life"], date(2025, 12, 20), at(date(2026, 1, 8)))  # late for 2025
    hold(people, orgs.gongyuan_branch, ["congress"], date(2026, 8, 20), at(date(2026, 8, 20)))
    exemption, _ = services.request_exemption(
        people.secretary, org=g1, kind="postpone", period="2026-Q3", meeting_type="congress", reason="支部书记调整"
    )
    services.decide_exemption(people.community, exemption, approve=True, note="同意")
    # A branch set up in August 2026 under 梅园新村社区党委: exempt before, missed after.
    orgs.new = create_org(
        None,
        parent=orgs.meiyuan_cm,
        name="梅园新村第一党支部",
        org_type=OrgType.BRANCH,
        category=OrgCategory.COMMUNITY,
        area=orgs.meiyuan_cm.area,
        founded_on=date(2026, 8, 10),
    )
    hold(people, orgs.new, ["theme_day"], date(2026, 9, 3), at(date(2026, 9, 3)))
    return orgs


def test_incremental_and_rebuild_write_the_same_rows(life):
    incremental, branches = rollup.table(), rollup.branch_table()
    assert incremental and len(branches) == 4 * 2  # four branches, two years
    written = rollup.rebuild([2025, 2026])
    assert written == {"branches": len(branches), "tally": len(incremental)}
    assert rollup.table() == incremental
    assert rollup.branch_table() == branches
    # held.rebuild (the worker's job) rebuilds the roll-up of its year too, repairing drift.
    ComplianceTally.objects.filter(period="2026-Q4").update(held=9)
    held.rebuild(2026)
    assert rollup.table() == incremental


def test_org_dissolved_and_moved_follow_incrementally(life, people):
    # The new branch is dissolved (no members, no children): it leaves every count.
    update_org(None, life.new, is_active=False)
    # 第二网格党支部 moves from 北安门社区党委 to 梅园新村社区党委: its counts move with it.
    # The move itself keeps the roll-up (tallies.moves.subtree_moved_signal), no refresh by hand.
    move_org(None, life.grid2, life.meiyuan_cm)
    incremental = rollup.table()
    rollup.rebuild()
    assert rollup.table() == incremental
    q4 = Period.parse("2026-Q4")
    moved = Org.objects.get(pk=life.grid2.pk)
    assert moved.code.startswith(life.meiyuan_cm.code)
    numbers = compliance.scope_counts(Scope(orgs=(life.meiyuan_cm.code,)), q4, compliance.required_types(q4))
    assert numbers[MeetingType.CONGRESS] == {HELD: 0, EXEMPT: 0, LATE: 0, MISSED: 1, "total": 1}


def test_an_area_move_takes_the_branches_counts_to_the_new_street(life, tree):
    """北安门社区 (with 第一、第二网格党支部) moves from 梅园新村街道 to 夫子庙街道 in 秦淮区: right
    after the move both streets' and both districts' counts are those of a full rebuild."""
    from jiceng.areas.services import move_area

    q4 = Period.parse("2026-Q4")
    types = compliance.required_types(q4)
    before = compliance.scope_counts(Scope(areas=(tree.fuzimiao.code,)), q4, types)[MeetingType.CONGRESS]["total"]
    move_area(None, tree.beianmen, tree.fuzimiao, new_code="320104001011")
    incremental = rollup.table()
    rollup.rebuild()
    assert rollup.table() == incremental
    after = compliance.scope_counts(Scope(areas=(tree.fuzimiao.code,)), q4, types)[MeetingType.CONGRESS]
    assert after["total"] == before + 2  # the two grid branches of 北安门 now count in 夫子庙
    assert after == direct(subtree_q(tree.fuzimiao.code, "area_path"), q4)[MeetingType.CONGRESS]
    assert (
        compliance.scope_counts(Scope(areas=(tree.meiyuan.code,)), q4, types)[MeetingType.CONGRESS]
        == direct(subtree_q(tree.meiyuan.code, "area_path"), q4)[MeetingType.CONGRESS]
    )


def test_statuses_in_the_roll_up(life):
    """What a user checks on the street's page: the counts say held, late, exempt and missed."""
    street = Scope(areas=(life.meiyuan.area_path,))

    def of(key, t):
        period = Period.parse(key)
        return compliance.scope_counts(street, period, compliance.required_types(period))[t]

    # Q3 congress: g1 exempt (approved postponement), g2 late, new branch exempt (set up in August).
    assert of("2026-Q3", "congress") == {HELD: 0, EXEMPT: 2, LATE: 1, MISSED: 0, "total": 3}
    # Q4 congress: g1 held (5 Nov), g2 not on time (its Q3 meeting in October is late), new missed.
    assert of("2026-Q4", "congress") == {HELD: 1, EXEMPT: 0, LATE: 0, MISSED: 2, "total": 3}
    # November committee: g1's was held in December (late); a period not yet ended counts as missed.
    assert of("2026-11", "committee") == {HELD: 0, EXEMPT: 0, LATE: 1, MISSED: 2, "total": 3}
    assert of("2026-09", "theme_day") == {HELD: 1, EXEMPT: 0, LATE: 1, MISSED: 1, "total": 3}


def test_counts_equal_the_direct_computation_on_every_node(life, tree):
    area_codes = sorted({c for o in Org.objects.all() for c in [o.area_path[:n] for n in (4, 6, 9, 12, 15)]} - {""})
    org_codes = sorted(Org.objects.values_list("code", flat=True))
    scopes = [(Scope(everywhere=True), Q())]
    scopes += [(Scope(areas=(c,)), subtree_q(c, "area_path")) for c in area_codes]
    scopes += [(Scope(orgs=(c,)), subtree_q(c, "code")) for c in org_codes]
    pair = (life.grid1.area_path, life.gongyuan.area_path)
    scopes.append((Scope(areas=pair), subtree_q(pair[0], "area_path") | subtree_q(pair[1], "area_path")))
    mixed = Scope(areas=(life.gongyuan.area_path,), orgs=(life.beianmen.code,))
    scopes.append((mixed, subtree_q(life.gongyuan.area_path, "area_path") | subtree_q(life.beianmen.code, "code")))
    checked = 0
    for key in PERIODS:
        period = Period.parse(key)
        types = compliance.required_types(period)
        for scope, q in scopes:
            assert compliance.scope_counts(scope, period, types) == direct(q, period), (key, scope)
            checked += 1
    assert checked > 100
    # A branch user's own scope, below the roll-up, counts the one branch.
    q3 = Period.parse("2026-Q3")
    own = compliance.scope_counts(Scope(orgs=(life.grid2.code,)), q3, compliance.required_types(q3))
    assert own[MeetingType.CONGRESS] == {HELD: 0, EXEMPT: 0, LATE: 1, MISSED: 0, "total": 1}


def test_page_reads_the_roll_up_with_bounded_queries(client, life, people):
    client.force_login(people.street)
    url = reverse("orglife:compliance") + "?period=2026-Q3"
    client.get(url)  # the first page of a session also fills the menu's cached counts
    before, response = count_queries(client, url)
    page = response.content.decode()
    assert (
        '党支部 3 个：按期召开 0，逾期召开 <span class="text-warning">1</span>，'
        '未召开 <span class="text-danger">0</span>，免于考核 2'
    ) in page
    for i in range(8):
        branch = create_org(
            None,
            parent=life.beianmen,
            name=f"新增第{i}党支部",
            org_type=OrgType.BRANCH,
            category=OrgCategory.GRID,
            area=life.grid1.area,
            founded_on=date(2020, 1, 1),
        )
        hold(people, branch, ["congress"], date(2026, 8, 3), at(date(2026, 8, 3)))
    after, response = count_queries(client, url)
    assert after == before <= 14
    assert (
        '党支部 11 个：按期召开 8，逾期召开 <span class="text-warning">1</span>，'
        '未召开 <span class="text-danger">0</span>，免于考核 2'
    ) in response.content.decode()
    # The counts came from the roll-up: a drifted row shows (and the rebuild repairs it).
    ComplianceTally.objects.filter(tree="areas", code=life.meiyuan.area_path, period="2026-Q3", type="congress").update(
        held=5
    )
    assert "党支部 8 个：按期召开 5" in client.get(url).content.decode()
    rollup.rebuild()
    assert "党支部 11 个：按期召开 8" in client.get(url).content.decode()


def test_a_year_not_tallied_is_counted_directly(orgs, people):
    old(orgs.grid1, orgs.grid2)
    hold(people, orgs.grid1, ["congress"], date(2026, 8, 3), at(date(2026, 8, 3)))
    q3 = Period.parse("2026-Q3")
    street = Scope(areas=(orgs.beianmen.area_path,))
    assert not ComplianceTally.objects.exists()
    numbers = compliance.scope_counts(street, q3, compliance.required_types(q3))
    assert numbers[MeetingType.CONGRESS] == {HELD: 1, EXEMPT: 0, LATE: 0, MISSED: 1, "total": 2}
    rollup.rebuild([2026])
    assert ComplianceTally.objects.filter(period="2026-Q3").exists()
    assert compliance.scope_counts(street, q3, compliance.required_types(q3)) == numbers
