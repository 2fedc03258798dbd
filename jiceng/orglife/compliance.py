"""组织生活落实情况: which required meeting types each branch held in a period (issue 10 point 5).

Reads only maintained aggregates, never counts meetings on request: the rows of a page from
:class:`~jiceng.orglife.models.HeldMonth` (bumped by ``services.close_meeting`` in the same
transaction), the counts of a scope from the roll-up of :mod:`.rollup` (``scope_counts``).

What is assessed, and why (kept to what the data can defend):

* A period is a month (``2026-11``), a quarter (``2026-Q4``) or a year (``2026``). The types
  assessed for it are those whose frequency rule (``orglife.frequency.<type>``) equals the period's
  kind: monthly types per month, quarterly types per quarter, yearly types per year.
* 已召开: at least one meeting of the type was held in one of the period's months. A meeting that
  counts for several types (e.g. a 主题党日 held as the 支部党员大会) counts for each.
* 逾期召开: no meeting of the type was held on time, but one due in the period (its plan date or
  planned date) was held in a later period (``HeldMonth.due_late``; see :mod:`.held`). Such a
  meeting does not count as held on time for the period in which it was held (``HeldMonth.late``).
* 未召开: none held, on time or late.
* 免于考核: not held on time and either the branch was set up after the period began
  (``Org.founded_on``, else the day the record was created) or the higher org approved an
  exemption (:class:`~jiceng.orglife.models.Exemption`: a postponement of the type for the
  period, or the branch is being dissolved). An exempt branch that held late is still exempt.
  A dissolved branch (``is_active`` false) is not assessed at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from jiceng.core.paths import collapse_prefixes, subtree_q
from jiceng.orgs.models import BRANCH_TYPES, Org

from .models import Exemption, ExemptionStatus, HeldMonth, MeetingType
from .rules import frequency

HELD, LATE, MISSED, EXEMPT = "held", "late", "missed", "exempt"
STATUS_LABELS = {HELD: "按期召开", LATE: "逾期召开", MISSED: "未召开", EXEMPT: "免于考核"}
KIND_OF_FREQUENCY = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}
KIND_LABELS = {"month": "月", "quarter": "季度", "year": "年度"}


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    year: int
    number: int  # month 1–12, quarter 1–4, 1 for a year

    @property
    def start(self) -> date:
        month = {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]
        return date(self.year, month, 1)

    @property
    def months(self) -> list[date]:
        count = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        first = self.start.month
        return [date(self.year, first + i, 1) for i in range(count)]

    @property
    def end(self) -> date:
        """The first day after the period."""
        last = self.months[-1]
        return date(last.year + 1, 1, 1) if last.month == 12 else date(last.year, last.month + 1, 1)

    @property
    def key(self) -> str:
        return {"month": f"{self.year}-{self.number:02d}", "quarter": f"{self.year}-Q{self.number}"}.get(
            self.kind, str(self.year)
        )

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        if self.kind == "quarter":
            return f"{self.year}年第{self.number}季度"
        return f"{self.year}年"

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip().upper()
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            return cls("quarter", int(m[1]), int(m[2]))
        if (m := re.fullmatch(r"(\d{4})-(\d{1,2})", text)) and 1 <= int(m[2]) <= 12:
            return cls("month", int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})", text):
            return cls("year", int(m[1]), 1)
        raise PeriodError("考核期格式应为 2026-11（月）、2026-Q4（季度）或 2026（年度）。")

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        number = {"month": day.month, "quarter": (day.month - 1) // 3 + 1, "year": 1}[kind]
        return cls(kind, day.year, number)


def required_types(period: Period) -> list[str]:
    """The meeting types whose frequency rule is the period's kind, in the model's order."""
    return [t for t in MeetingType.values if KIND_OF_FREQUENCY.get(frequency(t)) == period.kind]


def branches(qs: QuerySet[Org]) -> QuerySet[Org]:
    """The orgs that must hold organisational life: active 党支部, 联合党支部, 临时党支部."""
    return qs.filter(org_type__in=BRANCH_TYPES, is_active=True)


def _set_up_on():
    return Coalesce("founded_on", TruncDate("created_at"))


def is_new(org: Org, period: Period) -> bool:
    from .rollup import set_up_on

    return set_up_on(org.founded_on, org.created_at) > period.start


def _held_rows(period: Period, types: list[str]) -> QuerySet[HeldMonth]:
    """Months of the period with a meeting held on time (not late for an earlier period)."""
    return HeldMonth.objects.filter(month__gte=period.start, month__lt=period.end, held__gt=F("late"), type__in=types)


def _late_rows(period: Period, types: list[str]) -> QuerySet[HeldMonth]:
    """Months of the period with a meeting due in them and held in a later period."""
    return HeldMonth.objects.filter(month__gte=period.start, month__lt=period.end, due_late__gt=0, type__in=types)


def _exemptions(period: Period, types: list[str]) -> QuerySet[Exemption]:
    """Approved exemptions covering the whole period for one of ``types`` (or every type)."""
    return Exemption.objects.filter(status=ExemptionStatus.APPROVED, starts__lte=period.start).filter(
        Q(ends__isnull=True) | Q(ends__gte=period.end), Q(type="") | Q(type__in=types)
    )


def _conditions(period: Period, meeting_type: str) -> tuple[Exists, Exists, Q]:
    held = Exists(_held_rows(period, [meeting_type]).filter(org_id=OuterRef("pk")))
    late = Exists(_late_rows(period, [meeting_type]).filter(org_id=OuterRef("pk")))
    exempt = Q(set_up_on__gt=period.start) | Exists(_exemptions(period, [meeting_type]).filter(org_id=OuterRef("pk")))
    return held, late, exempt


def with_status(qs: QuerySet[Org], period: Period, meeting_type: str, status: str) -> QuerySet[Org]:
    """Narrow branches to those with ``status`` for one type (a filter, so keyset paging still works).
    The statuses are exclusive, in this order: held on time, exempt, held late, missed."""
    held, late, exempt = _conditions(period, meeting_type)
    qs = qs.annotate(set_up_on=_set_up_on())
    if status == HELD:
        return qs.filter(held)
    if status == EXEMPT:
        return qs.exclude(held).filter(exempt)
    if status == LATE:
        return qs.exclude(held).exclude(exempt).filter(late)
    return qs.exclude(held).exclude(exempt).exclude(late)


@dataclass
class Row:
    org: Org
    cells: dict[str, str] = field(default_factory=dict)  # type -> status

    @property
    def display(self) -> list[tuple[str, str, str]]:
        """(type label, status, status label) per assessed type, for the page."""
        return [(MeetingType(t).label, s, STATUS_LABELS[s]) for t, s in self.cells.items()]


def status_of(on_time: bool, late: bool, exempt: bool) -> str:
    if on_time:
        return HELD
    if exempt:
        return EXEMPT
    return LATE if late else MISSED


def assess(orgs: list[Org], period: Period, types: list[str] | None = None) -> list[Row]:
    """Each org's status per required type; three queries (held, late, exemptions) for all of them."""
    types = required_types(period) if types is None else types
    ids = [o.pk for o in orgs]
    held = set(_held_rows(period, types).filter(org_id__in=ids).values_list("org_id", "type").distinct())
    late = set(_late_rows(period, types).filter(org_id__in=ids).values_list("org_id", "type").distinct())
    exempt = set(_exemptions(period, types).filter(org_id__in=ids).values_list("org_id", "type"))
    rows = []
    for org in orgs:
        new = is_new(org, period)
        cells = {
            t: status_of(
                (org.pk, t) in held, (org.pk, t) in late, new or (org.pk, t) in exempt or (org.pk, "") in exempt
            )
            for t in types
        }
        rows.append(Row(org, cells))
    return rows


def counts(qs: QuerySet[Org], period: Period, types: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Per type: how many of the branches in ``qs`` held it on time, are exempt, held it late,
    missed it — one aggregate query over the branches with indexed lookups in HeldMonth."""
    types = required_types(period) if types is None else types
    annotated = qs.annotate(set_up_on=_set_up_on())
    aggregates = {"total": Count("pk")}
    for t in types:
        held, late, exempt = _conditions(period, t)
        aggregates[f"{t}__held"] = Count("pk", filter=Q(held))
        aggregates[f"{t}__exempt"] = Count("pk", filter=~Q(held) & exempt)
        aggregates[f"{t}__late"] = Count("pk", filter=~Q(held) & ~exempt & Q(late))
    numbers = annotated.order_by().aggregate(**aggregates)
    total = numbers["total"]
    result = {}
    for t in types:
        got = {status: numbers[f"{t}__{status}"] for status in (HELD, EXEMPT, LATE)}
        result[t] = {**got, MISSED: total - sum(got.values()), "total": total}
    return result


def scope_counts(scope, period: Period, types: list[str]) -> dict[str, dict[str, int]]:
    """``counts`` for the branches in ``scope`` read from the maintained roll-up
    (:class:`~jiceng.orglife.models.ComplianceTally`): the rows of the scope's nodes (the city, an
    area down to the community, an org above the branches), whatever the number of branches below.
    Counted directly (``counts``, bounded by the few branches there) for a scope node below the
    roll-up (a grid, a branch), and for the whole scope when it mixes areas and orgs (whose
    subtrees may overlap) or its year is not tallied."""
    from django.db.models import Sum

    from .models import ComplianceTally, ComplianceYear
    from .rollup import STATUSES

    def direct(q: Q) -> dict[str, dict[str, int]]:
        return counts(branches(Org.objects.filter(q)), period, types)

    if not types:
        return {}
    mixed = not scope.everywhere and scope.areas and scope.orgs
    if mixed or not ComplianceYear.objects.filter(year=period.year).exists():
        return direct(scope.q(area="area_path", org="code"))
    nodes, deep = _scope_nodes(scope)
    result = {t: {HELD: 0, EXEMPT: 0, LATE: 0, MISSED: 0, "total": 0} for t in types}
    if nodes:
        which = Q()
        for tree, code in nodes:
            which |= Q(tree=tree, code=code)
        sums = (
            ComplianceTally.objects.filter(which, period=period.key, type__in=types)
            .values("type")
            .annotate(**{s: Sum(s) for s in STATUSES})
            .order_by()
        )
        for row in sums:
            for s in STATUSES:
                result[row["type"]][s] += row[s] or 0  # type: ignore[literal-required]
    if deep is not None:
        for t, numbers in direct(deep).items():
            for s in STATUSES:
                result[t][s] += numbers[s]
    for numbers in result.values():
        numbers["total"] = sum(numbers[s] for s in STATUSES)
    return result


def _scope_nodes(scope) -> tuple[list[tuple[str, str]], Q | None]:
    """The roll-up nodes a scope (areas alone, orgs alone, or everywhere) reads, and a Q for the
    orgs under its nodes below the roll-up (a grid; a branch, whose own counts are not rolled up)."""
    from .rollup import AREA_DEPTH

    if scope.everywhere:
        return [("all", "")], None
    nodes: list[tuple[str, str]] = []
    deep: Q | None = None
    if scope.areas:
        for code in collapse_prefixes(scope.areas):
            if len(code) <= AREA_DEPTH:
                nodes.append(("areas", code))
            else:
                deep = subtree_q(code, "area_path") if deep is None else deep | subtree_q(code, "area_path")
    elif scope.orgs:
        outer = collapse_prefixes(scope.orgs)
        own = set(Org.objects.filter(code__in=outer, org_type__in=BRANCH_TYPES).values_list("code", flat=True))
        nodes = [("orgs", code) for code in outer if code not in own]
        deep = Q(code__in=sorted(own)) if own else None
    return nodes, deep


def ends_within(period: Period, today: date, days: int) -> bool:
    return today < period.end <= today + timedelta(days=days)


# --------------------------------------------------------------------------- one report for page and API

PAGE_SIZE = 50


@dataclass
class Report:
    period: Period
    types: list[str]
    meeting_type: str  # the type the status filter applies to
    status: str  # "" for all
    counts: dict[str, dict[str, int]]
    rows: list[Row]
    next_after: str  # the last org code when there is a next page, else ""

    @property
    def type_labels(self) -> list[tuple[str, str]]:
        return [(t, MeetingType(t).label) for t in self.types]

    @property
    def cards(self) -> list[tuple[str, dict[str, int]]]:
        return [(label, self.counts[t]) for t, label in self.type_labels]

    def as_dict(self) -> dict:
        return {
            "period": self.period.key,
            "period_label": self.period.label,
            "types": [{"type": t, "label": label, **self.counts[t]} for t, label in self.type_labels],
            "results": [{"org": row.org.code, "name": row.org.name, "status": row.cells} for row in self.rows],
            "next_after": self.next_after or None,
        }


def report(
    scoped_orgs: QuerySet[Org],
    period: Period,
    *,
    meeting_type: str = "",
    status: str = "",
    after: str = "",
    scope=None,
):
    """The compliance of the branches in ``scoped_orgs`` (already narrowed to the user's scope):
    the counts per type and one page of branches (keyset on the org code), optionally those with
    ``status`` for ``meeting_type``. A bounded number of queries, whatever the number of branches:
    with the user's ``scope`` the counts come from the maintained roll-up (``scope_counts``)."""
    types = required_types(period)
    if meeting_type not in types:
        meeting_type = types[0] if types else ""
    if status not in STATUS_LABELS:
        status = ""
    qs = branches(scoped_orgs)
    numbers = scope_counts(scope, period, types) if scope is not None else counts(qs, period, types)
    listed = with_status(qs, period, meeting_type, status) if status and meeting_type else qs
    if after:
        listed = listed.filter(code__gt=after)
    page = list(listed.order_by("code").only("id", "code", "name", "founded_on", "created_at")[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return Report(
        period, types, meeting_type, status, numbers, assess(page, period, types), page[-1].code if more else ""
    )


# --------------------------------------------------------------------------- findings for 组织设置检查

NOT_HELD = "orglife_not_held"
LATE_HELD = "orglife_late"


def last_closed(kind: str, today: date) -> Period:
    """The last period of ``kind`` that has ended before ``today``."""
    current = Period.containing(kind, today)
    return Period.containing(kind, current.start - timedelta(days=1))


def org_findings(orgs: list, today: date) -> list:
    """组织设置检查's findings from organisational life (core.registry ``OrgCheck``): for each
    branch among ``orgs``, the required types it did not hold (未召开, 需整改) or held late
    (逾期召开, 提醒) in the last ended quarter and the last ended year. Three queries, whatever
    the number of orgs."""
    from jiceng.orgs.checks import Finding, Severity

    branch_list = [o for o in orgs if o.org_type in BRANCH_TYPES and o.is_active]
    if not branch_list:
        return []
    found = []
    periods = [last_closed("quarter", today), last_closed("year", today)]
    for period, rows in zip(periods, assess_periods(branch_list, periods), strict=True):
        for row in rows:
            for meeting_type, status in row.cells.items():
                label = MeetingType(meeting_type).label
                if status == MISSED:
                    found.append(
                        Finding(
                            NOT_HELD,
                            Severity.ERROR,
                            f"{period.label}未召开{label}（{frequency_label(meeting_type)}至少1次）。",
                            org=row.org,
                            rule=f"orglife.frequency.{meeting_type}",
                        )
                    )
                elif status == LATE:
                    found.append(
                        Finding(
                            LATE_HELD,
                            Severity.WARNING,
                            f"{period.label}的{label}逾期召开（在考核期结束后才召开）。",
                            org=row.org,
                            rule=f"orglife.frequency.{meeting_type}",
                        )
                    )
    return found


def assess_periods(orgs: list[Org], periods: list[Period]) -> list[list[Row]]:
    """``assess`` for several periods at once: three queries in all (held, late, exemptions)."""
    ids = [o.pk for o in orgs]
    types = sorted({t for p in periods for t in required_types(p)})
    months = Q()
    for p in periods:
        months |= Q(month__gte=p.start, month__lt=p.end)
    facts = HeldMonth.objects.filter(months, org_id__in=ids, type__in=types)
    held = set(facts.filter(held__gt=F("late")).values_list("org_id", "type", "month"))
    late = set(facts.filter(due_late__gt=0).values_list("org_id", "type", "month"))
    exemptions = list(
        Exemption.objects.filter(status=ExemptionStatus.APPROVED, org_id__in=ids).values_list(
            "org_id", "type", "starts", "ends"
        )
    )
    result = []
    for p in periods:
        in_p = {(o, t) for o, t, m in held if p.start <= m < p.end}
        late_p = {(o, t) for o, t, m in late if p.start <= m < p.end}
        exempt_p = {
            (o, t) for o, t, starts, ends in exemptions if starts <= p.start and (ends is None or ends >= p.end)
        }
        rows = []
        for org in orgs:
            new = is_new(org, p)
            cells = {
                t: status_of(
                    (org.pk, t) in in_p,
                    (org.pk, t) in late_p,
                    new or (org.pk, t) in exempt_p or (org.pk, "") in exempt_p,
                )
                for t in required_types(p)
            }
            rows.append(Row(org, cells))
        result.append(rows)
    return result


def frequency_label(meeting_type: str) -> str:
    from .rules import FREQUENCY_LABELS

    return FREQUENCY_LABELS.get(frequency(meeting_type), "")
