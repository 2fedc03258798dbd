"""Per-process copies of small tables (jiceng.core.cache) and their invalidation."""

from datetime import date

from django.core.cache import cache

from jiceng.core import cache as tables
from jiceng.core.models import CalendarDay
from jiceng.core.workdays import city_days


def test_a_table_is_loaded_once_until_forgotten(db):
    calls = []

    def load():
        calls.append(1)
        return {"n": len(calls)}

    assert tables.table("t-once", load) == {"n": 1}
    assert tables.table("t-once", load) == {"n": 1}
    assert len(calls) == 1
    tables.forget("t-once")
    assert tables.table("t-once", load) == {"n": 2}


def test_another_process_reloads_when_the_stamp_expires_or_changes(db):
    calls = []
    tables.table("t-stamp", lambda: calls.append(1) or len(calls))
    # What a process sees when its stamp has expired (TTL) or a shared cache was told of a write.
    cache.delete(tables._STAMP_KEY.format("t-stamp"))
    assert tables.table("t-stamp", lambda: calls.append(1) or len(calls)) == 2
    cache.set(tables._STAMP_KEY.format("t-stamp"), "written-elsewhere")
    assert tables.table("t-stamp", lambda: calls.append(1) or len(calls)) == 3


def test_calendar_rows_are_seen_as_soon_as_they_are_saved_or_deleted(db, django_assert_num_queries):
    assert date(2031, 1, 1) not in city_days()
    with django_assert_num_queries(0):
        city_days()
    row = CalendarDay.objects.create(day=date(2031, 1, 1), is_workday=False, name="元旦")
    assert city_days()[date(2031, 1, 1)] == (False, "元旦")
    row.delete()
    assert date(2031, 1, 1) not in city_days()
