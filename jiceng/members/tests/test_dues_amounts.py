"""党费 in 元 as metrics (issue 12): 实缴 (by dues month), 每月应缴 and 欠缴, from the dues counters
(``members.metrics.dues_amount_changes`` rolled up in ``tallies.NodeTally`` by the nightly job),
each equal to an independent sum over the payments and the roster for a sample of nodes."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from jiceng.core.dates import add_months
from jiceng.core.metrics import Period, figures
from jiceng.core.paths import subtree_q
from jiceng.core.registry import metrics
from jiceng.members import services
from jiceng.members.dues import monthly_dues, unpaid_months
from jiceng.members.metrics import rebuild_dues_amounts
from jiceng.members.models import PARTY_MEMBER_STATUSES, DuesPayment, Member, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def dues(make_member, orgs, users):
    today = timezone.localdate()
    this = today.replace(day=1)
    last, before = add_months(this, -1), add_months(this, -2)
    a = make_member()  # 第一网格党支部
    b = make_member(status=Status.PROBATIONARY)
    c = make_member(org=orgs.branch2)
    d = make_member(org=orgs.gongyuan_branch)
    services.set_dues(users.city, a, category="employed", base="6000")  # 1% → 60.00
    services.set_dues(users.city, b, category="retired", base="4000")
    services.set_dues(users.city, c, category="student")
    services.set_dues(users.city, d, category="employed", base="12000")
    for member, months in ((a, (before, last)), (c, (last,)), (d, (before, last, this))):
        member.refresh_from_db()
        for month in months:
            due = monthly_dues(member.dues_category, member.dues_base)
            services.record_payment(users.city, member, month, due, paid_on=today, note="补交")
    make_member(org=orgs.branch2, status=Status.APPLICANT)  # not a party member: owes nothing
    rebuild_dues_amounts()
    return this, last, before


def expected(path_field: str, code: str, period: Period, today: date) -> dict[str, float]:
    paid = DuesPayment.objects.filter(
        subtree_q(code, f"member__{path_field}"), month__gte=period.start, month__lte=period.end
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    due = owed = Decimal(0)
    members = Member.objects.filter(subtree_q(code, path_field), left_on__isnull=True, status__in=PARTY_MEMBER_STATUSES)
    for member in members:
        monthly = monthly_dues(member.dues_category, member.dues_base)
        due += monthly
        since = member.admission_date or member.full_member_date
        owed += monthly * unpaid_months(member.dues_paid_through, since, today)
    return {"paid": float(paid), "due": float(due), "owed": float(owed)}


@pytest.mark.parametrize("tree_name", ["areas", "orgs"])
def test_dues_amounts_equal_independent_sums_on_sample_nodes(dues, tree, orgs, tree_name):
    this, last, before = dues
    today = timezone.localdate()
    prefix = "members.area" if tree_name == "areas" else "members.org"
    chosen = [metrics()[f"{prefix}.dues_{k}_amount"] for k in ("paid", "due", "owed")]
    if tree_name == "areas":
        path_field = "area_path"
        codes = [tree.city.code, tree.xuanwu.code, tree.beianmen.code, tree.grid1.code, tree.grid2.code]
        codes.append(tree.gongyuan.code)
    else:
        path_field = "org_path"
        codes = [orgs.beianmen.code, orgs.branch1.code, orgs.branch2.code, orgs.gongyuan.code]
    nonzero = 0
    for text in (f"{last:%Y-%m}", f"{before:%Y-%m}~{this:%Y-%m}"):
        period = Period.parse(text, today)
        got = figures(chosen, codes, period)
        for code in codes:
            want = expected(path_field, code, period, today)
            for key in ("paid", "due", "owed"):
                assert got[code][f"{prefix}.dues_{key}_amount"] == pytest.approx(want[key]), (code, text, key)
            nonzero += want["paid"] > 0 and want["owed"] > 0
    assert nonzero >= 2  # the sample is not all zeros


def test_the_amounts_are_as_of_the_last_rebuild(dues, tree, users):
    today = timezone.localdate()
    metric = metrics()["members.area.dues_paid_amount"]
    period = Period.month_of(today)
    before = figures([metric], [tree.beianmen.code], period)[tree.beianmen.code][metric.key]
    # A party member of 北安门社区 who has not paid this month yet.
    member = (
        Member.objects.filter(subtree_q(tree.beianmen.code, "area_path"), status__in=PARTY_MEMBER_STATUSES)
        .exclude(dues_payments__month=period.start)
        .order_by("pk")
        .first()
    )
    assert member is not None
    due = monthly_dues(member.dues_category, member.dues_base)
    services.record_payment(users.city, member, period.start, due, paid_on=today, note="补交")
    assert figures([metric], [tree.beianmen.code], period)[tree.beianmen.code][metric.key] == before
    rebuild_dues_amounts()
    after = figures([metric], [tree.beianmen.code], period)[tree.beianmen.code][metric.key]
    assert after == pytest.approx(before + float(due))
