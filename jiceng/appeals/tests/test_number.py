"""工单编号: the local date and the id, written with the insert (a trigger on PostgreSQL)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from jiceng.appeals.models import Appeal
from jiceng.appeals.services import appeal_number

UTC = ZoneInfo("UTC")


def test_a_new_request_gets_its_number_in_the_same_create(submit):
    appeal = submit(now=datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
    assert appeal.number == f"20261121{appeal.pk:08d}"
    assert Appeal.objects.get(pk=appeal.pk).number == appeal.number


def test_the_date_is_the_local_one_just_after_midnight(submit):
    # 16:30 UTC on the 21st is 00:30 on the 22nd in Nanjing.
    appeal = submit(now=datetime(2026, 11, 21, 16, 30, tzinfo=UTC))
    assert appeal.number.startswith("20261122")
    assert appeal.number == appeal_number(appeal.created_at, appeal.pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_trigger_and_python_agree_including_ids_past_eight_digits(submit):
    first = submit(now=datetime(2026, 11, 21, 16, 30, tzinfo=UTC))
    big = Appeal.objects.get(pk=first.pk)
    big.pk, big.number, big.client_token = 123456789, None, None
    big._state.adding = True
    big.save(force_insert=True)  # an insert outside the service: the trigger alone numbers it
    stored = Appeal.objects.get(pk=123456789).number
    assert stored == appeal_number(big.created_at, 123456789) == "20261122123456789"
    # A number given explicitly (a migration from an old system) is kept.
    big.pk, big.number = 123456790, "LEGACY-0001"
    big._state.adding = True
    big.save(force_insert=True)
    assert Appeal.objects.get(pk=123456790).number == "LEGACY-0001"
