"""The pages and the API as users see them: the secretary opens a round, members self-assess and
vote on the phone page, the committee proposes (the 双报到 cap explained in Chinese), the branch
meeting decides and the round locks; refusals in Chinese, JSON errors, bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiceng.appraisal import services
from jiceng.appraisal.models import Ballot, Participant, Receipt, Round, RoundStatus
from jiceng.members.models import Member

from .conftest import all_marks

pytestmark = pytest.mark.django_db


def test_the_secretary_opens_a_round_from_the_form(login, people, orgs, voters):
    client = login(people.secretary)
    chooser = client.get(reverse("appraisal:round_add")).content.decode()
    assert orgs.grid1.name in chooser
    url = reverse("appraisal:round_add") + f"?org={orgs.grid1.code}"
    bad = client.post(url, {"year": "1999"})
    assert bad.status_code == 400 and "不在可选范围内" in bad.content.decode()
    assert not Round.objects.exists()
    ok = client.post(url, {"year": str(timezone.localdate().year)})
    round_ = Round.objects.get()
    assert ok.status_code == 302 and ok.url == reverse("appraisal:round_detail", args=[round_.pk])
    page = client.get(ok.url).content.decode()
    assert "结束民主测评" in page and people.full[1].name in page


def test_the_member_self_assesses_and_votes_once_on_the_phone_page(login, round_, voters, people):
    client = login(voters["jia"])
    assert "待提交" in client.get(reverse("appraisal:my_rounds")).content.decode()
    url = reverse("appraisal:my_round", args=[round_.pk])
    page = client.get(url).content.decode()
    assert 'id="ballot-form"' in page and "（本人）" in page
    short = client.post(url, {"form": "self", "text": "好"})
    assert short.status_code == 400 and "至少写10个字" in short.content.decode()
    client.post(url, {"form": "self", "text": "一年来坚持学习，按时参加组织生活，服务群众还不够。"})
    assert Participant.objects.get(round=round_, member=people.me).self_assessed_at
    rows = list(round_.participants.all())
    partial = client.post(url, {"form": "ballot", f"p{rows[0].pk}": "excellent"})
    text = partial.content.decode()
    assert partial.status_code == 400 and f"请为{rows[1].member.name}选择等次" in text
    assert not Ballot.objects.exists()
    ballot = {"form": "ballot", **{f"p{r.pk}": "qualified" for r in rows}}
    assert client.post(url, ballot).status_code == 302
    again = client.get(url).content.decode()
    assert 'id="voted-note"' in again and 'id="ballot-form"' not in again
    assert Receipt.objects.count() == 1


def test_a_non_member_cannot_open_the_ballot(login, round_, people):
    url = reverse("appraisal:my_round", args=[round_.pk])
    assert login(people.stranger_user).get(url).status_code == 404


def test_the_committee_sees_the_service_and_the_cap(login, round_, voters, people):
    services.cast_ballot(voters["jia"], round_, all_marks(round_, "excellent"))
    services.close_voting(people.secretary, round_)
    yi = people.full[1]
    Member.objects.filter(pk=yi.pk).update(is_employed=True)
    row = Participant.objects.get(round=round_, member=yi)
    client = login(people.secretary)
    detail = reverse("appraisal:round_detail", args=[round_.pk])
    text = client.get(detail).content.decode()
    assert "未参加服务" in text and 'id="cap-note"' in text
    url = reverse("appraisal:round_act", args=[round_.pk, "propose"])
    refused = client.post(url, {"participant": row.pk, "grade": "excellent", "note": ""})
    assert refused.status_code == 400 and "不得高于“合格”" in refused.content.decode()
    for other in round_.participants.all():
        assert client.post(url, {"participant": other.pk, "grade": "qualified"}).status_code == 302
    decided = client.post(reverse("appraisal:round_act", args=[round_.pk, "decide"]), {"note": ""})
    assert decided.status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DECIDED
    text = client.get(detail).content.decode()
    assert 'id="decided-note"' in text and 'id="decision-form"' not in text


def test_the_round_pages_have_bounded_queries(login, round_, voters, people, make_user, tree):
    client = login(people.secretary)
    detail = reverse("appraisal:round_detail", args=[round_.pk])
    client.get(detail)
    with CaptureQueriesContext(connection) as few:
        client.get(detail)
    for i in range(6):
        from jiceng.orglife.tests.conftest import add_member

        add_member(round_.org, f"新党员{i}")
    Round.objects.filter(pk=round_.pk).delete()
    round_ = services.open_round(people.secretary, round_.org, round_.year)
    detail = reverse("appraisal:round_detail", args=[round_.pk])
    with CaptureQueriesContext(connection) as many:
        client.get(detail)
    assert len(many) == len(few) and len(many) <= 30
    mine = reverse("appraisal:my_round", args=[round_.pk])
    member_client = login(voters["jia"])
    with CaptureQueriesContext(connection) as phone:
        member_client.get(mine)
    assert len(phone) <= 25


def test_the_api_ballot_once_and_errors_in_json(api_client, round_, voters, people):
    def as_user(user):
        api_client.force_authenticate(user)
        return api_client

    client = as_user(voters["jia"])
    url = f"/api/v1/appraisals/{round_.pk}/ballot/"
    ok = client.post(url, {"marks": all_marks(round_)}, format="json")
    assert ok.status_code == 200, ok.content
    again = client.post(url, {"marks": all_marks(round_)}, format="json")
    assert again.status_code == 400
    assert "已经投过票" in again.json()["error"]["message"] or "已经投过票" in str(again.json())
    detail = client.get(f"/api/v1/appraisals/{round_.pk}/").json()
    assert "votes" not in detail["participants"][0]  # a member sees names, not tallies
    staff = as_user(people.secretary).get(f"/api/v1/appraisals/{round_.pk}/").json()
    assert staff["participants"][0]["votes"]["qualified"] == 1
    outsider = as_user(people.stranger_user).post(url, {"marks": all_marks(round_)}, format="json")
    assert outsider.status_code == 404
