"""Concurrent awards on PostgreSQL: one award per source, and the yearly cap holds under a race."""

from datetime import date
from decimal import Decimal

import pytest

from conftest import build_tree
from jiceng.dualreport.tests.conftest import employed_member
from jiceng.dualreport.tests.test_concurrency import race
from jiceng.orgs.tests.conftest import build_orgs
from jiceng.points import services
from jiceng.points.models import Award, PointRule, YearTotal


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_of_one_source_write_one_row():
    tree = build_tree()
    member = employed_member(build_orgs(tree).grid1, "并发积分", residence=tree.building)
    wins, errors = race(6, lambda n: services.award("dual_service", 42, member, 1, date(2026, 5, 1)))
    assert not errors, errors
    assert len({w.pk for w in wins}) == 1
    assert Award.objects.count() == 1
    assert services.member_points(member, 2026) == Decimal("2")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_never_pass_the_yearly_cap():
    tree = build_tree()
    member = employed_member(build_orgs(tree).grid1, "封顶积分", residence=tree.building)
    PointRule.objects.create(source_kind="dual_service", points_per_unit=Decimal("3"), yearly_cap=10)
    _wins, errors = race(8, lambda n: services.award("dual_service", n, member, 1, date(2026, 6, 1)))
    assert not errors, errors
    assert Award.objects.count() == 8
    assert services.member_points(member, 2026) == Decimal("10")
    assert sum(a.points for a in Award.objects.all()) == Decimal("10")
    assert YearTotal.objects.get(member=member, year=2026, source_kind="dual_service").points == Decimal("10")
