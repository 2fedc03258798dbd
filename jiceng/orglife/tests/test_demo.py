"""The demo's organisational life in 北安门社区: a meeting open for sign-in, minutes in every
state, a 补学 for the demo member; loading twice adds nothing."""

import pytest

from jiceng.demo.orglife import load_orglife
from jiceng.members.models import Member
from jiceng.orglife.models import HeldMonth, MakeupTask, Meeting, MeetingStatus, MinutesStatus

pytestmark = pytest.mark.django_db


def test_demo_orglife(people, make_user, tree):
    demo_user = make_user("beianmen_dangyuan", role="member", area=tree.beianmen)
    Member.objects.filter(pk=people.full[4].pk).update(user=demo_user)
    result = load_orglife()
    assert result["created"] and result["meetings"] >= 5
    home = Meeting.objects.filter(org=people.full[4].org)
    assert home.filter(status=MeetingStatus.SIGNIN).count() == 1
    assert home.filter(status=MeetingStatus.PLANNED).exists()
    states = set(home.filter(status=MeetingStatus.HELD).values_list("minutes__status", flat=True))
    assert {MinutesStatus.APPROVED, MinutesStatus.SUBMITTED, MinutesStatus.RETURNED} <= states
    assert MakeupTask.objects.filter(member__user=demo_user, done_at__isnull=True).exists()
    assert HeldMonth.objects.filter(org=people.full[4].org, type="congress").exists()
    assert load_orglife()["created"] is False


def test_demo_year_for_every_branch(orgs, people):
    """Every branch outside 北安门社区 with members gets a year: held, missed and late meetings,
    attendance, 补学, minutes in every state; the held facts equal the services' (a rebuild
    gives the same rows); loading twice adds nothing."""
    from jiceng.demo.orglife import load_orglife_year
    from jiceng.orglife import held
    from jiceng.orglife.models import Attendance, Minutes

    result = load_orglife_year(seed=3)
    assert result["created"] and result["meetings"] > 20 and result["attendance"] > 0
    year = Meeting.objects.filter(org=people.outsider.org)
    assert year.filter(status=MeetingStatus.HELD).exists() and year.filter(status=MeetingStatus.PLANNED).exists()
    assert not Meeting.objects.filter(org=people.full[0].org).exists()  # 北安门社区 is load_orglife's
    assert Attendance.objects.filter(meeting__org=people.outsider.org, member=people.outsider).exists()
    assert set(Minutes.objects.values_list("status", flat=True)) >= {MinutesStatus.APPROVED}
    rows = held.table()
    assert rows and HeldMonth.objects.filter(org=people.outsider.org).exists()
    held.rebuild()
    assert held.table() == rows
    assert load_orglife_year(seed=3)["created"] is False
