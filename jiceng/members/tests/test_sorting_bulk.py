"""The roster, the transfer list and the audit log sort on their main columns both ways with
keyset paging (issue 9 point 3), and 批量接收 of platform-internal transfers: each ticked row
through the one service verb, refusals said per row, nothing done twice, nothing out of scope."""

from datetime import date

import pytest
from django.urls import reverse

from jiceng.accounts.models import AuditLog
from jiceng.members import services
from jiceng.members.models import Member, Transfer, TransferStatus
from tests.sorting import expected, walk

from .conftest import make_id

BULK = "/members/transfers/accept/"


@pytest.fixture
def roster(make_member, orgs):
    made = []
    for n in range(7):
        org = [orgs.branch1, orgs.branch2, orgs.gongyuan_branch][n % 3]
        made.append(make_member(org, name=f"成员{n}"))
    return made


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("column,field", [("org", "org_path"), ("area", "area_path")])
def test_roster_sorts_both_ways_across_pages(client, users, roster, monkeypatch, column, field, descending):
    monkeypatch.setattr("jiceng.members.views.roster.PAGE_SIZE", 2)
    client.force_login(users.district)  # 玄武区: 北安门's branches, not 贡院 (秦淮区)
    sort = f"-{column}" if descending else column
    ids, counts = walk(client, f"{reverse('members:member_list')}?sort={sort}")
    in_scope = [m for m in Member.objects.all() if m.area_path.startswith("320102")]
    assert len(in_scope) == 5
    assert ids == expected(in_scope, lambda m: getattr(m, field), descending=descending)
    assert max(counts) <= min(counts) + 1


def test_roster_header_and_api_ordering(client, users, roster, api_client):
    client.force_login(users.district)
    html = client.get(f"{reverse('members:member_list')}?status=full&sort=-org").content.decode()
    assert 'aria-sort="descending"' in html and "?status=full&amp;sort=org" in html
    assert client.get(f"{reverse('members:member_list')}?sort=id_number").status_code == 200  # ignored
    api_client.force_authenticate(users.city)
    body = api_client.get("/api/v1/members/?ordering=-org&page_size=3").json()
    seen = [row["id"] for row in body["results"]]
    while body["next"]:
        body = api_client.get(body["next"]).json()
        seen += [row["id"] for row in body["results"]]
    assert seen == expected(list(Member.objects.all()), lambda m: m.org_path, descending=True)


@pytest.fixture
def transfers(users, roster, orgs):
    """Three internal transfers from 北安门 to 贡院 and one incoming letter to 贡院."""
    internal = [
        services.request_transfer(users.community, m, orgs.gongyuan_branch)
        for m in roster[:4]
        if m.org != orgs.gongyuan_branch
    ]
    letter = services.register_incoming(
        users.other_community,
        orgs.gongyuan_branch,
        person_name="赵六",
        person_id_number=make_id(date(1990, 3, 7)),
        external_org_name="中共上海某支部",
        letter_no="沪002",
        issued_on=date.today(),
    )
    return internal, letter


def test_transfers_sort_by_name_and_date_both_ways(client, users, transfers, monkeypatch):
    monkeypatch.setattr("jiceng.members.views.transfers.PAGE_SIZE", 2)
    client.force_login(users.other_community)
    rows = list(Transfer.objects.all())
    for column, key in {"name": lambda t: t.person_name, "created": lambda t: t.pk}.items():
        for descending in (False, True):
            sort = f"-{column}" if descending else column
            ids, _ = walk(client, f"{reverse('members:transfer_list')}?tab=incoming&sort={sort}")
            assert ids == expected(rows, key, descending=descending), sort


def test_bulk_accept_mixed_selection_each_row_once(client, users, transfers, orgs):
    internal, letter = transfers
    client.force_login(users.other_community)  # 贡院社区: the receiving side
    page = client.get(f"{reverse('members:transfer_list')}?tab=incoming").content.decode()
    assert 'id="bulk-accept"' in page
    assert f'value="{internal[0].pk}"' in page and f'name="ids" value="{letter.pk}"' not in page
    ids = [internal[0].pk, internal[1].pk, letter.pk, 999999]
    response = client.post(BULK, {"ids": ids})
    assert response.status_code == 302
    results = {r["transfer_id"]: r for r in client.get(response["Location"]).context["bulk_results"]}
    assert results[internal[0].pk]["ok"] and results[internal[1].pk]["ok"]
    assert not results[letter.pk]["ok"] and "请打开该介绍信办理接收" in results[letter.pk]["message"]
    assert results[999999]["message"] == "未找到该转接，或您无权办理。"
    for transfer in internal[:2]:
        transfer.refresh_from_db()
        assert transfer.status == TransferStatus.ACCEPTED
        transfer.member.refresh_from_db()
        assert transfer.member.org_id == orgs.gongyuan_branch.pk
    letter.refresh_from_db()
    assert letter.status == TransferStatus.PENDING
    moves = AuditLog.objects.filter(action="transfer_member").count()
    assert moves == 2
    # The same form again: nothing is accepted twice, each row says why.
    client.post(BULK, {"ids": ids})
    results = {r["transfer_id"]: r for r in client.get(reverse("members:transfer_list")).context["bulk_results"]}
    assert not any(r["ok"] for r in results.values())
    assert results[internal[0].pk]["message"] == "该转接已接收，不能再办理"
    assert AuditLog.objects.filter(action="transfer_member").count() == moves


def test_bulk_accept_refuses_the_sending_side_and_rows_out_of_scope(client, users, transfers):
    internal, letter = transfers
    client.force_login(users.community)  # 北安门: the sending side sees the transfers, may not accept
    client.post(BULK, {"ids": [internal[0].pk]})
    results = client.get(reverse("members:transfer_list")).context["bulk_results"]
    assert results[0]["ok"] is False and results[0]["message"] == "只有接收方党组织可以办理接收或退回"
    client.force_login(users.grid)  # a grid worker of 北安门 sees neither
    response = client.post(BULK, {"ids": [internal[0].pk, letter.pk]})
    assert response.status_code in (302, 403)
    internal[0].refresh_from_db()
    assert internal[0].status == TransferStatus.PENDING
    client.force_login(users.other_community)
    response = client.post(BULK, {"ids": []}, follow=True)
    assert "未接收：请勾选要接收的转接。" in response.content.decode()
    client.force_login(users.nobody)
    assert client.post(BULK, {"ids": [internal[0].pk]}).status_code == 403


def test_audit_log_sorts_by_time_both_ways_across_pages(client, users, roster, monkeypatch):
    monkeypatch.setattr("jiceng.accounts.views.AUDIT_PAGE_SIZE", 3)
    client.force_login(users.city)
    logs = list(AuditLog.objects.visible_to(users.city))
    assert len(logs) >= 7
    for descending in (False, True):
        ids, counts = walk(client, f"{reverse('accounts:audit_list')}?sort={'-at' if descending else 'at'}")
        assert ids == expected(logs, lambda log: log.at, descending=descending)
        assert max(counts) <= min(counts) + 1
    default = [log.pk for log in client.get(reverse("accounts:audit_list")).context["rows"]]
    assert default == expected(logs, lambda log: log.at, descending=True)[:3]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_bulk_accepts_of_the_same_transfer_at_once_one_wins(users, roster, orgs):
    """Two tabs of the receiving branch send 批量接收 with the same row at the same moment: the
    service's row lock lets exactly one accept it; the other is told it is already accepted."""
    from jiceng.appeals.tests.test_concurrency import race
    from jiceng.members import bulk

    transfer = services.request_transfer(users.community, roster[0], orgs.gongyuan_branch)
    results = race(
        lambda: bulk.bulk_accept(users.other_community, [transfer.pk]),
        lambda: bulk.bulk_accept(users.other_community, [transfer.pk]),
    )
    rows = [r[0] for r in results]
    assert sorted(r.ok for r in rows) == [False, True], results
    assert next(r for r in rows if not r.ok).message == "该转接已接收，不能再办理"
    assert AuditLog.objects.filter(action="transfer_member").count() == 1
    assert roster[0].events.filter(kind="transfer_in").count() == 1
