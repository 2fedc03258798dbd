"""The 待办 lights and the cap: red past the deadline, amber close to it, green before, none
without; a count past the cap reads 99+ without fetching more."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from jiceng.core import todos
from jiceng.core.registry import TodoSource

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_lights_for_times():
    assert todos.light(None, NOW) == ("none", "")
    assert todos.light(NOW - timedelta(minutes=5), NOW) == ("red", "已超期 5 分钟")
    assert todos.light(NOW + timedelta(hours=3), NOW) == ("amber", "剩余 3 小时")
    assert todos.light(NOW + timedelta(hours=24), NOW)[0] == "amber"
    assert todos.light(NOW + timedelta(hours=25), NOW) == ("green", "剩余 25 小时")
    assert todos.light(NOW + timedelta(days=5), NOW) == ("green", "剩余 5 天")


def test_lights_for_dates():
    assert todos.light(date(2026, 12, 6), NOW) == ("red", "已超期 1 天")
    assert todos.light(date(2026, 12, 7), NOW) == ("amber", "今天到期")
    assert todos.light(date(2026, 12, 10), NOW) == ("amber", "剩余 3 天")
    assert todos.light(date(2026, 12, 11), NOW) == ("green", "剩余 4 天")


def fetch_many(user, now, limit):
    return [todos.TodoItem(f"第{i}项", "/") for i in range(limit)]


def test_a_group_past_the_cap_reads_99_plus(monkeypatch):
    source = TodoSource("test.many", "很多", f"{__name__}.fetch_many")
    group = todos._group(None, source, NOW)
    assert group.count == todos.CAP and group.more and group.count_text == "99+"
    assert len(group.shown) == todos.SHOWN
