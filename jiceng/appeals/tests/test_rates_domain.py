"""The rates and rule defaults against DOMAIN.md §7 and docs/appeals-rates.md (issue 13, item 8).

Each test is one finding, checked where a user meets it: the rate tables the pages and the API
read, the ranking, the deadlines the services set, the events on the timeline.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.appeals import services, stats
from jiceng.appeals.deadlines import compute_due
from jiceng.appeals.models import AppealEvent, EventKind, Notification, Outcome, Satisfaction, WhistleCase
from jiceng.appeals.rules import DEADLINES, SUMMONS_RATING_SCALE, WHISTLE_REPORT_MINUTES, deadline_limits
from jiceng.appeals.tasks import scan_appeal_deadlines
from jiceng.core.models import Rule
from jiceng.core.rules import RULES, RuleValueError, forget_rule

from .conftest import SHANGHAI, T0, at

SEPTEMBER, OCTOBER = date(2025, 9, 1), date(2025, 10, 1)
M = timedelta(minutes=1)
H = timedelta(hours=1)


def set_rule(key, value):
    Rule.objects.update_or_create(key=key, defaults={"value": value})
    forget_rule(key)


def close_rated(people, appeal, handler, when, outcome=Outcome.RESOLVED, satisfaction=Satisfaction.SATISFIED):
    services.answer_appeal(handler, appeal, text="已办理", result=Outcome.RESOLVED, now=when)
    services.rate_appeal(people.resident, appeal, outcome=outcome, satisfaction=satisfaction, now=when + H)


# --------------------------------------------------------------------------- 响应率


def test_a_request_reassigned_before_sign_for_counts_once(submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.beianmen, now=T0)
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0 + M)  # 改派 after a minute
    services.sign_appeal(people.grid, appeal, now=T0 + 5 * M)
    for code in (tree.grid1.code, tree.beianmen.code, tree.city.code):
        rates = stats.area_rates(code, SEPTEMBER)
        assert rates.response_rate == 1.0, code  # not 1 of 2 dispatches


def test_cancelled_and_merged_requests_never_reach_the_response_rate(submit, people, tree):
    cancelled, merged, kept = submit(client_token="c"), submit(client_token="m"), submit(client_token="k")
    for appeal in (cancelled, merged):
        services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    services.cancel_appeal(people.resident, cancelled, reason="已自行解决", now=T0 + H)
    services.merge_appeal(people.community, merged, kept, now=T0 + H)
    late = submit(client_token="late")  # its unit lets the sign-for deadline pass, then it is withdrawn
    services.dispatch_appeal(people.community, late, area=tree.grid1, now=T0)
    assert services.mark_response_overdue(now=T0 + 25 * H) == 1
    services.cancel_appeal(people.resident, late, reason="重复反映", now=T0 + 26 * H)
    rates = stats.area_rates(tree.beianmen.code, SEPTEMBER)
    assert (rates.dispatched, rates.cancelled, rates.merged, rates.response_overdue) == (3, 2, 1, 1)
    assert rates.response_rate is None  # empty, not 0%: none of them reached it


def test_the_response_rate_never_exceeds_100_percent_across_a_month_boundary(submit, people, tree):
    # Dispatched on 30 September at 23:00, signed on 1 October; another dispatched and signed in October.
    first, second = submit(client_token="1", now=at(2025, 9, 30, 22, 0)), submit(client_token="2", now=at(2025, 10, 8))
    services.dispatch_appeal(people.community, first, area=tree.grid1, now=at(2025, 9, 30, 23, 0))
    services.sign_appeal(people.grid, first, now=at(2025, 10, 1, 0, 30))
    services.dispatch_appeal(people.community, second, area=tree.grid1, now=at(2025, 10, 8, 9, 0))
    services.sign_appeal(people.grid, second, now=at(2025, 10, 8, 9, 30))
    for month in (SEPTEMBER, OCTOBER):
        for code in (tree.grid1.code, tree.xuanwu.code, tree.city.code):
            rates = stats.area_rates(code, month)
            assert rates.response_rate is None or rates.response_rate <= 1.0, (code, month)
    assert stats.area_rates(tree.city.code, OCTOBER).response_rate == 1.0  # 2 of 2, not 2 of 1
    assert stats.area_rates(tree.city.code, SEPTEMBER, OCTOBER).response_rate == 1.0


# --------------------------------------------------------------------------- ranking


@pytest.fixture
def two_communities(submit, people, tree):
    """北安门社区: a request dispatched, signed, answered and rated in September (score 100).
    梅园新村社区: nothing in September but the rating of an August request (no sign-for, no dispatch)."""
    august = at(2025, 8, 20, 9, 0)
    old = submit(client_token="old", area=tree.meiyuan_grid, now=august)
    services.dispatch_appeal(people.street, old, area=tree.meiyuan_grid, now=august + H)
    services.sign_appeal(people.meiyuan_grid, old, now=august + 2 * H)
    services.answer_appeal(people.meiyuan_grid, old, text="已办理", result=Outcome.RESOLVED, now=at(2025, 8, 31, 20, 0))
    services.rate_appeal(people.resident, old, outcome=Outcome.RESOLVED, satisfaction=Satisfaction.SATISFIED, now=T0)
    new = submit(client_token="new")
    services.dispatch_appeal(people.community, new, area=tree.grid1, now=T0)
    services.sign_appeal(people.grid, new, now=T0 + H)
    close_rated(people, new, people.grid, T0 + 2 * H, satisfaction=Satisfaction.BASICALLY)
    return tree


def test_a_unit_without_data_is_listed_apart_not_ranked_first(two_communities, client, people):
    tree = two_communities
    ranking = stats.monthly_ranking(tree.meiyuan.code, SEPTEMBER)
    assert [(r.rank, r.name, r.score) for r in ranking] == [
        (1, "北安门社区", pytest.approx(100.0)),
        (None, "梅园新村社区", None),  # nothing signed for in September: unranked, after the ranked
    ]
    client.force_login(people.street)
    page = client.get(reverse("appeals:rates"), {"code": tree.meiyuan.code, "month": "2025-09"})
    assert page.status_code == 200
    html = page.content.decode()
    ranked, apart = html.split('id="rates"')[1].split("</table>")[0], html.split('id="rates-apart"')[1]
    assert "北安门社区" in ranked and "梅园新村社区" not in ranked
    assert "梅园新村社区" in apart.split("</table>")[0] and "不参与排名" in html


def test_no_score_exceeds_100(two_communities, submit, people, tree):
    # A request signed in September, dispatched in August: September alone has more sign-fors than dispatches.
    carried = submit(client_token="carried", now=at(2025, 8, 31, 20, 0))
    services.dispatch_appeal(people.community, carried, area=tree.grid1, now=at(2025, 8, 31, 23, 30))
    services.sign_appeal(people.grid, carried, now=at(2025, 9, 1, 0, 10))
    for parent in (tree.city.code, tree.xuanwu.code, tree.meiyuan.code, tree.beianmen.code):
        for row in stats.monthly_ranking(parent, SEPTEMBER):
            assert row.score is None or row.score <= 100.0, (row.name, row.score)
            for rate in (row.rates.response_rate, row.rates.resolution_rate, row.rates.satisfaction_rate):
                assert rate is None or 0.0 <= rate <= 1.0


# --------------------------------------------------------------------------- 吹哨报到 in the rates


def blow_and_rate(people, tree, departments, *, rating, case=WhistleCase.RESIDENT_DEMAND, report_after=10 * M):
    whistle = services.blow_whistle(
        people.street,
        area=tree.meiyuan,
        case=case,
        title="停车难",
        departments=[departments.xw_chengguan, departments.xw_water],
        now=T0,
    )
    summons = whistle.summons.get(department=departments.xw_chengguan)
    services.report_summons(people.chengguan, summons, plan="到场", now=T0 + report_after)
    services.feedback_summons(people.chengguan, summons, feedback="已协调", now=T0 + report_after + H)
    services.rate_summons(people.street, summons, rating=rating, now=T0 + report_after + 2 * H)
    return whistle


def test_summons_reports_and_ratings_reach_the_areas_rates(people, tree, departments):
    blow_and_rate(people, tree, departments, rating=4)
    for code in (tree.meiyuan.code, tree.xuanwu.code, tree.city.code):
        rates = stats.area_rates(code, SEPTEMBER)
        assert (rates.whistles, rates.summons, rates.summons_reported, rates.summons_on_time) == (1, 2, 1, 1), code
        assert (rates.summons_rated, rates.summons_rating_sum, rates.summons_average_rating) == (1, 4, 4.0), code
    card = stats.department_rates(departments.xw_chengguan.pk, SEPTEMBER)
    assert (card.summons, card.summons_reported, card.summons_rated, card.summons_rating_sum) == (1, 1, 1, 4)
    assert stats.area_rates(tree.qinhuai.code, SEPTEMBER).summons == 0  # only the area that blew


def test_a_department_rated_top_and_on_time_is_ranked_with_100(people, tree, departments):
    blow_and_rate(people, tree, departments, rating=5)
    ranking = stats.department_ranking(tree.xuanwu.code, SEPTEMBER)
    assert [(r.rank, r.name, r.score) for r in ranking] == [
        (1, "玄武区城市管理局", pytest.approx(100.0)),
        (None, "玄武区水务局", None),  # summoned, never reported nor rated: apart
    ]


def test_the_department_scorecard_page_shows_the_score(people, tree, departments, client):
    blow_and_rate(people, tree, departments, rating=3)
    client.force_login(people.street)
    page = client.get(reverse("appeals:scorecard"), {"month": "2025-09"})
    assert page.status_code == 200
    html = page.content.decode()
    row = html.split("玄武区城市管理局")[1].split("</tr>")[0]
    # 按时报到 1/1 (weight 15) and rating 3 on 1–5 = 0.5 (weight 15): 100 × (15 + 7.5) / 30 = 75.
    assert "75.0" in row and "1—5分" in html


def test_the_rating_scale_is_a_rule(people, tree, departments):
    assert RULES[SUMMONS_RATING_SCALE].parse({"min": 1, "max": 5}) == {"min": 1, "max": 5}
    with pytest.raises(RuleValueError):
        RULES[SUMMONS_RATING_SCALE].parse({"min": 5, "max": 5})
    set_rule(SUMMONS_RATING_SCALE, {"min": 0, "max": 10})
    whistle = services.blow_whistle(
        people.street, area=tree.meiyuan, case="enforcement", title="违建", departments=[departments.xw_water], now=T0
    )
    summons = whistle.summons.get()
    services.report_summons(people.water, summons, plan="到场", now=T0 + M)
    services.feedback_summons(people.water, summons, feedback="完成", now=T0 + H)
    with pytest.raises(services.AppealError, match="0—10分"):
        services.rate_summons(people.street, summons, rating=11, now=T0 + 2 * H)
    services.rate_summons(people.street, summons, rating=8, now=T0 + 2 * H)
    water = stats.department_ranking(tree.xuanwu.code, SEPTEMBER)[0]
    # 按时报到 1 (15) and 8 on 0–10 = 0.8 (15): 100 × (15 + 12) / 30 = 90.
    assert (water.name, water.rank, round(water.score, 1)) == ("玄武区水务局", 1, 90.0)


@pytest.mark.parametrize("case", WhistleCase.values)
def test_departments_report_within_30_minutes_for_every_whistle(people, tree, departments, case):
    assert services.report_minutes(case) == 30
    whistle = services.blow_whistle(
        people.street, area=tree.meiyuan, case=case, title="召集", departments=[departments.xw_water], now=T0
    )
    assert whistle.report_due == T0 + 30 * M
    summons = whistle.summons.get()
    services.report_summons(people.water, summons, plan="到场", now=T0 + 31 * M)
    summons.refresh_from_db()
    assert summons.on_time is False
    assert "30分钟" in RULES[WHISTLE_REPORT_MINUTES].basis


# --------------------------------------------------------------------------- 签收超时


def test_the_sign_for_deadline_is_recorded_when_it_passes(submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)  # response limit 24 h
    assert services.mark_response_overdue(now=T0 + 23 * H) == 0
    assert services.mark_response_overdue(now=T0 + 25 * H) == 1
    assert services.mark_response_overdue(now=T0 + 26 * H) == 0  # once per dispatch
    appeal.refresh_from_db()
    assert appeal.response_overdue is True
    event = AppealEvent.objects.get(appeal=appeal, kind=EventKind.RESPONSE_OVERDUE)
    assert event.at == T0 + 25 * H and not event.public and "签收时限" in event.note
    assert Notification.objects.filter(appeal=appeal, kind="response_overdue", recipient=people.grid).exists()
    services.sign_appeal(people.grid, appeal, now=T0 + 27 * H)  # late: no second flag
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.RESPONSE_OVERDUE).count() == 1
    rates = stats.area_rates(tree.grid1.code, SEPTEMBER)
    assert (rates.signed, rates.responded, rates.response_overdue, rates.response_rate) == (1, 0, 1, 0.0)


def test_a_late_sign_for_records_the_missed_deadline_itself(submit, people, tree, departments, catalogue):
    appeal = submit(category=catalogue.building, description="违建", client_token="d")
    services.dispatch_appeal(people.street, appeal, department=departments.xw_chengguan, now=T0)
    services.sign_appeal(people.chengguan, appeal, now=T0 + 30 * H)  # the scan never ran
    kinds = list(AppealEvent.objects.filter(appeal=appeal).order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [EventKind.CREATE, EventKind.DISPATCH, EventKind.RESPONSE_OVERDUE, EventKind.SIGN]
    card = stats.department_rates(departments.xw_chengguan.pk, SEPTEMBER)
    assert (card.response_overdue, card.signed, card.responded) == (1, 1, 0)


def test_the_deadline_scan_includes_the_sign_for_deadline(submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=timezone.now() - 25 * H)
    result = scan_appeal_deadlines.call()
    assert result["response_overdue"] == 1


# --------------------------------------------------------------------------- day limits


def test_a_day_limit_ends_when_the_next_day_starts(submit, people, tree):
    appeal = submit()  # 占道经营, 一般: answer within 7 days
    last_day = timezone.localtime(appeal.answer_due).date()
    just_before_midnight = datetime.combine(last_day, time(23, 59, 59, 500000), tzinfo=SHANGHAI)
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0 + H)
    services.sign_appeal(people.grid, appeal, now=T0 + 2 * H)
    assert services.mark_overdue(services.overdue_candidates(now=just_before_midnight), now=just_before_midnight) == 0
    services.answer_appeal(people.grid, appeal, text="已劝离", result=Outcome.RESOLVED, now=just_before_midnight)
    answer = AppealEvent.objects.get(appeal=appeal, kind=EventKind.ANSWER)
    assert answer.data["on_time"] is True
    assert not AppealEvent.objects.filter(appeal=appeal, kind=EventKind.OVERDUE).exists()


@pytest.mark.parametrize("limit", ["1d", "3wd"])
def test_day_limits_run_to_the_start_of_the_next_day(db, limit):
    due = compute_due(T0, limit).at
    next_day = datetime.combine(timezone.localtime(due).date() + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    assert due < next_day and next_day - due <= timedelta(microseconds=1)


# --------------------------------------------------------------------------- feedback limits


def test_feedback_limits_default_to_the_sources_days(submit):
    assert deadline_limits("general")["answer"] == "7d"
    assert deadline_limits("complex")["answer"] == "15d"
    assert "自然日" in RULES[DEADLINES].basis
    appeal = submit()  # Wednesday 10 September 2025, 一般
    assert timezone.localtime(appeal.answer_due).date() == date(2025, 9, 17)  # 7 days, not 7 working days
    # Over the National Day holiday (1–8 October 2025) the days still run.
    autumn = submit(client_token="autumn", now=at(2025, 9, 30, 10, 0))
    assert timezone.localtime(autumn.answer_due).date() == date(2025, 10, 7)
    # A city that counts working days says so.
    set_rule(DEADLINES, {"general": {"answer": "7wd"}})
    assert deadline_limits("general")["answer"] == "7wd"
