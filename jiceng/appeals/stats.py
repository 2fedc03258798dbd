"""The rates (响应率, 解决率, 满意率 …): monthly counters kept as events happen, and their readers.

Each appeal event adds to the counters of the month it happened in (local time), on every area
node from the city down to the grid above the appeal's location, and on the department concerned.
:func:`event_deltas` is the one mapping from an event to counters: the services apply it in the
same transaction as the event, and :func:`rebuild` replays the timeline through it, so the two
can never disagree. Readers sum a handful of rows (one per node and month): they never scan
appeals. Formulas: docs/appeals-rates.md.

:func:`rebuild_sql` gives exactly the rows of :func:`rebuild` with set-based SQL (``INSERT …
SELECT … GROUP BY``) instead of a replay in Python: seconds instead of an hour at millions of
requests. Its conditions are :func:`event_deltas` written as SQL (tested against the replay on
both databases); a change to one must be made in the other.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Case, Count, DateField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jiceng.appeals.models import (
    COUNTER_FIELDS,
    AreaStat,
    DepartmentStat,
    EventKind,
    Outcome,
    Satisfaction,
    Whistle,
    WhistleSummons,
)
from jiceng.appeals.rules import DEPARTMENT_PARTS, DEPARTMENT_RATE_WEIGHTS, RATE_WEIGHTS, rating_scale
from jiceng.core.paths import subtree_q
from jiceng.core.rules import get_rule

# Area nodes that carry statistics: city (4), district (6), street (9), community (12), grid (15).
STAT_LEVELS = {4: "city", 6: "district", 9: "street", 12: "community", 15: "grid"}
CHILD_LENGTH = {4: 6, 6: 9, 9: 12, 12: 15}


def month_of(moment) -> date:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return date(local.year, local.month, 1)


def stat_paths(area_path: str) -> list[str]:
    return [area_path[:n] for n in STAT_LEVELS if n <= len(area_path)]


# Event kinds that add the same counters whatever their data.
_FIXED_DELTAS = {
    EventKind.CREATE: {"received": 1},
    EventKind.DISPATCH: {"dispatched": 1},
    EventKind.REOPEN: {"dispatched": 1, "reopened": 1},
    EventKind.RETURN: {"returned": 1},
    EventKind.ANSWER: {"answered": 1},
    EventKind.OVERDUE: {"overdue": 1},
    EventKind.RESPONSE_OVERDUE: {"response_overdue": 1},
    EventKind.SUPERVISE: {"supervised": 1},
    EventKind.CANCEL: {"cancelled": 1},
    EventKind.MERGE: {"merged": 1},
}
_OUTCOME_COUNTERS = {Outcome.RESOLVED: "resolved", Outcome.PARTLY: "partly_resolved"}
_SATISFACTION_COUNTERS = {
    Satisfaction.SATISFIED: "satisfied",
    Satisfaction.BASICALLY: "basically_satisfied",
    Satisfaction.UNSATISFIED: "unsatisfied",
}


def event_deltas(kind: str, data: dict) -> dict[str, int]:
    """The counters one appeal event adds to (see the table in docs/appeals-rates.md)."""
    data = data or {}
    if kind == EventKind.SIGN:
        return {"signed": 1, "responded": 1} if data.get("on_time") else {"signed": 1}
    if kind == EventKind.CLOSE:
        return _close_deltas(data)
    return dict(_FIXED_DELTAS.get(kind, ()))


def _close_deltas(data: dict) -> dict[str, int]:
    deltas = {"closed": 1}
    if data.get("on_time"):
        deltas["closed_on_time"] = 1
    outcome, satisfaction = data.get("outcome"), data.get("satisfaction")
    if outcome and satisfaction:
        deltas["rated"] = 1
        if outcome in _OUTCOME_COUNTERS:
            deltas[_OUTCOME_COUNTERS[outcome]] = 1
        deltas[_SATISFACTION_COUNTERS[satisfaction]] = 1
    return deltas


# --------------------------------------------------------------------------- writing


def _bump(
    queryset, key_field: str, keys: list, month: date, deltas: dict[str, int], make, updated: int | None = None
) -> None:
    """Add ``deltas`` to the rows (key, month), creating missing rows first.

    The UPDATE comes first, so the usual case (rows exist) is one statement. A row created by a
    concurrent transaction in between is skipped by ``ignore_conflicts`` and then updated.
    ``updated``: the caller already ran that UPDATE (:func:`event_area_update`), this many rows.
    """
    increments = {name: F(name) + n for name, n in deltas.items() if n}
    if not increments or not keys:
        return
    rows = queryset.filter(**{f"{key_field}__in": keys}, month=month)
    if updated is None:
        updated = _add(queryset.model, key_field, keys, month, deltas)
    if updated == len(keys):
        return
    present = set(rows.values_list(key_field, flat=True))
    missing = [key for key in keys if key not in present]
    if not missing:
        return
    queryset.bulk_create([make(key) for key in missing], ignore_conflicts=True)
    queryset.filter(**{f"{key_field}__in": missing}, month=month).update(**increments)


def _add(model, key_field: str, keys: list, month: date, deltas: dict[str, int]) -> int:
    """``UPDATE … SET c = c + n WHERE month = … AND key IN (…)``: rows updated.

    Written out because it runs with every event: the ORM's compilation of the same statement
    cost more than the statement. Column names come from the model, values are parameters.
    """
    sql, params = _add_sql(model, key_field, keys, month, deltas)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _add_sql(model, key_field: str, keys: list, month: date, deltas: dict[str, int]) -> tuple[str, list]:
    quote, meta = connection.ops.quote_name, model._meta
    columns = [(quote(meta.get_field(name).column), n) for name, n in deltas.items() if n]
    sets = ", ".join(f"{column} = {column} + %s" for column, _ in columns)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.get_field('month').column)} = %s "
        f"AND {quote(meta.get_field(key_field).column)} IN ({', '.join(['%s'] * len(keys))})"
    )
    return sql, [n for _, n in columns] + [month, *keys]


def bump_area(area_path: str, month: date, deltas: dict[str, int], updated: int | None = None) -> None:
    paths = stat_paths(area_path)
    _bump(
        AreaStat.objects,
        "path",
        paths,
        month,
        deltas,
        lambda p: AreaStat(path=p, level=STAT_LEVELS[len(p)], month=month),
        updated,
    )


def bump_department(department_id: int | None, month: date, deltas: dict[str, int]) -> None:
    if department_id:
        _bump(
            DepartmentStat.objects,
            "department_id",
            [department_id],
            month,
            deltas,
            lambda d: DepartmentStat(department_id=d, month=month),
        )


def bump_summons(department_id: int, area_path: str, month: date, deltas: dict[str, int]) -> None:
    """A summons' counters (被召集, 报到, 评价 …): on the department summoned, and on the area that
    blew the whistle and every node above it, so that a street's and the city's rows show how the
    departments answered their whistles."""
    bump_area(area_path, month, deltas)
    bump_department(department_id, month, deltas)


def apply_event(event) -> None:
    """Called by the services right after writing ``event``, in the same transaction."""
    deltas = event_deltas(event.kind, event.data)
    if deltas:
        month = month_of(event.at)
        bump_area(event.area_path, month, deltas)
        bump_department(event.department_id, month, deltas)


def event_area_update(event) -> tuple[str, list] | None:
    """The UPDATE of the area counters :func:`apply_event` runs first, as (sql, params), for a
    service that sends it in one statement with the event's insert; ``None`` if nothing counts.
    Then :func:`finish_event` with the rows it updated does the rest."""
    deltas = {name: n for name, n in event_deltas(event.kind, event.data).items() if n}
    if not deltas:
        return None
    return _add_sql(AreaStat, "path", stat_paths(event.area_path), month_of(event.at), deltas)


def finish_event(event, area_rows_updated: int) -> None:
    """:func:`apply_event` after the caller ran :func:`event_area_update`: the area rows it found
    missing (a new month, a new node), and the department's counters."""
    deltas = event_deltas(event.kind, event.data)
    if deltas:
        month = month_of(event.at)
        bump_area(event.area_path, month, deltas, area_rows_updated)
        bump_department(event.department_id, month, deltas)


class _Tally:
    """Counters per (area path, month) and per (department, month), added up in memory."""

    def __init__(self) -> None:
        self.areas: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.departments: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, area_path: str | None, department_id: int | None, month: date, deltas: dict[str, int]) -> None:
        if area_path is not None:
            for path in stat_paths(area_path):
                for name, n in deltas.items():
                    self.areas[(path, month)][name] += n
        if department_id:
            for name, n in deltas.items():
                self.departments[(department_id, month)][name] += n


def _replay_events(tally: _Tally) -> None:
    from jiceng.appeals.models import AppealEvent

    # The appeal's current path, not the event's: after an area move the history follows the node.
    events = AppealEvent.objects.values_list("kind", "data", "at", "appeal__area_path", "department_id")
    for kind, data, at, area_path, department_id in events.iterator(chunk_size=5000):
        deltas = event_deltas(kind, data)
        if deltas:
            tally.add(area_path, department_id, month_of(at), deltas)


def _replay_whistles(tally: _Tally) -> None:
    for area_path, blown_at in Whistle.objects.values_list("area_path", "blown_at").iterator(chunk_size=5000):
        tally.add(area_path, None, month_of(blown_at), {"whistles": 1})
    summons = WhistleSummons.objects.values_list(
        "department_id",
        "area_path",
        "whistle__blown_at",
        "reported_at",
        "on_time",
        "rated_at",
        "rating",
        "escalated_at",
    )
    for department_id, area_path, blown_at, reported_at, on_time, rated_at, rating, escalated_at in summons.iterator(
        chunk_size=5000
    ):
        # As bump_summons: the department summoned and the area that blew the whistle.
        tally.add(area_path, department_id, month_of(blown_at), {"summons": 1})
        if reported_at:
            deltas = {"summons_reported": 1, "summons_on_time": int(bool(on_time))}
            tally.add(area_path, department_id, month_of(reported_at), deltas)
        if rated_at:
            deltas = {"summons_rated": 1, "summons_rating_sum": rating or 0}
            tally.add(area_path, department_id, month_of(rated_at), deltas)
        if escalated_at:
            tally.add(area_path, department_id, month_of(escalated_at), {"summons_escalated": 1})


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Recompute every counter from the timeline and the whistle tables; returns rows written.

    A repair tool (after an import, a fix, a move of areas): the services keep the tables exact
    as they go, and the tests check that a rebuild gives the same numbers.
    """
    tally = _Tally()
    _replay_events(tally)
    _replay_whistles(tally)
    AreaStat.objects.all().delete()
    DepartmentStat.objects.all().delete()
    AreaStat.objects.bulk_create(
        [
            AreaStat(path=path, level=STAT_LEVELS[len(path)], month=month, **counts)
            for (path, month), counts in tally.areas.items()
        ],
        batch_size=2000,
    )
    DepartmentStat.objects.bulk_create(
        [DepartmentStat(department_id=d, month=month, **counts) for (d, month), counts in tally.departments.items()],
        batch_size=2000,
    )
    return len(tally.areas), len(tally.departments)


# The event kinds :func:`event_deltas` maps to at least one counter (every other kind adds nothing,
# and must not create a row), and the counters each adds to, as conditions on the event.
_COUNTED_KINDS = [
    EventKind.CREATE,
    EventKind.DISPATCH,
    EventKind.REOPEN,
    EventKind.SIGN,
    EventKind.RETURN,
    EventKind.ANSWER,
    EventKind.CLOSE,
    EventKind.OVERDUE,
    EventKind.RESPONSE_OVERDUE,
    EventKind.SUPERVISE,
    EventKind.CANCEL,
    EventKind.MERGE,
]


def _event_conditions() -> dict[str, Q]:
    """:func:`event_deltas` as one condition per counter. ``on_time`` is the JSON boolean the
    services write; a close is rated when it carries a known outcome and satisfaction."""
    close, on_time = Q(kind=EventKind.CLOSE), Q(data__on_time=True)
    rated = close & Q(data__outcome__in=Outcome.values) & Q(data__satisfaction__in=Satisfaction.values)
    return {
        "received": Q(kind=EventKind.CREATE),
        "dispatched": Q(kind__in=[EventKind.DISPATCH, EventKind.REOPEN]),
        "signed": Q(kind=EventKind.SIGN),
        "responded": Q(kind=EventKind.SIGN) & on_time,
        "returned": Q(kind=EventKind.RETURN),
        "answered": Q(kind=EventKind.ANSWER),
        "closed": close,
        "closed_on_time": close & on_time,
        "rated": rated,
        "resolved": rated & Q(data__outcome=Outcome.RESOLVED),
        "partly_resolved": rated & Q(data__outcome=Outcome.PARTLY),
        "satisfied": rated & Q(data__satisfaction=Satisfaction.SATISFIED),
        "basically_satisfied": rated & Q(data__satisfaction=Satisfaction.BASICALLY),
        "unsatisfied": rated & Q(data__satisfaction=Satisfaction.UNSATISFIED),
        "reopened": Q(kind=EventKind.REOPEN),
        "overdue": Q(kind=EventKind.OVERDUE),
        "response_overdue": Q(kind=EventKind.RESPONSE_OVERDUE),
        "supervised": Q(kind=EventKind.SUPERVISE),
        "cancelled": Q(kind=EventKind.CANCEL),
        "merged": Q(kind=EventKind.MERGE),
    }


def _month_expr(field: str) -> TruncMonth:
    # Local months (settings.TIME_ZONE), as month_of() computes them.
    return TruncMonth(field, output_field=DateField())


def _counts(conditions: dict[str, Q]) -> dict:
    return {name: Count("pk", filter=condition) for name, condition in conditions.items()}


def _sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


@transaction.atomic
def rebuild_sql() -> tuple[int, int]:
    """:func:`rebuild`, set-based: the same rows, computed by the database; returns rows written.

    Events are first summed per (appeal location, month) and (department, month) into temporary
    tables (a few hundred thousand rows at 5 M requests), which are then rolled up to every
    statistics level with one ``INSERT … SELECT … GROUP BY`` each.
    """
    from jiceng.appeals.models import AppealEvent

    qn = connection.ops.quote_name
    conditions = _event_conditions()
    names = list(COUNTER_FIELDS)
    area_table, dept_table = "tmp_rebuild_area", "tmp_rebuild_dept"
    columns = ", ".join(qn(n) for n in names)

    events = AppealEvent.objects.order_by().filter(kind__in=_COUNTED_KINDS)
    area_events = (
        events.annotate(k_path=F("appeal__area_path"), k_month=_month_expr("at"))
        .values("k_path", "k_month")
        .annotate(**_counts(conditions))
        .values_list("k_path", "k_month", *conditions)
    )
    dept_events = (
        events.filter(department_id__isnull=False)
        .annotate(k_dept=F("department_id"), k_month=_month_expr("at"))
        .values("k_dept", "k_month")
        .annotate(**_counts(conditions))
        .values_list("k_dept", "k_month", *conditions)
    )
    whistles = (
        Whistle.objects.order_by()
        .filter(area_path__isnull=False)
        .annotate(k_path=F("area_path"), k_month=_month_expr("blown_at"))
        .values("k_path", "k_month")
        .annotate(whistles=Count("pk"))
        .values_list("k_path", "k_month", "whistles")
    )
    summons = WhistleSummons.objects.order_by().filter(department_id__isnull=False)
    summons_parts = [
        # (date field, {counter: expression}) — one part per moment a summons adds to counters
        ("whistle__blown_at", {"summons": Count("pk")}),
        (
            "reported_at",
            {
                "summons_reported": Count("pk"),
                "summons_on_time": Count("pk", filter=Q(on_time=True)),
            },
        ),
        (
            "rated_at",
            {
                "summons_rated": Count("pk"),
                "summons_rating_sum": Sum(
                    Case(When(rating__isnull=False, then=F("rating")), default=Value(0), output_field=IntegerField())
                ),
            },
        ),
        ("escalated_at", {"summons_escalated": Count("pk")}),
    ]

    with connection.cursor() as cursor:
        for table, key in ((area_table, "path varchar(21)"), (dept_table, "department_id bigint")):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} ({key}, month date, "
                + ", ".join(f"{qn(n)} bigint NOT NULL DEFAULT 0" for n in names)
                + ")"
            )
        event_columns = ", ".join(qn(n) for n in conditions)
        sql, params = _sql(area_events)
        cursor.execute(f"INSERT INTO {area_table} (path, month, {event_columns}) {sql}", params)
        sql, params = _sql(whistles)
        cursor.execute(f"INSERT INTO {area_table} (path, month, {qn('whistles')}) {sql}", params)
        sql, params = _sql(dept_events)
        cursor.execute(f"INSERT INTO {dept_table} (department_id, month, {event_columns}) {sql}", params)
        for field, counters in summons_parts:
            # As bump_summons: on the department summoned and on the area that blew the whistle.
            targets = ((dept_table, "department_id", "department_id"), (area_table, "path", "area_path"))
            for table, key, source in targets:
                part = (
                    summons.filter(**{f"{field}__isnull": False})
                    .annotate(k_key=F(source), k_month=_month_expr(field))
                    .values("k_key", "k_month")
                    .annotate(**counters)
                    .values_list("k_key", "k_month", *counters)
                )
                sql, params = _sql(part)
                cursor.execute(
                    f"INSERT INTO {table} ({key}, month, {', '.join(qn(n) for n in counters)}) {sql}", params
                )

        AreaStat.objects.all().delete()
        DepartmentStat.objects.all().delete()
        sums = ", ".join(f"SUM({qn(n)})" for n in names)
        area_rows = 0
        for length, level in STAT_LEVELS.items():
            cursor.execute(
                f"INSERT INTO {qn(AreaStat._meta.db_table)} (path, level, month, {columns}) "
                f"SELECT SUBSTR(path, 1, %s), %s, month, {sums} FROM {area_table} "
                f"WHERE LENGTH(path) >= %s GROUP BY SUBSTR(path, 1, %s), month",
                [length, level, length, length],
            )
            area_rows += cursor.rowcount
        cursor.execute(
            f"INSERT INTO {qn(DepartmentStat._meta.db_table)} (department_id, month, {columns}) "
            f"SELECT department_id, month, {sums} FROM {dept_table} GROUP BY department_id, month"
        )
        dept_rows = cursor.rowcount
        cursor.execute(f"DROP TABLE {area_table}")
        cursor.execute(f"DROP TABLE {dept_table}")
    return area_rows, dept_rows


# --------------------------------------------------------------------------- reading


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def rate_weights() -> dict[str, float]:
    """An area's score: 响应率, 解决率, 满意率 (``appeals.rate_weights``)."""
    weights = get_rule(RATE_WEIGHTS)
    return {key: float(weights.get(key, 0)) for key in AREA_PARTS}


def department_weights() -> dict[str, float]:
    """A department's score: its appeals' three rates and its summons (``appeals.department_rate_weights``)."""
    weights = get_rule(DEPARTMENT_RATE_WEIGHTS)
    return {key: float(weights.get(key, 0)) for key in DEPARTMENT_PARTS}


AREA_PARTS = ("response", "resolution", "satisfaction")
# A unit is ranked when one of these groups of parts has all its data (the parts the city weighs):
# an area needs requests signed for and rated in the period; a department that, or summons
# reported and rated. A unit without is shown apart, with what it has, unranked.
AREA_GROUPS = (AREA_PARTS,)
DEPARTMENT_GROUPS = (AREA_PARTS, ("summons_on_time", "summons_rating"))


@dataclass
class Rates:
    """Counters summed over a period, and the rates computed from them (ratios in 0..1)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTER_FIELDS, 0))

    def __getattr__(self, name):
        counts = self.__dict__.get("counts")
        if counts is not None and name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def response_rate(self) -> float | None:
        """响应率 = 按时签收 ÷ 签收: each sign-for counted once, in its month, against the deadline of
        the dispatch it answers (a 改派 before sign-for restarts the clock and is not a second
        request). Cancelled and merged requests, never signed, never reach it; a deadline passed
        without sign-for is 签收超时量 and the late sign-for, when it comes, a miss."""
        return _ratio(self.counts["responded"], self.counts["signed"])

    @property
    def resolution_rate(self) -> float | None:
        """解决率 = 评价“解决” ÷ 有效回访."""
        return _ratio(self.counts["resolved"], self.counts["rated"])

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率 = (满意 + 基本满意) ÷ 有效回访."""
        return _ratio(self.counts["satisfied"] + self.counts["basically_satisfied"], self.counts["rated"])

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率 = 按时答复的办结件 ÷ 办结."""
        return _ratio(self.counts["closed_on_time"], self.counts["closed"])

    @property
    def return_rate(self) -> float | None:
        """退单率 = 退单 ÷ 派单."""
        return _ratio(self.counts["returned"], self.counts["dispatched"])

    @property
    def reopen_rate(self) -> float | None:
        """重办率 = 重办 ÷ 答复."""
        return _ratio(self.counts["reopened"], self.counts["answered"])

    @property
    def summons_report_rate(self) -> float | None:
        """报到率 = 报到 ÷ 被召集."""
        return _ratio(self.counts["summons_reported"], self.counts["summons"])

    @property
    def summons_on_time_rate(self) -> float | None:
        """按时报到率 = 按时报到 ÷ 被召集."""
        return _ratio(self.counts["summons_on_time"], self.counts["summons"])

    @property
    def summons_average_rating(self) -> float | None:
        """平均评价分（分值范围: appeals.summons_rating_scale）."""
        return _ratio(self.counts["summons_rating_sum"], self.counts["summons_rated"])

    @property
    def summons_rating_score(self) -> float | None:
        """平均评价 on the city's scale, as 0..1: (平均分 − 最低分) ÷ (最高分 − 最低分)."""
        return self.rating_score(rating_scale())

    def rating_score(self, scale: tuple[int, int]) -> float | None:
        average = self.summons_average_rating
        if average is None:
            return None
        low, high = scale
        return min(1.0, max(0.0, (average - low) / (high - low)))

    def part(self, name: str, scale: tuple[int, int] | None = None) -> float | None:
        """One part of a score (a key of the weights), as 0..1, or None without a denominator.
        ``scale``: the rating scale, when the caller read it once for many units."""
        if name == "summons_rating":
            return self.rating_score(scale or rating_scale())
        return {
            "response": lambda: self.response_rate,
            "resolution": lambda: self.resolution_rate,
            "satisfaction": lambda: self.satisfaction_rate,
            "summons_on_time": lambda: self.summons_on_time_rate,
        }[name]()

    def composite(self, weights: dict[str, float] | None = None, scale: tuple[int, int] | None = None) -> float | None:
        """综合得分 (0—100): the weighted mean of the parts that have a denominator.

        ``weights``: :func:`rate_weights` (an area: the three rates) unless given (a department:
        :func:`department_weights`). A part without a denominator (nothing signed for, nobody
        called back) is left out and the other weights are scaled up, rather than counting it as 0
        or 100; every part is a ratio in 0..1, so the score is at most 100.
        """
        weights = weights or rate_weights()
        parts = [(w, self.part(name, scale)) for name, w in weights.items() if w]
        total = sum(w for w, r in parts if r is not None)
        if not total:
            return None
        return 100 * sum(w * r for w, r in parts if r is not None) / total

    def rankable(self, weights: dict[str, float], groups=AREA_GROUPS, scale: tuple[int, int] | None = None) -> bool:
        """Whether the unit has the data to be ranked: every weighed part of one of ``groups``."""
        return any(
            any(weights.get(name) for name in group)
            and all(self.part(name, scale) is not None for name in group if weights.get(name))
            for group in groups
        )

    def ranked_score(
        self, weights: dict[str, float], groups=AREA_GROUPS, scale: tuple[int, int] | None = None
    ) -> float | None:
        """The score if the unit has the data to be ranked (:meth:`rankable`), else None."""
        return self.composite(weights, scale) if self.rankable(weights, groups, scale) else None

    def as_dict(self, weights: dict[str, float] | None = None) -> dict:
        return {
            **self.counts,
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "composite": self.composite(weights),
            "on_time_rate": self.on_time_rate,
            "return_rate": self.return_rate,
            "reopen_rate": self.reopen_rate,
            "summons_report_rate": self.summons_report_rate,
            "summons_on_time_rate": self.summons_on_time_rate,
            "summons_average_rating": self.summons_average_rating,
            "summons_rating_score": self.summons_rating_score,
        }


_SUMS = {name: Sum(name) for name in COUNTER_FIELDS}


def _rates(row: dict | None) -> Rates:
    rates = Rates()
    for name in COUNTER_FIELDS:
        rates.counts[name] = (row or {}).get(name) or 0
    return rates


def _period(start: date, end: date | None):
    start = date(start.year, start.month, 1)
    end = start if end is None else date(end.year, end.month, 1)
    return start, end


def area_rates(area_code: str, start: date, end: date | None = None) -> Rates:
    """The rates of one area node (any level down to the grid) for the months ``start``..``end``.

    The caller has checked the user may see the node (``get_area_for_user``).
    """
    start, end = _period(start, end)
    row = AreaStat.objects.filter(path=area_code, month__gte=start, month__lte=end).aggregate(**_SUMS)
    return _rates(row)


def department_rates(department_id: int, start: date, end: date | None = None) -> Rates:
    """A department's scorecard: appeals it handled and the summons it answered."""
    start, end = _period(start, end)
    row = DepartmentStat.objects.filter(department_id=department_id, month__gte=start, month__lte=end).aggregate(
        **_SUMS
    )
    return _rates(row)


@dataclass
class RankRow:
    rank: int | None
    code: str
    name: str
    rates: Rates
    score: float | None

    @property
    def ranked(self) -> bool:
        return self.rank is not None


def _ranked(items: list[tuple[str, str, Rates]], weights, groups=AREA_GROUPS) -> list[RankRow]:
    """Units with the data to be ranked, by score (ties share a rank); then the others, unranked
    and without a score, in code order (a unit with one rated request and nothing else this month
    is not first with 100)."""
    scale = rating_scale() if weights.get("summons_rating") else None  # areas: no rule to read
    scores = [(code, name, rates, rates.ranked_score(weights, groups, scale)) for code, name, rates in items]
    scored = sorted((item for item in scores if item[3] is not None), key=lambda x: (-x[3], x[0]))
    result, last_score, last_rank = [], None, 0
    for position, (code, name, rates, score) in enumerate(scored, start=1):
        rank = last_rank if last_score is not None and abs(score - last_score) < 1e-9 else position
        result.append(RankRow(rank, code, name, rates, score))
        last_score, last_rank = score, rank
    apart = sorted((item for item in scores if item[3] is None), key=lambda x: x[0])
    return result + [RankRow(None, code, name, rates, None) for code, name, rates, _ in apart]


def monthly_ranking(parent_code: str, month: date, end: date | None = None) -> list[RankRow]:
    """The children of ``parent_code`` ranked by composite score for a month (or months)."""
    from jiceng.areas.models import Area

    start, end = _period(month, end)
    children = list(Area.objects.filter(parent__code=parent_code).values_list("code", "name"))
    codes = [code for code, _ in children if len(code) in STAT_LEVELS]
    rows = {
        row["path"]: row
        for row in AreaStat.objects.filter(path__in=codes, month__gte=start, month__lte=end)
        .values("path")
        .annotate(**_SUMS)
    }
    weights = rate_weights()
    return _ranked([(code, name, _rates(rows.get(code))) for code, name in children if code in codes], weights)


def department_ranking(area_code: str, month: date, end: date | None = None) -> list[RankRow]:
    """Departments belonging to ``area_code``'s subtree, ranked by composite score."""
    from jiceng.orgs.models import Department

    start, end = _period(month, end)
    departments = list(
        Department.objects.filter(subtree_q(area_code, "area_path")).order_by("name").values_list("id", "name")
    )
    ids = [d for d, _ in departments]
    rows = {
        row["department_id"]: row
        for row in DepartmentStat.objects.filter(department_id__in=ids, month__gte=start, month__lte=end)
        .values("department_id")
        .annotate(**_SUMS)
    }
    return _ranked(
        [(str(d), name, _rates(rows.get(d))) for d, name in departments], department_weights(), DEPARTMENT_GROUPS
    )
