"""The 待办 list: what is waiting for a user, from every app's ``todos`` (core.registry.TodoSource).

Each source answers with one bounded query (at most :data:`CAP` + 1 rows, the most urgent first),
whatever the size of the city: the home page shows the first :data:`SHOWN` of each kind with a
red/amber/green light from its deadline, and a count that reads ``99+`` past the cap. The menu
shows the same counts next to the entries with waiting work; they are kept per user for
:data:`MENU_COUNT_SECONDS` so that other pages do not pay for them, and the home page refreshes
them every time it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from jiceng.core.registry import TodoSource, excel_kinds, todo_sources
from jiceng.core.scope import scope_for

CAP = 99
SHOWN = 5
MENU_COUNT_SECONDS = 60
# Amber when the deadline is this close (a day for times, three days for dates).
SOON_TIME = timedelta(hours=24)
SOON_DAYS = 3
LIGHT_LABELS = {"red": "已超期", "amber": "即将到期", "green": "未到期", "none": ""}


@dataclass
class TodoItem:
    title: str
    url: str
    due: datetime | date | None = None
    note: str = ""
    light: str = "none"
    due_text: str = ""


@dataclass
class TodoGroup:
    source: TodoSource
    items: list[TodoItem] = field(default_factory=list)
    more: bool = False  # more than CAP waiting

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def count_text(self) -> str:
        return f"{CAP}+" if self.more else str(self.count)

    @property
    def shown(self) -> list[TodoItem]:
        return self.items[:SHOWN]

    @property
    def list_url(self) -> str:
        return reverse(self.source.list_url) if self.source.list_url else ""


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} 分钟"
    if minutes < 48 * 60:
        return f"{minutes // 60} 小时"
    return f"{minutes // (24 * 60)} 天"


def light(due: datetime | date | None, now: datetime) -> tuple[str, str]:
    """(light, text) for a deadline: red past it, amber close to it, green before; none without one."""
    if due is None:
        return "none", ""
    if isinstance(due, datetime):
        if due < now:
            return "red", f"已超期 {_span(now - due)}"
        return ("amber" if due - now <= SOON_TIME else "green"), f"剩余 {_span(due - now)}"
    today = timezone.localdate(now)
    days = (due - today).days
    if days < 0:
        return "red", f"已超期 {-days} 天"
    if days == 0:
        return "amber", "今天到期"
    return ("amber" if days <= SOON_DAYS else "green"), f"剩余 {days} 天"


def _group(user, source: TodoSource, now: datetime) -> TodoGroup | None:
    if source.permission and scope_for(user, source.permission).empty:
        return None
    items = import_string(source.fetch)(user, now, CAP + 1)
    for item in items:
        item.light, item.due_text = light(item.due, now)
    group = TodoGroup(source, items[:CAP], more=len(items) > CAP)
    return group if group.items else None


def _collect(user, now: datetime) -> list[TodoGroup]:
    return [group for source in todo_sources() if (group := _group(user, source, now))]


def todo_groups(user, now: datetime | None = None) -> list[TodoGroup]:
    """The user's waiting work, one group per kind that has some, in the sources' order."""
    groups = _collect(user, now or timezone.now())
    _remember_counts(user, groups)
    return groups


def _counts_key(user) -> str:
    return f"todo-counts:{user.pk}"


def _remember_counts(user, groups: list[TodoGroup]) -> dict[str, str]:
    counts: dict[str, int] = {}
    more: set[str] = set()
    for group in groups:
        if group.source.menu_url:
            counts[group.source.menu_url] = counts.get(group.source.menu_url, 0) + group.count
            if group.more:
                more.add(group.source.menu_url)
    texts = {url: (f"{CAP}+" if url in more or n > CAP else str(n)) for url, n in counts.items()}
    cache.set(_counts_key(user), texts, MENU_COUNT_SECONDS)
    return texts


def menu_counts(user) -> dict[str, str]:
    """URL name of a menu entry → its count of waiting work (kept for a minute)."""
    texts = cache.get(_counts_key(user))
    if texts is None:
        texts = _remember_counts(user, _collect(user, timezone.now()))
    return texts


# --------------------------------------------------------------------------- core's own kind


def excel_jobs(user, now: datetime, limit: int) -> list[TodoItem]:
    """Excel jobs of the user that finished or failed in the last three days."""
    from jiceng.core.models import ExcelJob

    done = (ExcelJob.Status.SUCCEEDED, ExcelJob.Status.REJECTED, ExcelJob.Status.FAILED)
    jobs = (
        ExcelJob.objects.filter(user=user, status__in=done, created_at__gte=now - timedelta(days=3))
        .only("id", "direction", "kind", "status", "original_name", "finished_at", "created_at")
        .order_by("-created_at", "-id")[:limit]
    )
    kinds = excel_kinds()
    return [
        TodoItem(
            title=f"{job.get_direction_display()}{kinds[job.kind].label if job.kind in kinds else job.kind}"
            f"{'（' + job.original_name + '）' if job.original_name else ''} · {job.get_status_display()}",
            url=reverse("excel:job_detail", args=[job.pk]),
            note=timezone.localtime(job.finished_at or job.created_at).strftime("%m-%d %H:%M"),
        )
        for job in jobs
    ]
