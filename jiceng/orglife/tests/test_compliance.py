"""The compliance engine on hand-made HeldMonth rows, its page, to-do and API."""

from datetime import date

import pytest

from jiceng.orglife import compliance
from jiceng.orglife.compliance import EXEMPT, HELD, MISSED, Period
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
    assert numbers[MeetingType.CONGRESS] == {HELD: 1, EXEMPT: 1, MISSED: 1, "total": 3}
    # The status filter gives the same branches as the cells.
    qs = compliance.branches(Org.objects.all())
    assert [o.pk for o in compliance.with_status(qs, Q4, MeetingType.CONGRESS, MISSED)] == [orgs.grid2.pk]
    assert [o.pk for o in compliance.with_status(qs, Q4, MeetingType.CONGRESS, EXEMPT)] == [orgs.gongyuan_branch.pk]
    assert [o.pk for o in compliance.with_status(qs, Q4, MeetingType.CONGRESS, HELD)] == [orgs.grid1.pk]
