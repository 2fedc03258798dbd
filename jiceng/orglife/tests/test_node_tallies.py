"""组织生活 metrics: the counters ``_bump_held`` keeps equal the rebuild from ``HeldMonth``, and
the figures equal an independent count of held meetings for a sample of nodes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.core.metrics import Period, figures
from jiceng.core.registry import metrics
from jiceng.demo.orglife import load_orglife
from jiceng.members.models import Member
from jiceng.orglife import metrics as orglife_metrics
from jiceng.orglife.models import Meeting, MeetingStatus, MeetingType
from jiceng.orgs.metrics import rebuild_types
from jiceng.orgs.models import Org
from jiceng.tallies.models import NodeTally

pytestmark = pytest.mark.django_db


def rows():
    return sorted(
        NodeTally.objects.filter(key__startswith="orglife/", value__gt=0).values_list(
            "tree", "code", "key", "month", "value"
        )
    )


def test_counters_equal_the_rebuild_and_an_independent_count(people, make_user, tree, orgs):
    demo_user = make_user("beianmen_dangyuan", role="member", area=tree.beianmen)
    Member.objects.filter(pk=people.full[4].pk).update(user=demo_user)
    load_orglife()
    incremental = rows()
    assert incremental
    orglife_metrics.rebuild()
    assert rows() == incremental
    rebuild_types()

    today = timezone.localdate()
    start = today - timedelta(days=4 * 365)
    period = Period.parse(f"{start:%Y-%m}~{today:%Y-%m}", today)
    for tree_key, codes, field in (
        ("area", [tree.city.code, tree.beianmen.code, tree.grid1.code, tree.gongyuan.code], "area_path"),
        ("org", [orgs.grid1.code, orgs.grid2.code], "org_path"),
    ):
        chosen = [m for m in metrics().values() if m.source == f"orglife.{tree_key}_months"]
        values = figures(chosen, codes, period)
        for code in codes:
            held = Meeting.objects.filter(status=MeetingStatus.HELD, **{f"{field}__startswith": code})
            for t in (MeetingType.CONGRESS, MeetingType.COMMITTEE, MeetingType.LECTURE):
                want = held.filter(kinds__type=t).count()
                assert values[code][f"orglife.{tree_key}.held_{t.value}"] == want, (code, t)
            branches = Org.objects.filter(
                is_active=True,
                org_type__in=["branch", "joint_branch", "temporary_branch"],
                **({"area_path__startswith": code} if field == "area_path" else {"code__startswith": code}),
            ).count()
            branch_months = (
                held.filter(kinds__type=MeetingType.COMMITTEE)
                .values_list("org_id", "actual_start__year", "actual_start__month")
                .distinct()
                .count()
            )
            rate = values[code][f"orglife.{tree_key}.rate_committee"]
            if branches:
                assert rate == pytest.approx(min(1.0, branch_months / (branches * len(period.months))))
            else:
                assert rate is None
