"""Roll-ups follow a move in its transaction (jiceng.tallies.moves): two implementations, one answer.

北安门社区 (members in two branches, September 2025's requests, orgs by type, volunteer hours)
moves from 梅园新村街道 (玄武区) to 夫子庙街道 (秦淮区). Right after the move, without any rebuild,
the dashboards of both streets, both districts and the city show the figures a full rebuild from
the records gives, and the roll-up tables hold the same rows as after that rebuild.
"""

from datetime import date
from decimal import Decimal

import pytest

from jiceng.appeals import stats as appeal_stats
from jiceng.appeals.models import COUNTER_FIELDS, AreaStat
from jiceng.areas.services import move_area
from jiceng.members import stats as member_stats
from jiceng.members.models import MemberStat, Status
from jiceng.members.tests.conftest import make_id
from jiceng.orgs.services import move_org
from jiceng.tallies import tasks as tally_tasks
from jiceng.tallies.models import NodeTally
from jiceng.volunteers.models import HoursMonth

pytestmark = pytest.mark.django_db

FIGURES = "/api/v1/metrics/figures/"
NEW_CODE = "320104001011"  # 北安门社区 under 夫子庙街道


def tables():
    """Every roll-up row that is not all zeros (a rebuild writes none of those)."""
    area_stats = sorted(
        (row["path"], row["month"], tuple(row[n] for n in COUNTER_FIELDS))
        for row in AreaStat.objects.values("path", "month", *COUNTER_FIELDS)
        if any(row[n] for n in COUNTER_FIELDS)
    )
    members = sorted(MemberStat.objects.exclude(count=0).values_list("tree", "code", "dim", "value", "count"))
    tallies = sorted(NodeTally.objects.exclude(value=0).values_list("tree", "code", "key", "month", "value"))
    return area_stats, members, tallies


def rebuild_everything():
    appeal_stats.rebuild()
    member_stats.rebuild()
    tally_tasks.rebuild_all()


def figures(api_client, user, code, tree="areas"):
    api_client.force_authenticate(user)
    response = api_client.get(FIGURES, {"tree": tree, "node": code, "period": "2025-09"})
    assert response.status_code == 200, response.content
    return response.json()["figures"]


@pytest.fixture
def city(september, orgs, make_member):
    """September's requests, seven members in 北安门's branches and one in 贡院, everything rebuilt."""
    for _ in range(4):
        make_member(org=orgs.branch1)
    make_member(
        org=orgs.branch1,
        status=Status.PROBATIONARY,
        gender="F",
        birth=date(1985, 5, 5),
        id_number=make_id(date(1985, 5, 5), seq=22),
    )
    make_member(org=orgs.branch2, status=Status.ACTIVIST)
    make_member(org=orgs.branch2)
    make_member(org=orgs.gongyuan_branch)
    rebuild_everything()
    return september


def test_area_move_moves_every_rollup_at_once(city, people, api_client):
    t = city
    nodes = {
        "meiyuan": t.meiyuan.code,
        "fuzimiao": t.fuzimiao.code,
        "xuanwu": t.xuanwu.code,
        "qinhuai": t.qinhuai.code,
        "city": t.city.code,
    }
    before = {name: figures(api_client, people.city, code) for name, code in nodes.items()}
    assert before["meiyuan"]["appeals.received"] == 7  # a1–a5 in 北安门, b1–b2 in 梅园新村社区
    assert before["meiyuan"]["members.area.party"] == 6
    assert before["fuzimiao"]["members.area.party"] == 1

    move_area(people.city, t.beianmen, t.fuzimiao, new_code=NEW_CODE)

    nodes["moved"] = NEW_CODE
    after = {name: figures(api_client, people.city, code) for name, code in nodes.items()}
    # By hand: the street and the district left lose the community's figures, the ones joined gain them.
    assert after["meiyuan"]["appeals.received"] == 2
    assert after["xuanwu"]["appeals.received"] == 2
    assert after["fuzimiao"]["appeals.received"] == 5
    assert after["qinhuai"]["appeals.received"] == 5
    assert after["city"]["appeals.received"] == 7
    assert after["moved"]["appeals.received"] == 5
    assert after["meiyuan"]["members.area.party"] == 0
    assert after["fuzimiao"]["members.area.party"] == 7
    assert before["meiyuan"]["members.area.women"] >= 1
    women = before["qinhuai"]["members.area.women"] + before["meiyuan"]["members.area.women"]
    assert after["qinhuai"]["members.area.women"] == women
    assert after["xuanwu"]["members.area.women"] == 0
    assert after["xuanwu"]["orgs.area.type_branch"] == 0
    assert after["qinhuai"]["orgs.area.type_branch"] == 3
    assert after["city"] == before["city"]

    moved_tables = tables()
    rebuild_everything()
    # The other implementation: the tables and every figure on the five dashboards are the same.
    assert tables() == moved_tables
    assert {name: figures(api_client, people.city, code) for name, code in nodes.items()} == after


def test_area_move_moves_monthly_counters_without_a_rebuild(city, people, api_client):
    """``HoursMonth`` (志愿服务时长) has no rebuild at all: the move is what keeps it right."""
    t = city
    month = date(2025, 9, 1)
    # 5.5 hours in 北安门's first grid, 1.0 in 梅园新村社区: each counted on the node and its ancestors.
    for path, hours, records in (
        (t.city.code, "6.5", 3),
        (t.xuanwu.code, "6.5", 3),
        (t.meiyuan.code, "6.5", 3),
        (t.beianmen.code, "5.5", 2),
        (t.grid1.code, "5.5", 2),
        (t.meiyuan_cm.code, "1.0", 1),
    ):
        HoursMonth.objects.create(path=path, month=month, hours=Decimal(hours), records=records)

    move_area(people.city, t.beianmen, t.fuzimiao, new_code=NEW_CODE)

    rows = {row.path: (row.hours, row.records) for row in HoursMonth.objects.filter(month=month)}
    assert rows == {
        t.city.code: (Decimal("6.5"), 3),
        t.xuanwu.code: (Decimal("1.0"), 1),
        t.meiyuan.code: (Decimal("1.0"), 1),
        t.meiyuan_cm.code: (Decimal("1.0"), 1),
        t.qinhuai.code: (Decimal("5.5"), 2),
        t.fuzimiao.code: (Decimal("5.5"), 2),
        NEW_CODE: (Decimal("5.5"), 2),
        NEW_CODE + t.grid1.code[12:]: (Decimal("5.5"), 2),
    }
    assert figures(api_client, people.city, t.fuzimiao.code)["volunteers.hours"] == 5.5


def test_org_move_moves_member_rollups(city, orgs, people, api_client):
    before = figures(api_client, people.city, orgs.gongyuan.code, tree="orgs")
    assert before["members.org.party"] == 1

    moved = move_org(people.city, orgs.branch1, orgs.gongyuan)

    after_new = figures(api_client, people.city, orgs.gongyuan.code, tree="orgs")
    after_old = figures(api_client, people.city, orgs.beianmen.code, tree="orgs")
    assert after_new["members.org.party"] == 6  # 1 + the branch's 4 full and 1 probationary
    assert after_new["orgs.org.type_branch"] == 2  # 贡院社区第一党支部 and the one moved in
    assert after_old["members.org.party"] == 1
    assert after_old["members.org.activists"] == 1
    assert figures(api_client, people.city, moved.code, tree="orgs")["members.org.party"] == 5

    moved_tables = tables()
    rebuild_everything()
    assert tables() == moved_tables
    assert figures(api_client, people.city, orgs.gongyuan.code, tree="orgs") == after_new


def test_a_move_a_table_cannot_follow_enqueues_its_rebuild(city, people, django_capture_on_commit_callbacks):
    """A 小区 (code length 18) carries no rows of the requests' statistics (kept down to the grid):
    its move cannot be followed in the transaction, so the statistics' rebuild runs right after."""
    from jiceng.areas.models import Level
    from jiceng.areas.services import create_area
    from jiceng.tallies.moves import subtree_moved

    t = city
    compound = create_area(None, parent=t.grid1, level=Level.COMPOUND, name="北安门小区")
    assert subtree_moved("areas", compound.code, compound.code) == []  # no ancestor changes, nothing stale

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        move_area(people.city, compound, t.grid2)
    assert len(callbacks) == 1
    assert tally_tasks.rebuild_after_move.call(["jiceng.appeals.stats.rebuild_sql", "os.system"]) >= 1


def test_an_org_given_another_area_takes_its_members_along_at_once(
    city, orgs, people, api_client, django_capture_on_commit_callbacks
):
    """update_org moves 第一网格党支部's anchor from 北安门 to 贡院 (another street): its members leave
    北安门's and 梅园新村's figures and join 贡院's and 夫子庙's in the same transaction; the other
    counters (orgs by type …) are rebuilt right after the commit. Everything equals a rebuild."""
    from jiceng.orgs.services import update_org

    t = city
    before = figures(api_client, people.city, t.gongyuan.code)["members.area.party"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        update_org(people.city, orgs.branch1, area=t.gongyuan)
    assert figures(api_client, people.city, t.gongyuan.code)["members.area.party"] == before + 5
    assert figures(api_client, people.city, t.fuzimiao.code)["members.area.party"] == before + 5
    assert figures(api_client, people.city, t.beianmen.code)["members.area.party"] == 1  # branch2's one member
    # The other counters: one rebuild job after the commit (the worker runs it; here, by hand).
    assert len(callbacks) == 1
    assert figures(api_client, people.city, t.gongyuan.code)["orgs.area.type_branch"] == 1
    assert tally_tasks.rebuild_after_move.call(list(tally_tasks.REBUILDERS)) >= 1
    assert figures(api_client, people.city, t.gongyuan.code)["orgs.area.type_branch"] == 2
    changed = tables()
    rebuild_everything()
    assert tables() == changed
