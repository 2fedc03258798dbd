"""The rates on a hand-computed example (docs/appeals-rates.md), read from the monthly tables only.

September 2025, 梅园新村街道:

* 北安门社区 (A1–A5)
  - A1 (1栋): dispatched to 第一网格, signed in time, answered in time, rated 解决/满意 → closed in time.
  - A2 (1栋): dispatched to 第一网格, signed 25 h later (late), answered after its deadline (超期),
    rated 部分解决/基本满意 → closed, not in time.
  - A3 (第二网格): dispatched to the community, signed, 退单; re-dispatched to 第二网格, signed,
    answered, rated 未解决/不满意 → 重办, signed, answered, rated 解决/满意 → closed in time.
  - A4 (第二网格): dispatched to 第二网格, signed, answered, never rated → closed 未回访 by the community.
  - A5 (1栋): cancelled by the resident.
* 梅园新村社区 (B1–B2)
  - B1: dispatched to its grid, signed in time, answered, rated 解决/不满意; the community closes it.
  - B2: dispatched, never signed.

By hand, 北安门社区: received 5; dispatched 6 (A1, A2, A3 ×3, A4); signed 6, in time 5 (all signs
but A2's); returned 1; answered 5; closed 4, in time 3; rated 3 (A4 not rated; only the final
rating of A3 counts); resolved 2, partly 1; 满意 2, 基本满意 1; reopened 1; overdue 1; cancelled 1.
响应率 5/6, 解决率 2/3, 满意率 3/3, 综合 = 30×5/6 + 35×2/3 + 35×1 = 83⅓; 按时办结率 3/4,
退单率 1/6, 重办率 1/5.
梅园新村社区: dispatched 2, signed 1 (B2 waits for its sign-for: 签收超时, not yet in 响应率),
responded 1, rated 1, resolved 1, satisfied 0: 响应率 1/1, 解决率 1, 满意率 0,
综合 = 30 + 35 + 0 = 65.
梅园新村街道 = the sum: 响应率 6/7, 解决率 3/4, 满意率 3/4, 综合 30×6/7 + 70×3/4 = 78.2.
"""

from datetime import date, timedelta

import pytest

from jiceng.appeals import services, stats
from jiceng.appeals.models import COUNTER_FIELDS, AreaStat, DepartmentStat, Outcome, Satisfaction
from jiceng.appeals.rules import RATE_WEIGHTS
from jiceng.core.models import Rule
from jiceng.core.rules import forget_rule

from .conftest import T0, at

SEPTEMBER = date(2025, 9, 1)
H = timedelta(hours=1)


@pytest.fixture
def september(submit, people, tree):
    p = people

    def answer(appeal, who, when, result=Outcome.RESOLVED):
        services.answer_appeal(who, appeal, text="已办理", result=result, now=when)

    def rate(appeal, who, when, outcome, satisfaction):
        services.rate_appeal(who, appeal, outcome=outcome, satisfaction=satisfaction, now=when)

    a1 = submit(client_token="a1")
    services.dispatch_appeal(p.community, a1, area=tree.grid1, now=T0 + H)
    services.sign_appeal(p.grid, a1, now=T0 + 2 * H)
    answer(a1, p.grid, T0 + 5 * H)
    rate(a1, p.resident, T0 + 6 * H, Outcome.RESOLVED, Satisfaction.SATISFIED)

    a2 = submit(client_token="a2")
    services.dispatch_appeal(p.community, a2, area=tree.grid1, now=T0 + H)
    services.sign_appeal(p.grid, a2, now=T0 + 26 * H)  # the response limit is 24 h
    answer(a2, p.grid, a2.answer_due + H, Outcome.PARTLY)  # after its deadline
    rate(a2, p.resident, at(2025, 9, 22, 9, 0), Outcome.PARTLY, Satisfaction.BASICALLY)

    a3 = submit(client_token="a3", area=tree.grid2)
    services.dispatch_appeal(p.community, a3, area=tree.beianmen, now=T0 + H)
    services.sign_appeal(p.community, a3, now=T0 + 2 * H)
    services.return_appeal(p.community, a3, reason="应由网格处理", now=T0 + 3 * H)
    services.dispatch_appeal(p.community, a3, area=tree.grid2, now=T0 + 4 * H)
    services.sign_appeal(p.grid2, a3, now=T0 + 5 * H)
    answer(a3, p.grid2, T0 + 8 * H, Outcome.PARTLY)
    rate(a3, p.resident, T0 + 9 * H, Outcome.UNRESOLVED, Satisfaction.UNSATISFIED)
    services.reopen_appeal(p.community, a3, note="未解决", now=T0 + 10 * H)
    services.sign_appeal(p.grid2, a3, now=T0 + 11 * H)
    answer(a3, p.grid2, T0 + 30 * H)
    rate(a3, p.resident, T0 + 31 * H, Outcome.RESOLVED, Satisfaction.SATISFIED)

    a4 = submit(client_token="a4", area=tree.grid2)
    services.dispatch_appeal(p.community, a4, area=tree.grid2, now=T0 + H)
    services.sign_appeal(p.grid2, a4, now=T0 + 2 * H)
    answer(a4, p.grid2, T0 + 3 * H)
    services.close_appeal(p.community, a4, now=at(2025, 9, 25, 9, 0))

    a5 = submit(client_token="a5")
    services.cancel_appeal(p.resident, a5, reason="已自行解决", now=T0 + H)

    b1 = submit(client_token="b1", area=tree.meiyuan_grid)
    services.dispatch_appeal(p.street, b1, area=tree.meiyuan_grid, now=T0 + H)
    services.sign_appeal(p.meiyuan_grid, b1, now=T0 + 2 * H)
    answer(b1, p.meiyuan_grid, T0 + 3 * H)
    rate(b1, p.resident, T0 + 4 * H, Outcome.RESOLVED, Satisfaction.UNSATISFIED)
    services.close_appeal(p.street, b1, note="已解决，不满意原因为诉求超出政策范围", now=T0 + 5 * H)

    b2 = submit(client_token="b2", area=tree.meiyuan_grid)
    services.dispatch_appeal(p.street, b2, area=tree.meiyuan_grid, now=T0 + H)
    return tree


def counts(rates, *names):
    return {name: rates.counts[name] for name in names}


def test_community_rates_by_hand(september):
    rates = stats.area_rates(september.beianmen.code, SEPTEMBER)
    assert counts(
        rates,
        "received",
        "dispatched",
        "signed",
        "responded",
        "returned",
        "answered",
        "closed",
        "closed_on_time",
        "rated",
        "resolved",
        "partly_resolved",
        "satisfied",
        "basically_satisfied",
        "unsatisfied",
        "reopened",
        "overdue",
        "cancelled",
    ) == {
        "received": 5,
        "dispatched": 6,
        "signed": 6,
        "responded": 5,
        "returned": 1,
        "answered": 5,
        "closed": 4,
        "closed_on_time": 3,
        "rated": 3,
        "resolved": 2,
        "partly_resolved": 1,
        "satisfied": 2,
        "basically_satisfied": 1,
        "unsatisfied": 0,
        "reopened": 1,
        "overdue": 1,
        "cancelled": 1,
    }
    assert rates.response_rate == pytest.approx(5 / 6)
    assert rates.resolution_rate == pytest.approx(2 / 3)
    assert rates.satisfaction_rate == pytest.approx(1.0)
    assert rates.composite() == pytest.approx(30 * 5 / 6 + 35 * 2 / 3 + 35)  # 83.33
    assert rates.on_time_rate == pytest.approx(3 / 4)
    assert rates.return_rate == pytest.approx(1 / 6)
    assert rates.reopen_rate == pytest.approx(1 / 5)


def test_other_community_street_and_city(september):
    meiyuan_cm = stats.area_rates(september.meiyuan_cm.code, SEPTEMBER)
    assert (meiyuan_cm.response_rate, meiyuan_cm.resolution_rate, meiyuan_cm.satisfaction_rate) == (1.0, 1.0, 0.0)
    assert meiyuan_cm.composite() == pytest.approx(65)
    street = stats.area_rates(september.meiyuan.code, SEPTEMBER)
    assert street.counts["received"] == 7 and street.counts["dispatched"] == 8 and street.counts["signed"] == 7
    assert (street.response_rate, street.resolution_rate, street.satisfaction_rate) == (6 / 7, 0.75, 0.75)
    assert street.composite() == pytest.approx(30 * 6 / 7 + 70 * 0.75)
    # Every level above sums the same appeals; 秦淮区 had none.
    for code in (september.xuanwu.code, september.city.code):
        assert stats.area_rates(code, SEPTEMBER).counts == street.counts
    empty = stats.area_rates(september.qinhuai.code, SEPTEMBER)
    assert empty.response_rate is None and empty.composite() is None


def test_grid_rates(september):
    grid1 = stats.area_rates(september.grid1.code, SEPTEMBER)  # A1, A2, A5 (at 1栋, in 第一网格)
    assert counts(grid1, "received", "dispatched", "responded", "rated", "resolved") == {
        "received": 3,
        "dispatched": 2,
        "responded": 1,
        "rated": 2,
        "resolved": 1,
    }
    building_rows = AreaStat.objects.filter(path=september.building.code)
    assert not building_rows.exists()  # statistics stop at the grid


def test_monthly_ranking_and_weights(september):
    ranking = stats.monthly_ranking(september.meiyuan.code, SEPTEMBER)
    assert [(r.rank, r.name, round(r.score, 2)) for r in ranking] == [
        (1, "北安门社区", 83.33),
        (2, "梅园新村社区", 65.0),
    ]
    Rule.objects.create(key=RATE_WEIGHTS, value={"response": 20, "resolution": 60, "satisfaction": 20})
    forget_rule(RATE_WEIGHTS)
    ranking = stats.monthly_ranking(september.meiyuan.code, SEPTEMBER)
    # 梅园新村: 20×1 + 60×1 + 0 = 80; 北安门: 20×5/6 + 60×2/3 + 20×1 = 76.67.
    assert [(r.name, round(r.score, 2)) for r in ranking] == [("梅园新村社区", 80.0), ("北安门社区", 76.67)]
    # A month with no activity: no scores, no ranks, nobody left out.
    october = stats.monthly_ranking(september.meiyuan.code, date(2025, 10, 1))
    assert [(r.rank, r.score) for r in october] == [(None, None), (None, None)]


def test_reading_rates_never_scans_appeals(september, django_assert_num_queries):
    with django_assert_num_queries(1):
        stats.area_rates(september.city.code, SEPTEMBER, date(2025, 12, 1))
    stats.rate_weights()  # the weights rule, cached after the first read
    with django_assert_num_queries(2):  # the children, their rows
        stats.monthly_ranking(september.meiyuan.code, SEPTEMBER)


def test_rebuild_from_the_timeline_gives_the_same_tables(september, people, departments):
    def snapshot():
        area = {
            (r["path"], r["month"]): tuple(r[f] for f in COUNTER_FIELDS)
            for r in AreaStat.objects.values("path", "month", *COUNTER_FIELDS)
        }
        dept = {
            (r["department_id"], r["month"]): tuple(r[f] for f in COUNTER_FIELDS)
            for r in DepartmentStat.objects.values("department_id", "month", *COUNTER_FIELDS)
        }
        return area, dept

    # Add a whistle with a summons reported and rated, and a department's appeal.
    whistle = services.blow_whistle(
        people.street,
        area=september.meiyuan,
        case="resident_demand",
        title="停车难",
        departments=[departments.xw_chengguan],
        now=T0,
    )
    summons = whistle.summons.get()
    services.report_summons(people.chengguan, summons, plan="到场", now=T0 + timedelta(minutes=10))
    services.feedback_summons(people.chengguan, summons, feedback="已协调", now=T0 + H)
    services.rate_summons(people.street, summons, rating=4, now=T0 + 2 * H)
    before = snapshot()
    assert stats.rebuild() == (len(before[0]), len(before[1]))
    assert snapshot() == before


def test_department_scorecard(submit, people, tree, departments, catalogue):
    appeal = submit(category=catalogue.building, description="违建", client_token="d1")
    services.dispatch_appeal(people.street, appeal, department=departments.xw_chengguan, now=T0)
    services.sign_appeal(people.chengguan, appeal, now=T0 + H)
    services.answer_appeal(people.chengguan, appeal, text="已拆除", result=Outcome.RESOLVED, now=T0 + 2 * H)
    services.rate_appeal(
        people.resident, appeal, outcome=Outcome.RESOLVED, satisfaction=Satisfaction.SATISFIED, now=T0 + 3 * H
    )
    other = submit(category=catalogue.building, description="违建2", client_token="d2")
    services.dispatch_appeal(people.street, other, department=departments.xw_chengguan, now=T0)
    services.return_appeal(people.chengguan, other, reason="属于规划部门", now=T0 + H)
    for n, rating in enumerate((5, 3)):
        whistle = services.blow_whistle(
            people.street,
            area=tree.meiyuan,
            case="enforcement",
            title=f"联合执法{n}",
            departments=[departments.xw_chengguan, departments.xw_water],
            now=T0,
        )
        summons = whistle.summons.get(department=departments.xw_chengguan)
        late = T0 + timedelta(minutes=10 if n == 0 else 60 * 25)  # the second report is late (24 h)
        services.report_summons(people.chengguan, summons, plan="到场", now=late)
        services.feedback_summons(people.chengguan, summons, feedback="完成", now=late + H)
        services.rate_summons(people.street, summons, rating=rating, now=late + 2 * H)
    card = stats.department_rates(departments.xw_chengguan.pk, SEPTEMBER)
    assert counts(card, "dispatched", "responded", "returned", "closed", "rated", "resolved", "satisfied") == {
        "dispatched": 2,
        "responded": 1,
        "returned": 1,
        "closed": 1,
        "rated": 1,
        "resolved": 1,
        "satisfied": 1,
    }
    # The returned request was never signed for: not in 响应率 (1 of 1), in 退单率 (1 of 2).
    assert card.response_rate == 1.0 and card.return_rate == 0.5 and card.composite() == pytest.approx(100)
    assert (card.summons, card.summons_reported, card.summons_on_time) == (2, 2, 1)
    assert card.summons_report_rate == 1.0 and card.summons_on_time_rate == 0.5
    assert card.summons_average_rating == 4.0
    water = stats.department_rates(departments.xw_water.pk, SEPTEMBER)
    assert (water.summons, water.summons_reported, water.summons_report_rate) == (2, 0, 0.0)
    ranking = stats.department_ranking(tree.xuanwu.code, SEPTEMBER)
    assert [r.name for r in ranking] == ["玄武区城市管理局", "玄武区水务局"]
    # Appeals 20/25/25 at 100%, 按时报到 1/2 (15), rating 4 on 1–5 = 3/4 (15): 70 + 7.5 + 11.25.
    assert ranking[0].rank == 1 and ranking[0].score == pytest.approx(88.75)
    assert ranking[1].rank is None


def test_an_area_move_takes_the_appeals_and_their_rate_rows_along(submit, people, tree):
    from jiceng.areas.services import move_area

    appeal = submit(area=tree.grid2, client_token="m1")
    old = tree.grid2.code
    moved = move_area(None, tree.grid2, tree.meiyuan_cm)
    appeal.refresh_from_db()
    assert appeal.area_path == moved.code != old
    assert stats.area_rates(moved.code, SEPTEMBER).counts["received"] == 1
    assert not AreaStat.objects.filter(path=old).exists()
    # The ancestors' counters move with it in the same transaction (jiceng.tallies.moves), as a
    # rebuild from the timeline would have them.
    assert stats.area_rates(tree.beianmen.code, SEPTEMBER).counts["received"] == 0
    assert stats.area_rates(tree.meiyuan_cm.code, SEPTEMBER).counts["received"] == 1
    assert stats.area_rates(tree.meiyuan.code, SEPTEMBER).counts["received"] == 1
    stats.rebuild()
    assert stats.area_rates(tree.beianmen.code, SEPTEMBER).counts["received"] == 0
    assert stats.area_rates(tree.meiyuan_cm.code, SEPTEMBER).counts["received"] == 1


def test_the_scheduler_runs_the_appeal_jobs():
    from datetime import timedelta as td

    from jiceng.core.schedule import SCHEDULE

    assert ("jiceng.appeals.tasks.scan_appeal_deadlines", td(minutes=2)) in SCHEDULE
    assert ("jiceng.appeals.tasks.close_unrated_appeals", td(hours=24)) in SCHEDULE


def test_unrated_answers_are_closed_after_the_waiting_period(submit, people, tree):
    appeal = submit(client_token="u1")
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    services.sign_appeal(people.grid, appeal, now=T0)
    services.answer_appeal(people.grid, appeal, text="已处理", result=Outcome.RESOLVED, now=T0)
    assert services.auto_close_unrated(T0 + timedelta(days=6)) == 0
    assert services.auto_close_unrated(T0 + timedelta(days=8)) == 1
    assert services.auto_close_unrated(T0 + timedelta(days=9)) == 0
    rates = stats.area_rates(tree.grid1.code, SEPTEMBER)
    assert (rates.counts["closed"], rates.counts["rated"], rates.resolution_rate) == (1, 0, None)
