"""The API of 免于考核 (/api/v1/orglife-exemptions/) and 补录 (/api/v1/meeting-backfills/): the same
service verbs as the pages, scoped reads (out of scope is 404), refusals in the error envelope with
the Chinese reason, and a double submit that makes one row."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.orglife.compliance import Period
from jiceng.orglife.models import AttendanceStatus, Exemption, ExemptionStatus, MakeupTask, Meeting

pytestmark = pytest.mark.django_db

URL = "/api/v1/orglife-exemptions/"
BACKFILL = "/api/v1/meeting-backfills/"


def _quarter() -> str:
    return Period.containing("quarter", timezone.localdate()).key


def _ask(api_client, user, org, **extra):
    api_client.force_authenticate(user)
    body = {"org": org.code, "kind": "postpone", "type": "congress", "period": _quarter(), "reason": "支部换届"}
    return api_client.post(URL, {**body, **extra}, format="json")


def test_request_approve_and_list_in_scope(api_client, orgs, people):
    asked = _ask(api_client, people.secretary, orgs.grid1)
    assert asked.status_code == 201, asked.content
    row = asked.json()
    assert (row["org_name"], row["status"], row["status_display"]) == ("第一网格党支部", "pending", "待审批")
    # A double submit gives the same request back, not a second row.
    again = _ask(api_client, people.secretary, orgs.grid1)
    assert again.status_code == 200 and again.json()["id"] == row["id"]
    assert Exemption.objects.filter(org=orgs.grid1).count() == 1

    api_client.force_authenticate(people.community)
    listed = api_client.get(URL).json()["results"]
    assert [r["id"] for r in listed] == [row["id"]]
    done = api_client.post(f"{URL}{row['id']}/approve/", {"note": "同意"}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["status_display"], done.json()["decision_note"]) == ("已批准", "同意")
    # Approving twice: the state refuses it, in Chinese.
    twice = api_client.post(f"{URL}{row['id']}/approve/", {}, format="json")
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "status" and "不能重复审批" in twice.json()["error"]["message"]
    assert AuditLog.objects.filter(action="decide_orglife_exemption").count() == 1


def test_a_repeat_is_200_whatever_the_first_request_time(api_client, orgs, people):
    """Created or not is the service's answer, not a clock comparison: a request stamped later than
    this call began (another server's clock, a concurrent first submit) is still a repeat."""
    first = _ask(api_client, people.secretary, orgs.grid1)
    assert first.status_code == 201
    Exemption.objects.filter(pk=first.json()["id"]).update(requested_at=timezone.now() + timedelta(minutes=5))
    again = _ask(api_client, people.secretary, orgs.grid1)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Exemption.objects.filter(org=orgs.grid1).count() == 1


def test_the_page_says_when_the_request_was_made_already(client, orgs, people):
    from django.urls import reverse

    client.force_login(people.secretary)
    url = reverse("orglife:exemption_list")
    body = {"org": orgs.grid1.code, "kind": "postpone", "type": "congress", "period": _quarter(), "reason": "换届"}
    first = client.post(url, body, follow=True).content.decode()
    assert "已提交“第一网格党支部”的免于考核申请" in first
    again = client.post(url, body, follow=True).content.decode()
    assert "“第一网格党支部”已有相同的免于考核申请（待审批），未重复提交。" in again
    assert "已提交“第一网格党支部”" not in again
    assert Exemption.objects.filter(org=orgs.grid1).count() == 1


def test_refusals_are_structured_and_write_nothing(api_client, orgs, people):
    # The requester may not approve their own request: 403 with the reason.
    row = _ask(api_client, people.community, orgs.grid1).json()
    own = api_client.post(f"{URL}{row['id']}/approve/", {}, format="json")
    assert own.status_code == 403 and own.json()["error"]["message"] == "免于考核须由上级党组织审批。"
    # Rejecting without a note: the field is named.
    api_client.force_authenticate(people.street)
    bare = api_client.post(f"{URL}{row['id']}/reject/", {}, format="json")
    assert bare.status_code == 400 and "note" in bare.json()["error"]["fields"]
    # A postponement without a type, and a period that is not one: every field's reason at once.
    bad = _ask(api_client, people.community, orgs.grid2, type="", period="2026Q9")
    assert bad.status_code == 400, bad.content
    fields = bad.json()["error"]["fields"]
    assert set(fields) >= {"type", "period"}
    assert Exemption.objects.filter(org=orgs.grid2).count() == 0
    assert Exemption.objects.get(pk=row["id"]).status == ExemptionStatus.PENDING


def test_out_of_scope_is_404(api_client, orgs, people):
    row = _ask(api_client, people.secretary, orgs.grid1).json()
    api_client.force_authenticate(people.other_community)  # 贡院社区: another community
    assert api_client.get(URL).json()["results"] == []
    assert api_client.get(f"{URL}{row['id']}/").status_code == 404
    assert api_client.post(f"{URL}{row['id']}/approve/", {}, format="json").status_code == 404
    # Asking for a branch outside the scope names no branch either.
    outside = _ask(api_client, people.other_community, orgs.grid1)
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "not_found"
    assert Exemption.objects.get(pk=row["id"]).status == ExemptionStatus.PENDING


def test_revoke_pending_by_the_branch_and_approved_only_by_the_higher_org(api_client, orgs, people):
    pending = _ask(api_client, people.secretary, orgs.grid1).json()
    withdrawn = api_client.post(f"{URL}{pending['id']}/revoke/", {"reason": "已如期召开"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status_display"] == "已撤销"

    approved = _ask(api_client, people.secretary, orgs.grid1, kind="dissolving", type="").json()
    api_client.force_authenticate(people.community)
    assert api_client.post(f"{URL}{approved['id']}/approve/", {}, format="json").status_code == 200
    api_client.force_authenticate(people.secretary)
    refused = api_client.post(f"{URL}{approved['id']}/revoke/", {"reason": "不撤销了"}, format="json")
    assert refused.status_code == 403 and "上级党组织撤销" in refused.json()["error"]["message"]
    api_client.force_authenticate(people.community)
    revoked = api_client.post(f"{URL}{approved['id']}/revoke/", {"reason": "支部继续保留"}, format="json")
    assert revoked.status_code == 200 and revoked.json()["decision_note"] == "支部继续保留"
    again = api_client.post(f"{URL}{approved['id']}/revoke/", {"reason": "再撤一次"}, format="json")
    assert again.status_code == 409 and "已撤销" in again.json()["error"]["message"]


HELD_AT = (timezone.now() - timedelta(days=10)).replace(microsecond=0)


def _backfill(api_client, user, org, people, **extra):
    api_client.force_authenticate(user)
    body = {
        "org": org.code,
        "types": ["congress"],
        "topic": "补录的支部党员大会",
        "held_at": HELD_AT.isoformat(),
        "present": [people.full[0].pk, people.full[1].pk],
        "minutes_discussion": "讨论了年度工作。",
    }
    return api_client.post(BACKFILL, {**body, **extra}, format="json")


def test_backfill_records_the_meeting_once(api_client, orgs, people):
    done = _backfill(api_client, people.community, orgs.grid1, people)
    assert done.status_code == 201, done.content
    meeting = Meeting.objects.get(pk=done.json()["id"])
    assert done.json()["status_display"] == "已召开"
    statuses = dict(meeting.attendances.values_list("member_id", "status"))
    assert statuses[people.full[0].pk] == AttendanceStatus.PRESENT
    assert statuses[people.full[2].pk] == AttendanceStatus.ABSENT
    assert MakeupTask.objects.filter(meeting=meeting, member=people.full[2]).exists()
    assert [r["id"] for r in api_client.get(BACKFILL).json()["results"]] == [meeting.pk]
    # The double submit is refused with the field named; still one meeting.
    again = _backfill(api_client, people.community, orgs.grid1, people)
    assert again.status_code == 400 and "请勿重复补录" in again.json()["error"]["fields"]["topic"][0]
    assert Meeting.objects.filter(topic="补录的支部党员大会").count() == 1


def test_backfill_refusals_and_scope(api_client, orgs, people):
    long_ago = (timezone.now() - timedelta(days=95)).isoformat()
    early = _backfill(api_client, people.community, orgs.grid1, people, held_at=long_ago)
    assert early.status_code == 400 and "只能补录90天内" in early.json()["error"]["fields"]["held_at"][0]
    stranger = _backfill(api_client, people.community, orgs.grid1, people, present=[people.outsider.pk])
    assert stranger.status_code == 400 and "不能记为出席" in stranger.json()["error"]["message"]
    outside = _backfill(api_client, people.other_community, orgs.grid1, people)
    assert outside.status_code == 404
    assert not Meeting.objects.filter(topic="补录的支部党员大会").exists()
    done = _backfill(api_client, people.community, orgs.grid1, people)
    api_client.force_authenticate(people.other_community)
    assert api_client.get(BACKFILL).json()["results"] == []
    assert api_client.get(f"{BACKFILL}{done.json()['id']}/").status_code == 404
