"""The demo generator writes what the services would write: it keeps no state machine of its own.

The generator (jiceng.demo.appeals) writes a year of requests as rows, in seconds; the services
(jiceng.appeals.services) are the state machine every page and the API go through. This test takes
a sample of the generated requests that walks every path the generator produced (each step, each
pair of steps in a row, each way to end or to wait at "now", each channel; a request and its
duplicates together), replays each step through the real verb at the same moment (the generated
row gives only what a person would type or choose: the unit, the texts, the rating; and when the
scheduler ran), does the same for the incidents' 吹哨, and checks that both wrote the same rows:
the requests' fields, their timelines, extensions, 吹哨 and summons, and the rate tables. Ids, the
users behind the synthetic actors and the audit/notification rows (which the demo does not write)
are left out. A step the services refuse fails the test with their reason.
"""

import heapq
import re
import sys
from collections import defaultdict
from datetime import datetime, time, timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.appeals import stats
from jiceng.appeals.models import (
    COUNTER_FIELDS,
    Appeal,
    AppealEvent,
    AreaStat,
    Category,
    Channel,
    DepartmentStat,
    EventKind,
    Extension,
    ExtensionStatus,
    LocationSource,
    Status,
    Whistle,
    WhistleSummons,
)
from jiceng.appeals.services import (
    answer_appeal,
    auto_close_unrated,
    blow_whistle,
    cancel_appeal,
    close_appeal,
    close_whistle,
    create_appeal,
    decide_extension,
    dispatch_appeal,
    escalate_overdue_summons,
    feedback_summons,
    mark_dispatch_overdue,
    mark_overdue,
    mark_response_overdue,
    merge_appeal,
    overdue_candidates,
    rate_appeal,
    rate_summons,
    record_progress,
    reopen_appeal,
    report_summons,
    request_extension,
    resolve_location,
    return_appeal,
    send_reminders,
    sign_appeal,
    supervise_appeal,
)
from jiceng.areas.models import Area
from jiceng.demo.appeals import load_appeals
from jiceng.demo.tests.conftest import TODAY
from jiceng.orgs.models import Department

SEED, COUNT = 31, 800  # a year with every step and way to wait at NOW (seed chosen for it), escalations among them
NOW = timezone.make_aware(datetime.combine(TODAY, time(18)))
SCAN_LATENCY = timedelta(minutes=2)  # core.schedule runs the deadline scan every two minutes
CLOSE_LATENCY = timedelta(hours=24)  # and the close of unrated answers daily
# Written by the services inside another step: nothing to replay.
FOLLOWS = {EventKind.MERGED_HERE}
# The demo has no photos or rejected extensions.
NOT_GENERATED = {EventKind.PHOTO, EventKind.EXTEND_REJECT}
IGNORED = {"id", "appeal_id", "whistle_id", "number", "actor_id"}


# --------------------------------------------------------------------------- what both wrote


def canonical(pk_of):
    """Rows of one request as comparable values; ``pk_of`` names related requests the same way in both."""

    def rows(appeal_id):
        appeal = Appeal.objects.filter(pk=appeal_id).values().get()
        reporter = appeal["reporter_id"]
        fields = {k: v for k, v in appeal.items() if k not in IGNORED and not k.endswith("_by_id")}
        fields["number"] = appeal["number"][:8]  # the local day; the rest is the id
        fields["created_by_reporter"] = reporter is not None and appeal["created_by_id"] == reporter
        fields["merged_into_id"] = pk_of(appeal["merged_into_id"])
        events = [
            (
                *(e[k] for k in EVENT_FIELDS[:-1]),
                NUMBER.sub(lambda m: f"{m[1]}#{pk_of(int(m[2]))}", e["note"]),
                e["actor_id"] is not None and e["actor_id"] == reporter,
                data(e["data"]),
            )
            for e in AppealEvent.objects.filter(appeal_id=appeal_id).order_by("at", "id").values()
        ]
        extensions = [plain(x) for x in Extension.objects.filter(appeal_id=appeal_id).order_by("requested_at").values()]
        whistles = [
            whistle_rows(pk)
            for pk in Whistle.objects.filter(appeal_id=appeal_id).order_by("blown_at").values_list("pk", flat=True)
        ]
        return fields, events, extensions, whistles

    def data(value):
        value = dict(value)
        for key in ("extension", "whistle"):
            if key in value:
                value[key] = "*"
        if "into" in value:
            value["into"] = pk_of(value["into"])
        return value

    return rows


NUMBER = re.compile(r"(\d{8})(\d{8,})")  # 工单编号 in notes: the day, then the id
EVENT_FIELDS = (
    "kind",
    "at",
    "actor_name",
    "from_status",
    "to_status",
    "public",
    "area_path",
    "department_id",
    "target_name",
    "note",  # last: its 工单编号 are compared by request
)


def differences(replayed, generated) -> list[str]:
    """What the services wrote (first) against what the demo wrote, line by line."""
    out = [f"{k}: {v!r} != {generated[0].get(k)!r}" for k, v in replayed[0].items() if generated[0].get(k) != v]
    for name, got, want in zip(("event", "extension", "whistle"), replayed[1:], generated[1:], strict=True):
        if len(got) != len(want):
            only = [g for g in got if g not in want], [w for w in want if w not in got]
            out.append(f"{name}s: {len(got)} != {len(want)}; only replayed: {only[0]}; only generated: {only[1]}")
        out += [f"{name} {n}: {g!r} != {w!r}" for n, (g, w) in enumerate(zip(got, want, strict=False)) if g != w]
    return out


def whistle_rows(whistle_id: int) -> tuple:
    summons = WhistleSummons.objects.filter(whistle_id=whistle_id).order_by("department_id").values()
    return plain(Whistle.objects.filter(pk=whistle_id).values().get()), [plain(s) for s in summons]


def plain(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in IGNORED and not k.endswith("_by_id")}


def stat_tables():
    columns = ["month", *COUNTER_FIELDS]
    areas = sorted(AreaStat.objects.values_list("path", "level", *columns))
    departments = sorted(DepartmentStat.objects.values_list("department_id", *columns))
    return areas, departments


# --------------------------------------------------------------------------- the sample


def features(kinds: list[tuple], appeal: dict) -> set:
    """What a request's path is made of: each step, each pair of steps in a row, where it ended,
    how it came in and where it is, who rated or withdrew it, how often it was redone."""
    steps = [kind for kind, *_who in kinds if kind != EventKind.MERGED_HERE]
    return {
        *kinds,
        *pairwise(steps),
        ("status", appeal["status"]),
        ("channel", appeal["channel"], appeal["location_source"], bool(appeal["address"])),
        ("department", appeal["assigned_department_id"] is not None),
        ("reopened", appeal["reopen_count"]),
        ("flags", appeal["dispatch_reminded"], appeal["answer_reminded"], appeal["extension_pending"]),
    }


def sample_groups() -> list[list[int]]:
    """Merge groups (a request and its duplicates) until every feature of every path is in one."""
    kinds = defaultdict(list)
    events = AppealEvent.objects.order_by("at", "id").values_list("appeal_id", "kind", "actor_id", "actor_name")
    for appeal_id, kind, actor_id, actor_name in events:
        kinds[appeal_id].append((kind, actor_id is not None, actor_name == "系统"))
    appeals = {a["id"]: a for a in Appeal.objects.values()}
    groups = defaultdict(list)
    for pk in sorted(appeals):
        groups[appeals[pk]["merged_into_id"] or pk].append(pk)
    has = {root: set().union(*(features(kinds[pk], appeals[pk]) for pk in group)) for root, group in groups.items()}
    chosen, seen = [], set()
    while True:  # greedy cover: the group that adds most, first
        root = max(has, key=lambda r: (len(has[r] - seen), -r))
        if not has[root] - seen:
            return sorted(chosen)
        seen |= has[root]
        chosen.append(groups[root])


def keep_only(appeal_ids: set[int]) -> None:
    Whistle.objects.filter(appeal__isnull=False).exclude(appeal_id__in=appeal_ids).delete()  # incidents stay
    AppealEvent.objects.exclude(appeal_id__in=appeal_ids).delete()
    Extension.objects.exclude(appeal_id__in=appeal_ids).delete()
    Appeal.objects.exclude(pk__in=appeal_ids).update(merged_into=None)
    Appeal.objects.exclude(pk__in=appeal_ids).delete()


def forget(appeal_ids) -> None:
    """Remove replayed requests (the rate tables keep what they counted)."""
    Whistle.objects.filter(appeal_id__in=appeal_ids).delete()
    Appeal.objects.filter(pk__in=appeal_ids).update(merged_into=None)
    Appeal.objects.filter(pk__in=appeal_ids).delete()


# --------------------------------------------------------------------------- the replay


def after(note: str, mark: str) -> str:
    return note.split(mark, 1)[1]


class Replay:
    """Drives one group's generated steps through the services, in time order, with the scheduler."""

    def __init__(self, generated, monkeypatch):
        self.generated = generated  # id → (appeal dict, events, extensions, whistles with summons)
        self.staff: dict[str, User] = {}
        self.grid = None
        self.reminded: set = set()
        # Demo coordinates are scattered at random; the generator puts them in a grid directly.
        locate = sys.modules[resolve_location.__module__]
        monkeypatch.setattr(locate, "nearest_grid", lambda latitude, longitude: self.grid)
        # Each step runs at its moment: the clock too (auto_now columns such as updated_at read it).
        self.clock = NOW
        monkeypatch.setattr(timezone, "now", lambda: self.clock)

    def actor(self, event):
        if event["actor_id"] is not None:
            return User.objects.get(pk=event["actor_id"])  # a demo resident
        name = event["actor_name"]
        if name == "系统":
            return None
        if name not in self.staff:
            self.staff[name] = User.objects.create(
                username=f"replay_{len(self.staff)}", display_name=name, is_superuser=True
            )
        return self.staff[name]

    def group(self, appeal_ids: list[int]) -> dict[int, int]:
        self.ids: dict[int, int] = {}
        self.whistles: dict[int, Whistle] = {}
        moves = []  # (at, order among moves at the same moment, action, argument)
        for gen_pk in appeal_ids:
            _appeal, events, _extensions, whistles = self.generated[gen_pk]
            for event in events:
                if event["kind"] not in FOLLOWS:
                    moves.append((event["at"], event["id"], self.step, (gen_pk, event)))
            for whistle, _summons in whistles:
                if whistle["closed_at"]:
                    moves.append((whistle["closed_at"], 0, self.close_whistle, whistle))
        # The scheduler, late by at most its period: whatever it had to do by then is done.
        moves.append((NOW - SCAN_LATENCY, 0, self.scan, None))
        moves.append((NOW - CLOSE_LATENCY, 0, self.close_unrated, None))
        self.run(moves)
        return self.ids

    def incident(self, whistle: dict, summons: list[dict]) -> Whistle:
        """吹哨 on an incident (no request): the summons' steps from their rows, the scan for the late."""
        self.ids, self.whistles = {}, {}
        blower = self.staff_named("吹哨单位")
        moves = [(whistle["blown_at"], 0, self.blow, (whistle, summons, blower))]
        steps = (("reported_at", self.report), ("fed_back_at", self.feed_back), ("rated_at", self.rate_summons))
        for row in summons:
            moves += [(row[field], n, action, row) for n, (field, action) in enumerate(steps, 1) if row[field]]
            if row["escalated_at"]:  # the scan that found the report missing (30 minutes: often before NOW)
                moves.append((row["escalated_at"], 0, self.escalate, None))
        if whistle["closed_at"]:
            moves.append((whistle["closed_at"], 9, self.close_whistle, whistle))
        moves.append((NOW - SCAN_LATENCY, 0, self.scan, None))
        self.run(moves)
        return self.whistles[whistle["id"]]

    def run(self, moves) -> None:
        queue = [(at, order, n, action, argument) for n, (at, order, action, argument) in enumerate(moves)]
        heapq.heapify(queue)
        while queue:
            at, _order, _n, action, argument = heapq.heappop(queue)
            self.clock = at
            action(at, argument)
            for remind in self.reminders(at):
                heapq.heappush(queue, (remind, 0, len(moves) + len(self.reminded), self.remind, None))

    def blow(self, at, argument):
        whistle, summons, blower = argument
        self.whistles[whistle["id"]] = blow_whistle(
            blower,
            area=Area.objects.get(code=whistle["area_path"]),
            case=whistle["case"],
            title=whistle["title"],
            departments=[Department.objects.get(pk=s["department_id"]) for s in summons],  # in the order called
            appeal=whistle["appeal_id"] and self.appeal(whistle["appeal_id"]),
            description=whistle["description"],
            now=at,
        )

    def summons_of(self, row) -> WhistleSummons:
        return WhistleSummons.objects.get(whistle=self.whistles[row["whistle_id"]], department_id=row["department_id"])

    def staff_named(self, name: str):
        return self.actor({"actor_id": None, "actor_name": name})

    def report(self, at, row):
        report_summons(self.staff_named("报到部门"), self.summons_of(row), plan=row["plan"], now=at)

    def feed_back(self, at, row):
        feedback_summons(self.staff_named("报到部门"), self.summons_of(row), feedback=row["feedback"], now=at)

    def rate_summons(self, at, row):
        rate_summons(self.staff_named("吹哨单位"), self.summons_of(row), rating=row["rating"], now=at)

    def reminders(self, at):
        """The reminder moments the live rows wait for (the scan sends them on time)."""
        rows = Appeal.objects.filter(pk__in=self.ids.values()).values_list("dispatch_remind_at", "answer_remind_at")
        return {t for pair in rows for t in pair if t is not None and at < t <= NOW and t not in self.reminded}

    def remind(self, at, _):
        self.reminded.add(at)
        send_reminders(now=at)

    def scan(self, at, _):
        mark_dispatch_overdue(now=at)
        mark_response_overdue(now=at)
        mark_overdue(overdue_candidates(now=at), now=at)
        send_reminders(now=at)
        escalate_overdue_summons(now=at)

    def escalate(self, at, _):
        escalate_overdue_summons(now=at)

    def close_unrated(self, at, _):
        auto_close_unrated(now=at)

    def close_whistle(self, at, whistle):
        close_whistle(
            self.staff_named("吹哨单位"),
            self.whistles[whistle["id"]],
            note=whistle["close_note"],
            now=at,
        )

    def step(self, at, argument):
        gen_pk, event = argument
        handler = getattr(self, f"on_{event['kind']}")
        handler(at, gen_pk, event)

    def appeal(self, gen_pk) -> Appeal:
        return Appeal.objects.get(pk=self.ids[gen_pk])

    # One method per event kind: what a person typed or chose, read back from the generated row.

    def on_create(self, at, gen_pk, event):
        a = self.generated[gen_pk][0]
        coordinates = a["location_source"] == LocationSource.COORDINATES
        self.grid = Area.objects.get(pk=a["area_id"])
        reporter = User.objects.get(pk=a["reporter_id"]) if a["reporter_id"] else None
        actor = reporter if a["channel"] == Channel.RESIDENT else self.actor(event)
        appeal = create_appeal(
            actor,
            channel=a["channel"],
            kind=a["kind"],
            category=Category.objects.get(pk=a["category_id"]),
            urgency=a["urgency"],
            description=a["description"],
            area=None if coordinates else self.grid,
            latitude=a["latitude"],
            longitude=a["longitude"],
            address=a["address"],
            reporter=reporter,
            reporter_name="" if reporter else a["reporter_name"],
            reporter_phone="" if reporter else a["reporter_phone"],
            now=at,
        )
        self.ids[gen_pk] = appeal.pk

    def on_dispatch(self, at, gen_pk, event):
        area, department = event["data"]["area"], event["data"]["department"]
        dispatch_appeal(
            self.actor(event),
            self.appeal(gen_pk),
            area=Area.objects.get(code=area) if area else None,
            department=Department.objects.get(pk=department) if department else None,
            now=at,
        )

    def on_sign(self, at, gen_pk, event):
        sign_appeal(self.actor(event), self.appeal(gen_pk), now=at)

    def on_progress(self, at, gen_pk, event):
        record_progress(self.actor(event), self.appeal(gen_pk), note=event["note"], now=at)

    def on_answer(self, at, gen_pk, event):
        text = after(event["note"], "：")
        answer_appeal(self.actor(event), self.appeal(gen_pk), text=text, result=event["data"]["result"], now=at)

    def on_return(self, at, gen_pk, event):
        return_appeal(self.actor(event), self.appeal(gen_pk), reason=event["data"]["reason"], now=at)

    def on_extend_request(self, at, gen_pk, event):
        reason = after(event["note"], "理由：")
        request_extension(
            self.actor(event), self.appeal(gen_pk), workdays=event["data"]["workdays"], reason=reason, now=at
        )

    def on_extend_approve(self, at, gen_pk, event):
        extension = Extension.objects.get(appeal_id=self.ids[gen_pk], status=ExtensionStatus.PENDING)
        decide_extension(self.actor(event), extension, approve=True, now=at)

    def on_rate(self, at, gen_pk, event):
        comment = after(event["note"], "。")
        outcome, satisfaction = event["data"]["outcome"], event["data"]["satisfaction"]
        rate_appeal(
            self.actor(event),
            self.appeal(gen_pk),
            outcome=outcome,
            satisfaction=satisfaction,
            comment=comment,
            now=at,
        )

    def on_close(self, at, gen_pk, event):
        appeal = self.appeal(gen_pk)
        if event["actor_name"] == "系统":
            return self.close_unrated(at, None)  # the daily job
        if appeal.status == Status.CLOSED:
            return None  # closed by rate_appeal (solved and satisfied): the same step
        return close_appeal(self.actor(event), appeal, note=event["note"], now=at)

    def on_reopen(self, at, gen_pk, event):
        reopen_appeal(self.actor(event), self.appeal(gen_pk), note=after(event["note"], "。"), now=at)

    def on_supervise(self, at, gen_pk, event):
        supervise_appeal(self.actor(event), self.appeal(gen_pk), note=after(event["note"], "挂牌督办："), now=at)

    def on_merge(self, at, gen_pk, event):
        into = self.appeal(event["data"]["into"])
        merge_appeal(self.actor(event), self.appeal(gen_pk), into, now=at)

    def on_cancel(self, at, gen_pk, event):
        cancel_appeal(self.actor(event), self.appeal(gen_pk), reason=after(event["note"], "理由："), now=at)

    def on_dispatch_overdue(self, at, gen_pk, event):
        mark_dispatch_overdue(now=at)

    def on_response_overdue(self, at, gen_pk, event):
        # The scan a minute after the deadline, or the late step (签收, 退单) that finds it passed.
        mark_response_overdue(now=at)

    def on_overdue(self, at, gen_pk, event):
        if event["actor_name"] == "系统":
            mark_overdue(overdue_candidates(now=at), now=at)
        # else: the late answer flags it, in answer_appeal

    def on_whistle(self, at, gen_pk, event):
        whistle = next(w for w in self.generated[gen_pk][3] if w[0]["id"] == event["data"]["whistle"])
        self.blow(at, (*whistle, self.actor(event)))

    def summons(self, event) -> WhistleSummons:
        whistle = self.whistles[event["data"]["whistle"]]
        return WhistleSummons.objects.get(whistle=whistle, department_id=event["department_id"])

    def on_summons_report(self, at, gen_pk, event):
        report_summons(self.actor(event), self.summons(event), plan=after(event["note"], "："), now=at)

    def on_summons_feedback(self, at, gen_pk, event):
        feedback_summons(self.actor(event), self.summons(event), feedback=after(event["note"], "反馈："), now=at)

    def on_summons_rate(self, at, gen_pk, event):
        rating = int(after(event["note"], "：").removesuffix("分。"))
        rate_summons(self.actor(event), self.summons(event), rating=rating, now=at)

    def on_escalate(self, at, gen_pk, event):
        escalate_overdue_summons(now=at)


def snapshot(appeal_ids) -> dict:
    """The generated rows the replay reads: what people typed and chose, and when."""
    out = {}
    for pk in appeal_ids:
        appeal = Appeal.objects.filter(pk=pk).values().get()
        events = list(AppealEvent.objects.filter(appeal_id=pk).order_by("at", "id").values())
        extensions = list(Extension.objects.filter(appeal_id=pk).values())
        whistles = [
            (w, list(WhistleSummons.objects.filter(whistle_id=w["id"]).order_by("id").values()))
            for w in Whistle.objects.filter(appeal_id=pk).values()
        ]
        out[pk] = (appeal, events, extensions, whistles)
    return out


@pytest.mark.django_db
def test_the_demo_writes_what_the_services_write(city, monkeypatch):
    load_appeals(seed=SEED, count=COUNT, today=TODAY)
    groups = sample_groups()
    sample = {pk for group in groups for pk in group}
    keep_only(sample)
    incidents = [
        (w, list(WhistleSummons.objects.filter(whistle_id=w["id"]).order_by("id").values()))
        for w in Whistle.objects.filter(appeal__isnull=True).order_by("id").values()
    ]
    expected_incidents = [whistle_rows(w["id"]) for w, _summons in incidents]
    assert incidents and all(summons for _w, summons in incidents)
    stats.rebuild()
    expected_stats = stat_tables()
    generated = snapshot(sample)
    same_pk = canonical(lambda pk: pk)
    expected = {pk: same_pk(pk) for pk in sample}
    covered = {e["kind"] for _a, events, _x, _w in generated.values() for e in events}
    statuses = {a["status"] for a, *_rest in generated.values()}

    forget(sample)
    Whistle.objects.all().delete()
    AreaStat.objects.all().delete()
    DepartmentStat.objects.all().delete()
    replay = Replay(generated, monkeypatch)
    for group in groups:
        ids = replay.group(group)
        back = {new: old for old, new in ids.items()}
        rows = canonical(lambda pk, back=back: back.get(pk, pk) if pk is not None else None)
        for gen_pk, new_pk in ids.items():
            found = differences(rows(new_pk), expected[gen_pk])
            assert not found, f"request {gen_pk}:\n" + "\n".join(found)
        forget(ids.values())
    for (whistle, summons), expected_rows in zip(incidents, expected_incidents, strict=True):
        assert whistle_rows(replay.incident(whistle, summons).pk) == expected_rows
    assert stat_tables() == expected_stats

    # The sample walks every path: each step and scheduler job, every way to end or wait.
    assert covered >= {k for k in EventKind.values if k not in NOT_GENERATED}, covered
    # 已回访 and 已退单 last minutes to hours: the steps after them are covered, a request left in them rarely.
    assert statuses >= set(Status.values) - {Status.RATED, Status.RETURNED}, statuses
