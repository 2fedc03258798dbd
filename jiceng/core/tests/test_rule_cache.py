"""A rule's cached value is dropped on every write of its row, and again once the write commits.

With a shared cache (Redis, CACHE_URL) every process reads the same entry, so these two drops are
what make a change used everywhere on the next request (tests/test_two_processes.py runs that).
"""

from django.core.cache import cache
from django.db import transaction

from jiceng.core.models import Rule
from jiceng.core.rules import get_rule

KEY = "grid.target_households"


def test_a_rule_written_any_way_is_used_on_the_next_read(db):
    assert get_rule(KEY) == 400  # the default, now cached
    rule = Rule.objects.create(key=KEY, value=300)  # not through the admin
    assert get_rule(KEY) == 300
    rule.value = 350
    rule.save()
    assert get_rule(KEY) == 350
    rule.delete()
    assert get_rule(KEY) == 400


def test_a_value_read_before_the_commit_is_dropped_at_the_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Rule.objects.create(key=KEY, value=300)
        # Another process reads now: it still sees the committed (old) row and caches it.
        cache.set(f"jiceng:rule:{KEY}", 400)
    assert get_rule(KEY) == 300


def test_the_pipeline_snapshot_follows_a_write_at_once(db):
    # members.rules keeps its values for a second (the importer reads them per row); a write in
    # this process must not wait for that second (nor leak one test's value into the next).
    from jiceng.members.rules import rule_values

    assert rule_values()["min_age"] == 18
    Rule.objects.create(key="members.min_age", value=20)
    assert rule_values()["min_age"] == 20
