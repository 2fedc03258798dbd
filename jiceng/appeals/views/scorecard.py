"""部门考核: each department's 报到率, 按时报到率 and average rating for a month.

Read from the monthly ``DepartmentStat`` counters the whistle services maintain (see
:mod:`jiceng.appeals.stats`): two queries whatever the number of summons. The departments listed
are those the user may see (``Department.objects.visible_to``) and those summoned by whistles the
user may see (``WhistleSummons.objects.visible_to``): a street evaluates the district bureaus it
summons, which are anchored above it.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render

from jiceng.appeals.models import COUNTER_FIELDS, DepartmentStat, WhistleSummons
from jiceng.appeals.permissions import SUMMONS_VIEW
from jiceng.appeals.rules import rating_scale
from jiceng.appeals.stats import DEPARTMENT_GROUPS, Rates, department_weights
from jiceng.appeals.views.appeals import _month
from jiceng.core.scope import scope_for
from jiceng.orgs.models import Department
from jiceng.orgs.permissions import DEPARTMENT_VIEW

SUMMONS_COUNTERS = (
    "summons",
    "summons_reported",
    "summons_on_time",
    "summons_rated",
    "summons_rating_sum",
    "summons_escalated",
)
SORTS = {
    "score": ("综合得分", lambda r: r.score),
    "report": ("报到率", lambda r: r.rates.summons_report_rate),
    "on_time": ("按时报到率", lambda r: r.rates.summons_on_time_rate),
    "rating": ("平均评价", lambda r: r.rates.summons_average_rating),
}
SCORECARD_LIMIT = 1000


class ScoreRow:
    """A department's month: its summons, and its score (appeals and summons, stats.department_weights)
    when it has the data to be ranked (stats.DEPARTMENT_GROUPS), else None."""

    def __init__(self, department_id: int, name: str, rates: Rates, weights: dict[str, float], scale):
        self.department_id, self.name, self.rates = department_id, name, rates
        self.score = rates.ranked_score(weights, DEPARTMENT_GROUPS, scale)


def _rates(row: dict | None) -> Rates:
    rates = Rates()
    for name in COUNTER_FIELDS:
        rates.counts[name] = (row or {}).get(name) or 0
    return rates


def visible_departments(user):
    """Departments the user may see, or has summoned through a whistle the user may see."""
    seen = Department.objects.visible_to(user)
    if scope_for(user, DEPARTMENT_VIEW).everywhere:
        return seen
    summoned = WhistleSummons.objects.visible_to(user).values("department_id")
    return Department.objects.filter(Q(pk__in=seen.values("pk")) | Q(pk__in=summoned))


@login_required
def scorecard(request):
    user = request.user
    if scope_for(user, SUMMONS_VIEW).empty:
        raise PermissionDenied("您没有查看部门考核的权限。")
    month = _month(request)
    departments = list(
        visible_departments(user).order_by("area_path", "name").values_list("id", "name")[:SCORECARD_LIMIT]
    )
    ids = [pk for pk, _ in departments]
    stats = {
        row["department_id"]: row
        for row in DepartmentStat.objects.filter(department_id__in=ids, month=month).values(
            "department_id", *COUNTER_FIELDS
        )
    }
    weights, scale = department_weights(), rating_scale()
    rows = [ScoreRow(pk, name, _rates(stats.get(pk)), weights, scale) for pk, name in departments]
    if request.GET.get("active") != "0":
        rows = [r for r in rows if any(r.rates.counts[n] for n in SUMMONS_COUNTERS)]
    sort = request.GET.get("sort", "")
    if sort in SORTS:
        key = SORTS[sort][1]
        # Highest first; departments without a value (never summoned, never rated) last.
        rows.sort(key=lambda r: (key(r) is None, -(key(r) or 0), r.name))
    total = Rates()
    for row in rows:
        for name in SUMMONS_COUNTERS:
            total.counts[name] += row.rates.counts[name]
    return render(
        request,
        "appeals/scorecard.html",
        {
            "month": month,
            "rows": rows,
            "total": total,
            "sort": sort,
            "sorts": [(key, label) for key, (label, _) in SORTS.items()],
            "show_all": request.GET.get("active") == "0",
            "scale": scale,
        },
    )
