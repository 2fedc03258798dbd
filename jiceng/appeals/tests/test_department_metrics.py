"""部门考核 along the area tree: the departments located in a node's subtree, their monthly
counters summed, read through the metric registry and checked against ``stats.department_rates``
(the 部门考核 page's own computation) summed by hand."""

from datetime import date

import pytest

from jiceng.appeals import stats
from jiceng.appeals.models import COUNTER_FIELDS, DepartmentStat
from jiceng.core.metrics import Period, figures
from jiceng.core.registry import metrics
from jiceng.orgs.models import Department, DepartmentLevel

pytestmark = pytest.mark.django_db

SEPT, OCT = date(2025, 9, 1), date(2025, 10, 1)
KEYS = ["appeals.department_summons", "appeals.department_on_time", "appeals.department_score"]


def _stat(department, month, **counts):
    return DepartmentStat.objects.create(department=department, month=month, **counts)


@pytest.fixture
def located(tree, departments):
    street = Department.objects.create(
        name="梅园新村街道综合行政执法队", level=DepartmentLevel.STREET, area=tree.meiyuan, area_path=tree.meiyuan.code
    )
    counts = dict(signed=4, responded=3, rated=2, resolved=1, satisfied=2)
    _stat(departments.xw_chengguan, SEPT, summons=4, summons_reported=4, summons_on_time=3, **counts)
    _stat(departments.xw_water, SEPT, summons=2, summons_reported=1, summons_on_time=0, summons_rated=1)
    _stat(departments.xw_water, OCT, summons=5, summons_reported=5, summons_on_time=5)  # another month
    _stat(street, SEPT, summons=1, summons_reported=1, summons_on_time=1, summons_rated=1, summons_rating_sum=4)
    _stat(departments.qh_chengguan, SEPT, summons=9, summons_reported=9, summons_on_time=9)  # 秦淮: elsewhere
    return [departments.xw_chengguan, departments.xw_water, street]


def _by_hand(department_ids, start, end) -> stats.Rates:
    rows = DepartmentStat.objects.filter(department_id__in=department_ids, month__gte=start, month__lte=end)
    total = {}
    for row in rows:
        for name in COUNTER_FIELDS:
            total[name] = total.get(name, 0) + getattr(row, name)
    return stats._rates(total)


def test_department_figures_sum_the_departments_in_the_subtree(tree, located):
    chosen = [metrics()[key] for key in KEYS]
    assert {m.key for m in chosen} == set(KEYS)
    codes = [tree.xuanwu.code, tree.meiyuan.code, tree.beianmen.code, tree.qinhuai.code]
    got = figures(chosen, codes, Period(SEPT, SEPT, "2025-09"))
    xuanwu = _by_hand([d.pk for d in located], SEPT, SEPT)
    assert got[tree.xuanwu.code]["appeals.department_summons"] == 4 + 2 + 1 == xuanwu.counts["summons"]
    assert got[tree.xuanwu.code]["appeals.department_on_time"] == pytest.approx(xuanwu.summons_on_time_rate)
    weights = stats.department_weights()
    assert got[tree.xuanwu.code]["appeals.department_score"] == pytest.approx(
        xuanwu.ranked_score(weights, stats.DEPARTMENT_GROUPS, None)
    )
    street = _by_hand([located[2].pk], SEPT, SEPT)
    assert got[tree.meiyuan.code]["appeals.department_summons"] == 1 == street.counts["summons"]
    assert got[tree.meiyuan.code]["appeals.department_on_time"] == pytest.approx(1.0)
    # A community with no department of its own has no figure; 秦淮 counts only its own.
    assert got.get(tree.beianmen.code, {}).get("appeals.department_summons") in (None, 0)
    assert got[tree.qinhuai.code]["appeals.department_summons"] == 9
    # Two months: October's summons join in.
    both = figures(chosen, [tree.xuanwu.code], Period(SEPT, OCT, "2025-09~2025-10"))
    assert both[tree.xuanwu.code]["appeals.department_summons"] == 4 + 2 + 1 + 5


def test_the_department_source_reads_in_one_query(tree, located, django_assert_num_queries):
    from jiceng.appeals.metrics import department_months

    codes = [tree.xuanwu.code, tree.meiyuan.code, tree.qinhuai.code, tree.city.code]
    with django_assert_num_queries(1):
        rows = department_months(codes, SEPT, OCT, by_month=True)
    assert rows[(tree.city.code, OCT)]["summons"] == 5
    assert rows[(tree.city.code, SEPT)]["summons"] == 4 + 2 + 1 + 9
