"""The compliance engine on hand-made HeldMonth rows, its page, to-do and API."""

from datetime import date

import pytest

from jiceng.orglife import compliance
from jiceng.orglife.compliance import EXEMPT, HELD, LATE, MISSED, Period
from jiceng.orglife.models import HeldMonth, MeetingType
from jiceng.orgs.models import Org

pytestmark = pytest.mark.django_db

Q4 = Period.parse("2026-Q4")


def held(org, meeting_type, month: date, n=1):
    return HeldMonth.objects.create(
        org=org, org_path=org.code, area_path=org.area_path, type=meeting_type, month=month, held=n, first_held_on=month
    )


def old(*orgs):
    Org.objects.filter(pk__in=[o.pk for o in orgs]).update(founded_on=date(2020, 1, 1))
    for o in orgs:
        o.refresh_from_db()


def test_periods_parse_and_bound():
    assert (Q4.start, Q4.end, Q4.label) == (date(2026, 10, 1), date(2027, 1, 1), "2026年第4季度")
    assert Period.parse("2026-11").months == [date(2026, 11, 1)]
    assert Period.parse("2026").end == date(2027, 1, 1)
    with pytest.raises(compliance.PeriodError):
        Period.parse("2026-13")
    assert compliance.required_types(Q4) == [MeetingType.CONGRESS, MeetingType.LECTURE]
    assert MeetingType.COMMITTEE in compliance.required_types(Period.parse("2026-11"))


def test_held_missed_exempt_and_one_meeting_for_two_types(orgs):
    old(orgs.grid1, orgs.grid2)
    Org.objects.filter(pk=orgs.gongyuan_branch.pk).update(founded_on=date(2026, 11, 5))
    orgs.gongyuan_branch.refresh_from_db()
    # grid1: one meeting in November counted as 党员大会 and 党课; a September one is outside Q4.
    held(orgs.grid1, MeetingType.CONGRESS, date(2026, 11, 1))
    held(orgs.grid1, MeetingType.LECTURE, date(2026, 11, 1))
    held(orgs.grid2, MeetingType.CONGRESS, date(2026, 9, 1))
    held(orgs.grid2, MeetingType.LECTURE, date(2026, 12, 1), n=0)  # a cancelled one leaves zero
    rows = {r.org.pk: r.cells for r in compliance.assess([orgs.grid1, orgs.grid2, orgs.gongyuan_branch], Q4)}
    assert rows[orgs.grid1.pk] == {MeetingType.CONGRESS: HELD, MeetingType.LECTURE: HELD}
    assert rows[orgs.grid2.pk] == {MeetingType.CONGRESS: MISSED, MeetingType.LECTURE: MISSED}
    assert rows[orgs.gongyuan_branch.pk] == {MeetingType.CONGRESS: EXEMPT, MeetingType.LECTURE: EXEMPT}
    # The branch set up in November is assessed normally for December.
    dec = compliance.assess([orgs.gongyuan_branch], Period.parse("2026-12"))[0].cells
    assert set(dec.values()) == {MISSED}
    numbers = compliance.counts(compliance.branches(Org.objects.all()), Q4)
    assert numbers[MeetingType.CONGRESS] == {HELD: 1, EXEMPT: 1, LATE: 0, MISSED: 1, "total": 3}
    # The status filter gives the same branches as the cells.
    qs = compliance.branches(Org.objects.all())
    assert [o.pk for o in compliance.with_status(qs, Q4, MeetingType.CONGRESS, MISSED)] == [orgs.grid2.pk]
    assert [o.pk for o in compliance.with_status(qs, Q4, MeetingType.CONGRESS, EXEMPT)] == [orgs.gongyuan_branch.pk]
    assert [o.pk for o in compliance.with_status(qs, Q4, MeetingType.CONGRESS, HELD)] == [orgs.grid1.pk]


# --------------------------------------------------------------------------- page, API, 待办

from datetime import datetime, timedelta  # noqa: E402

from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from jiceng.core.todos import todo_groups  # noqa: E402
from jiceng.orglife import services  # noqa: E402
from jiceng.orgs.models import OrgCategory, OrgType  # noqa: E402
from jiceng.orgs.services import create_org  # noqa: E402
from tests.queries import count_queries  # noqa: E402


def test_page_shows_the_scope_with_counts_and_filters(client, orgs, people):
    old(orgs.grid1, orgs.grid2, orgs.gongyuan_branch)
    held(orgs.grid1, MeetingType.CONGRESS, date(2026, 10, 1))
    held(orgs.gongyuan_branch, MeetingType.CONGRESS, date(2026, 10, 1))
    client.force_login(people.community)
    url = reverse("orglife:compliance")
    page = client.get(url, {"period": "2026-Q4"}).content.decode()
    assert "2026年第4季度" in page
    assert "第一网格党支部" in page and "第二网格党支部" in page
    assert "贡院社区第一党支部" not in page  # another street's branch
    assert (
        '党支部 2 个：按期召开 1，逾期召开 <span class="text-warning">0</span>，'
        '未召开 <span class="text-danger">1</span>，免于考核 0'
    ) in page
    missed = client.get(url, {"period": "2026-Q4", "type": "congress", "status": "missed"}).content.decode()
    assert "第二网格党支部" in missed and "第一网格党支部" not in missed
    bad = client.get(url, {"period": "2026-Q9"}).content.decode()
    assert "考核期格式应为" in bad
    # A member without an office grant is refused.
    client.force_login(people.member_user)
    assert client.get(url).status_code == 403


def test_page_queries_do_not_grow_with_branches(client, orgs, people):
    client.force_login(people.community)
    url = reverse("orglife:compliance") + "?period=2026-11"
    client.get(url)  # the first page of a session also fills the menu's cached counts
    before, _ = count_queries(client, url)
    for i in range(6):
        org = create_org(
            None,
            parent=orgs.beianmen,
            name=f"新增第{i}党支部",
            org_type=OrgType.BRANCH,
            category=OrgCategory.GRID,
            area=orgs.grid1.area,
        )
        held(org, MeetingType.COMMITTEE, date(2026, 11, 1))
    after, response = count_queries(client, url)
    assert "新增第5党支部" in response.content.decode()
    assert after == before <= 12


def test_api_gives_the_page_numbers(api_client, client, orgs, people):
    old(orgs.grid1, orgs.grid2)
    held(orgs.grid1, MeetingType.CONGRESS, date(2026, 12, 1))
    api_client.force_authenticate(people.community)
    body = api_client.get("/api/v1/meetings/compliance/", {"period": "2026-Q4"}).json()
    congress = next(t for t in body["types"] if t["type"] == "congress")
    assert (congress["label"], congress["held"], congress["missed"], congress["exempt"]) == ("支部党员大会", 1, 1, 0)
    assert {r["name"]: r["status"]["congress"] for r in body["results"]} == {
        "第一网格党支部": "held",
        "第二网格党支部": "missed",
    }
    client.force_login(people.community)
    page = client.get(reverse("orglife:compliance"), {"period": "2026-Q4"}).content.decode()
    assert f"党支部 {congress['total']} 个：按期召开 {congress['held']}" in page
    bad = api_client.get("/api/v1/meetings/compliance/", {"period": "Q4"})
    assert bad.status_code == 400 and "考核期格式" in bad.json()["error"]["message"]
    api_client.force_authenticate(people.member_user)
    assert api_client.get("/api/v1/meetings/compliance/").status_code == 403


def _titles(user, now):
    return [
        item.title for group in todo_groups(user, now) for item in group.items if group.source.key == "orglife.missing"
    ]


def test_todo_two_weeks_before_quarter_end_and_gone_once_held(open_meeting, orgs, people):
    old(orgs.grid1, orgs.grid2)
    quarter = Period.containing("quarter", timezone.localdate())
    early = timezone.make_aware(datetime.combine(quarter.end - timedelta(days=20), datetime.min.time()))
    late = timezone.make_aware(datetime.combine(quarter.end - timedelta(days=10), datetime.min.time()))
    title = "本季度支部党员大会未召开 · 第一网格党支部"
    assert title not in _titles(people.secretary, early)  # the quarter ends in more than 14 days
    titles = _titles(people.secretary, late)
    assert title in titles
    assert not any("第二网格党支部" in t for t in titles)  # the secretary's branch only
    assert any("第二网格党支部" in t for t in _titles(people.community, late))  # the community sees both
    meeting = open_meeting(types=[MeetingType.CONGRESS])
    services.close_meeting(people.community, meeting)
    assert title not in _titles(people.secretary, late)


def test_todo_gone_once_an_exemption_is_approved(orgs, people):
    """An approved 延期召开 takes the branch off "本季度支部党员大会未召开"; a pending one does not."""
    old(orgs.grid1, orgs.grid2)
    quarter = Period.containing("quarter", timezone.localdate())
    late = timezone.make_aware(datetime.combine(quarter.end - timedelta(days=10), datetime.min.time()))
    title = "本季度支部党员大会未召开 · 第一网格党支部"
    row, _ = services.request_exemption(
        people.secretary, org=orgs.grid1, kind="postpone", period=quarter.key, meeting_type="congress", reason="换届"
    )
    assert title in _titles(people.secretary, late)
    services.decide_exemption(people.community, row, approve=True, note="同意")
    assert title not in _titles(people.secretary, late)
    assert "本季度支部党员大会未召开 · 第二网格党支部" in _titles(people.community, late)
