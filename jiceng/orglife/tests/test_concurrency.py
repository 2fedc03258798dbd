"""A member signs in once: two phones at once, a double scan, a host's 代签 at the same moment.

On PostgreSQL real threads race with their own connections; the conditional UPDATE and the
unique (meeting, member) constraint leave exactly one sign-in. On SQLite writers are serialised,
so the same calls in sequence must give the same answer."""

import threading

import pytest
from django.db import connection

from jiceng.orglife import services, signin
from jiceng.orglife.models import Attendance, AttendanceStatus


def race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # a refusal is a result under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_phones_and_a_proxy_at_once_sign_in_once(open_meeting, people):
    meeting = open_meeting()
    code = signin.meeting_code(meeting)
    calls = [lambda: services.sign_in_by_qr(people.member_user, code) for _ in range(4)]
    calls.append(lambda: services.proxy_sign_in(people.community, meeting, people.me, "主持人核实到会"))
    results = race(*calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    signed_now = [r[1] for r in results[:4]]
    rows = Attendance.objects.filter(meeting=meeting, member=people.me)
    assert rows.count() == 1
    row = rows.get()
    assert row.status == AttendanceStatus.PRESENT
    # Exactly one call signed: one of the phones, or the proxy (its row then says 代签).
    assert signed_now.count(True) == (0 if row.method == "proxy" else 1)
    assert meeting.events.filter(kind="proxy").count() == (1 if row.method == "proxy" else 0)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_many_members_sign_in_while_the_host_closes(open_meeting, people):
    meeting = open_meeting()
    code = signin.meeting_code(meeting)
    from jiceng.members.models import Member

    users = []
    for i, member in enumerate(people.full[1:]):
        user = type(people.member_user).objects.create(username=f"racer{i}")
        Member.objects.filter(pk=member.pk).update(user=user)
        users.append(user)
    calls = [lambda u=u: services.sign_in_by_qr(u, code) for u in users]
    calls.append(lambda: services.close_meeting(people.community, meeting))
    results = race(*calls)
    signed = Attendance.objects.filter(meeting=meeting, status__in=("present", "late")).count()
    refused = [r for r in results[:-1] if isinstance(r, services.OrglifeError)]
    assert signed + len(refused) == len(users)
    assert all("会议已结束" in "".join(r.messages) for r in refused)
    assert not Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.EXPECTED).exists()


@pytest.mark.django_db
def test_in_sequence_the_same_calls_sign_once(open_meeting, people):
    meeting = open_meeting()
    code = signin.meeting_code(meeting)
    results = [services.sign_in_by_qr(people.member_user, code) for _ in range(3)]
    assert [signed for _, signed in results] == [True, False, False]
    assert Attendance.objects.filter(meeting=meeting, member=people.me).count() == 1
