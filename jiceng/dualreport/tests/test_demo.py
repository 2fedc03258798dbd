"""The demo's 双报到 rows: deterministic, consistent with the services' tallies, loaded once."""

from datetime import date

import pytest

from jiceng.demo.dualreport import load_dualreport
from jiceng.dualreport import services
from jiceng.dualreport.models import Registration, Service, ServicePost, SignUp, YearTally

from .conftest import employed_member

pytestmark = pytest.mark.django_db

TODAY = date(2025, 9, 30)


def test_demo_registers_a_share_of_the_communitys_employed_members(world):
    for n in range(12):
        employed_member(world.orgs.grid1, f"演示党员{n}", residence=world.tree.building)
    employed_member(world.orgs.grid1, "退休党员", residence=world.tree.building, employed=False)
    report = load_dualreport(seed=3, today=TODAY)
    assert report["created"] is True and report["registrations"] > 0
    registered = Registration.objects.all()
    assert not registered.filter(member__is_employed=False).exists()
    # The member with their own login (the demo account) is left to register on the phone.
    assert not registered.filter(member=world.member).exists()
    assert set(registered.values_list("community__code", flat=True)) == {"320102002011"}
    # Sign-ups within places; tallies are what a recount gives.
    for post in ServicePost.objects.all():
        assert post.taken == SignUp.objects.filter(post=post).count() <= post.places
    stored = {(t.member_id, t.year): (t.services, t.hours) for t in YearTally.objects.all()}
    assert stored == services.recount()
    assert all(s.served_on <= TODAY for s in Service.objects.all())
    # Loaded once.
    assert load_dualreport(seed=3, today=TODAY)["created"] is False
