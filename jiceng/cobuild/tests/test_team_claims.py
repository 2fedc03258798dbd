"""Volunteer teams as claimers (issue 11 points 1 and 4): a team's 队长 claims in the team's name,
the team shows wherever a claim does, and a completed team claim records the members' hours
through the volunteers app's approval."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from jiceng.accounts.models import AuditLog
from jiceng.cobuild import services
from jiceng.cobuild.models import Claim, ClaimerKind, ClaimStatus, Item, Kind, TeamHours
from jiceng.core.rules import get_rule
from jiceng.points.models import Award
from jiceng.volunteers import services as vol_services
from jiceng.volunteers.models import HoursRecord, HoursSource, HoursStatus

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(world, make_user):
    """北安门红心志愿服务队 (队长 王队长 with a resident login, two members), and 北安门银发服务队
    whose 队长 is someone else."""
    w = world
    community = w.users.community
    w.leader_user = make_user("duizhang", role="resident", area=w.tree.beianmen)
    w.leader = vol_services.register_volunteer(community, w.tree.beianmen, "王队长", user=w.leader_user)
    w.helper_user = make_user("duiyuan", role="resident", area=w.tree.beianmen)
    w.helper = vol_services.register_volunteer(community, w.tree.beianmen, "李队员", user=w.helper_user)
    w.quiet = vol_services.register_volunteer(community, w.tree.beianmen, "赵队员")
    w.outsider = vol_services.register_volunteer(community, w.tree.beianmen, "队外志愿者")
    w.team = vol_services.create_team(community, w.tree.beianmen, "北安门红心志愿服务队")
    vol_services.add_team_member(community, w.team, w.leader, is_leader=True)
    vol_services.add_team_member(community, w.team, w.helper)
    vol_services.add_team_member(community, w.team, w.quiet)
    w.other_leader_user = make_user("yinfa_duizhang", role="resident", area=w.tree.beianmen)
    other_leader = vol_services.register_volunteer(community, w.tree.beianmen, "银发队长", user=w.other_leader_user)
    w.other_team = vol_services.create_team(community, w.tree.beianmen, "北安门银发服务队")
    vol_services.add_team_member(community, w.other_team, other_leader, is_leader=True)
    return w


def _done_team_claim(w, quantity=2):
    item = publish(w.users.community, w.tree.beianmen, title="重阳节助老餐", quantity=10)
    claim = services.claim_item(w.leader_user, item, quantity=quantity, team=w.team)
    services.confirm_claim(w.users.community, claim)
    return item, services.complete_claim(w.leader_user, claim, result="送餐到户", served=12)


# --------------------------------------------------------------------------- who may claim for a team


def test_team_leader_claims_in_the_teams_name(teams):
    item = publish(teams.users.community, teams.tree.beianmen, quantity=10)
    claim = services.claim_item(teams.leader_user, item, quantity=4, team=teams.team, note="周末送餐")
    assert claim.claimer_kind == ClaimerKind.TEAM
    assert claim.claimer_name == "北安门红心志愿服务队"
    assert claim.get_claimer_kind_display() == "志愿服务队"
    assert claim.claimer_area_path == teams.tree.beianmen.code
    assert claim.created_by == teams.leader_user
    assert Item.objects.get(pk=item.pk).taken == 4
    assert AuditLog.objects.filter(action="cobuild_claim", object_id=str(claim.pk)).exists()
    # One open claim per team and item.
    with pytest.raises(services.CobuildError) as exc:
        services.claim_item(teams.leader_user, item, quantity=1, team=teams.team)
    assert exc.value.message == "已有一个进行中的认领，不能重复认领。"
    assert Item.objects.get(pk=item.pk).taken == 4


@pytest.mark.parametrize("who", ["helper_user", "other_leader_user", "resident"])
def test_only_the_teams_leader_may_claim_for_it(teams, who):
    item = publish(teams.users.community, teams.tree.beianmen, quantity=10)
    with pytest.raises(services.CobuildError) as exc:
        services.claim_item(getattr(teams, who), item, quantity=1, team=teams.team)
    assert exc.value.code == "permission"
    assert exc.value.message == "只有“北安门红心志愿服务队”的队长可以以志愿队名义认领。"
    assert not Claim.objects.exists()
    assert Item.objects.get(pk=item.pk).taken == 0


def test_team_claim_refused_beyond_the_quantity_and_on_a_closed_item(teams):
    item = publish(teams.users.community, teams.tree.beianmen, quantity=3)
    with pytest.raises(services.CobuildError) as exc:
        services.claim_item(teams.leader_user, item, quantity=5, team=teams.team)
    assert exc.value.message == "“助老送餐”只剩3份，不能认领5份。"
    services.close_item(teams.users.community, item, "活动取消")
    with pytest.raises(services.CobuildError) as exc:
        services.claim_item(teams.leader_user, item, quantity=1, team=teams.team)
    assert exc.value.code == "status"
    assert not Claim.objects.exists()


def test_one_claimer_only(teams):
    item = publish(teams.users.community, teams.tree.beianmen, quantity=3)
    with pytest.raises(services.CobuildError) as exc:
        services.claim_item(teams.users.community, item, quantity=1, team=teams.team, unit=teams.unit)
    assert exc.value.code == "claimer"
    assert not Claim.objects.exists()


def test_leaders_see_and_act_on_their_teams_claims(teams, make_user):
    item = publish(teams.users.community, teams.tree.beianmen, quantity=10)
    claim = services.claim_item(teams.leader_user, item, quantity=2, team=teams.team)
    # A second 队长 of the same team sees it and may act on it; a plain member and another team's leader do not.
    second_user = make_user("fu_duizhang", role="resident", area=teams.tree.beianmen)
    second = vol_services.register_volunteer(teams.users.community, teams.tree.beianmen, "副队长", user=second_user)
    vol_services.add_team_member(teams.users.community, teams.team, second, is_leader=True)
    assert list(Claim.objects.visible_to(second_user)) == [claim]
    assert Claim.objects.allows(second_user, "view", claim)
    assert not Claim.objects.visible_to(teams.helper_user).exists()
    assert not Claim.objects.visible_to(teams.other_leader_user).exists()
    with pytest.raises(services.CobuildError):
        services.release_claim(teams.helper_user, claim, "不去了")
    services.release_claim(second_user, claim, "队员时间冲突")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.RELEASED
    assert Item.objects.get(pk=item.pk).taken == 0


def test_completed_team_claim_awards_no_member_points(teams):
    _, claim = _done_team_claim(teams)
    assert claim.status == ClaimStatus.COMPLETED
    assert not Award.objects.filter(source_kind="cobuild_claim", source_ref=str(claim.pk)).exists()


# --------------------------------------------------------------------------- a team offers a resource


def test_a_team_offers_a_resource(teams):
    item = publish(
        teams.users.community,
        teams.tree.beianmen,
        kind=Kind.RESOURCE,
        title="义务理发",
        unit_label="次",
        offered_by_team=teams.team,
    )
    assert item.offerer_name == "北安门红心志愿服务队（志愿服务队）"
    assert list(teams.team.offered_items.all()) == [item]
    with pytest.raises(services.CobuildError) as exc:
        publish(teams.users.community, teams.tree.beianmen, kind=Kind.NEED, offered_by_team=teams.team)
    assert "只有资源可以填写提供的志愿服务队。" in exc.value.messages
    with pytest.raises(services.CobuildError) as exc:
        publish(
            teams.users.community,
            teams.tree.beianmen,
            kind=Kind.RESOURCE,
            offered_by_team=teams.team,
            offered_by_unit=teams.unit,
        )
    assert "资源的提供方只能是一个驻区单位或一支志愿服务队。" in exc.value.messages
    assert Item.objects.count() == 1


# --------------------------------------------------------------------------- the members' hours


def test_completed_team_claim_records_pending_hours_approved_by_the_community(teams):
    _, claim = _done_team_claim(teams)
    records = services.record_team_hours(teams.leader_user, claim, volunteers=[teams.leader, teams.helper], hours="2.5")
    assert len(records) == 2
    rows = HoursRecord.objects.filter(team=teams.team).order_by("volunteer_id")
    assert [(r.volunteer, r.source, r.status, r.hours) for r in rows] == [
        (teams.leader, HoursSource.CLAIM, HoursStatus.PENDING, Decimal("2.5")),
        (teams.helper, HoursSource.CLAIM, HoursStatus.PENDING, Decimal("2.5")),
    ]
    assert rows[0].content == "认领服务：重阳节助老餐"
    assert TeamHours.objects.filter(claim=claim).count() == 2
    # The volunteers app's approval credits them like any hours record.
    vol_services.approve_hours(teams.users.community, rows[1])
    assert HoursRecord.objects.get(pk=rows[1].pk).status == HoursStatus.APPROVED
    # Once per claim and volunteer; the rest of the team can still be added.
    with pytest.raises(services.CobuildError) as exc:
        services.record_team_hours(teams.leader_user, claim, volunteers=[teams.helper, teams.quiet], hours="1")
    assert exc.value.message == "已为李队员登记过本次认领的服务时长。"
    assert HoursRecord.objects.count() == 2
    services.record_team_hours(teams.users.community, claim, volunteers=[teams.quiet], hours="1")
    assert HoursRecord.objects.count() == 3


def test_team_hours_refusals_write_nothing(teams, make_user):
    item = publish(teams.users.community, teams.tree.beianmen, quantity=10)
    open_claim = services.claim_item(teams.leader_user, item, quantity=1, team=teams.team)
    with pytest.raises(services.CobuildError) as exc:
        services.record_team_hours(teams.leader_user, open_claim, volunteers=[teams.leader], hours="1")
    assert exc.value.message == "认领登记完成后才能登记队员服务时长。"
    _, claim = _done_team_claim(teams)
    cases = [
        (teams.leader_user, [teams.leader, teams.outsider], "2", "队外志愿者不是“北安门红心志愿服务队”的队员。"),
        (teams.helper_user, [teams.helper], "2", "只有该队队长或发布事项的社区可以登记队员服务时长。"),
        (teams.leader_user, [], "2", "请选择参加服务的队员。"),
        (teams.leader_user, [teams.leader], "0", "每人服务时长应大于0且不超过24小时。"),
    ]
    for actor, people, hours, message in cases:
        with pytest.raises(services.CobuildError) as exc:
            services.record_team_hours(actor, claim, volunteers=people, hours=hours)
        assert exc.value.message == message
    # Over the daily cap for one of them: the whole entry is refused, nobody's hours written.
    cap = get_rule("volunteers.daily_hours_cap")
    today = date.today()
    vol_services.report_hours(teams.helper_user, teams.helper, cap, today, "社区值守")
    with pytest.raises(services.CobuildError) as exc:
        services.record_team_hours(teams.leader_user, claim, volunteers=[teams.leader, teams.helper], hours="2")
    assert "超过每日时长上限" in exc.value.message
    assert HoursRecord.objects.filter(source=HoursSource.CLAIM).count() == 0
    assert not TeamHours.objects.exists()
    # A member's or unit's claim has no team to record for.
    unit_claim = services.claim_item(teams.users.community, item, quantity=1, unit=teams.unit)
    services.confirm_claim(teams.users.community, unit_claim)
    services.complete_claim(teams.users.community, unit_claim, result="完成")
    with pytest.raises(services.CobuildError) as exc:
        services.record_team_hours(teams.users.community, unit_claim, volunteers=[teams.leader], hours="1")
    assert exc.value.message == "只有志愿服务队的认领可以登记队员服务时长。"


# --------------------------------------------------------------------------- pages


def test_claim_form_offers_the_leaders_teams_only(teams, login):
    item = publish(teams.users.community, teams.tree.beianmen, quantity=10)
    client = login(teams.leader_user)
    page = client.get(reverse("cobuild:item_detail", args=[item.pk])).content.decode()
    assert '<optgroup label="以志愿队名义认领">' in page
    assert f'value="team:{teams.team.pk}"' in page and "北安门红心志愿服务队" in page
    assert f'value="team:{teams.other_team.pk}"' not in page
    # A plain team member (a resident) gets no claim form at all.
    plain = login(teams.helper_user).get(reverse("cobuild:item_detail", args=[item.pk])).content.decode()
    assert 'id="claim-form"' not in plain

    client = login(teams.leader_user)
    response = client.post(
        reverse("cobuild:item_claim", args=[item.pk]), {"quantity": "3", "unit": f"team:{teams.team.pk}"}, follow=True
    )
    text = response.content.decode()
    assert "已以“北安门红心志愿服务队”名义提交认领意向（3份），等待社区确认。" in text
    claim = Claim.objects.get()
    assert claim.team == teams.team and claim.quantity == 3
    assert "北安门红心志愿服务队（志愿服务队）" in text  # the item's claim list

    # Another team's id typed in: refused by the form, nothing written.
    response = client.post(
        reverse("cobuild:item_claim", args=[item.pk]),
        {"quantity": "1", "unit": f"team:{teams.other_team.pk}"},
        follow=True,
    )
    assert Claim.objects.count() == 1
    assert "不在可选范围内" in response.content.decode()

    mine = client.get(reverse("cobuild:mine")).content.decode()
    assert "重阳节" not in mine and "北安门红心志愿服务队 · 3份" in mine
    staff = login(teams.users.community)
    listing = staff.get(reverse("cobuild:claim_list") + "?claimer_kind=team").content.decode()
    assert "志愿服务队 · 北安门红心志愿服务队" in listing


def test_team_hours_through_the_claim_page(teams, login):
    _, claim = _done_team_claim(teams)
    client = login(teams.leader_user)
    page = client.get(reverse("cobuild:claim_detail", args=[claim.pk])).content.decode()
    assert "登记队员服务时长" in page
    assert "王队长（队长）" in page and "李队员" in page and "队外志愿者" not in page
    response = client.post(
        reverse("cobuild:claim_act", args=[claim.pk, "team-hours"]),
        {"team_hours-volunteers": [teams.leader.pk, teams.quiet.pk], "team_hours-hours": "3"},
        follow=True,
    )
    text = response.content.decode()
    assert "已为2名队员登记服务时长，待社区审核后计入志愿时长和时间银行。" in text
    assert "王队长 · 3.0 小时 · 待审核" in text and "赵队员 · 3.0 小时 · 待审核" in text
    assert HoursRecord.objects.filter(source=HoursSource.CLAIM, status=HoursStatus.PENDING).count() == 2
    # The last member recorded: the form is gone.
    client.post(
        reverse("cobuild:claim_act", args=[claim.pk, "team-hours"]),
        {"team_hours-volunteers": [teams.helper.pk], "team_hours-hours": "1"},
    )
    page = client.get(reverse("cobuild:claim_detail", args=[claim.pk])).content.decode()
    assert "李队员 · 1.0 小时 · 待审核" in page and 'id="action-team-hours"' not in page
    # A plain member of the team sees no such form (and cannot see the claim at all).
    assert login(teams.helper_user).get(reverse("cobuild:claim_detail", args=[claim.pk])).status_code == 404


# --------------------------------------------------------------------------- API


def test_api_team_claim_and_hours(teams, api_client):
    item = publish(teams.users.community, teams.tree.beianmen, quantity=10)
    url = reverse("api:cobuilditem-claim", args=[item.pk])
    api_client.force_authenticate(teams.other_leader_user)
    response = api_client.post(url, {"quantity": 2, "team": teams.team.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "只有“北安门红心志愿服务队”的队长可以以志愿队名义认领。"
    api_client.force_authenticate(teams.leader_user)
    response = api_client.post(url, {"quantity": 2, "team": teams.team.pk, "unit": teams.unit.pk}, format="json")
    assert response.status_code == 400
    response = api_client.post(url, {"quantity": 2, "team": teams.team.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["claimer_kind"], body["team"], body["claimer_name"]) == ("team", teams.team.pk, "北安门红心志愿服务队")
    assert Claim.objects.count() == 1

    api_client.force_authenticate(teams.users.community)
    listing = api_client.get(reverse("api:cobuildclaim-list") + "?claimer_kind=team").json()
    assert [row["claimer_name"] for row in listing["results"]] == ["北安门红心志愿服务队"]
    claim_id = body["id"]
    assert api_client.post(reverse("api:cobuildclaim-confirm", args=[claim_id]), {}, format="json").status_code == 200
    done = api_client.post(reverse("api:cobuildclaim-complete", args=[claim_id]), {"result": "完成"}, format="json")
    assert done.status_code == 200

    api_client.force_authenticate(teams.leader_user)
    hours_url = reverse("api:cobuildclaim-team-hours", args=[claim_id])
    response = api_client.post(hours_url, {"volunteers": [teams.outsider.pk], "hours": "2"}, format="json")
    assert response.status_code == 400 and "不是“北安门红心志愿服务队”的队员" in response.json()["error"]["message"]
    response = api_client.post(hours_url, {"volunteers": [teams.helper.pk], "hours": "2"}, format="json")
    assert response.status_code == 200
    assert HoursRecord.objects.get().volunteer == teams.helper
    response = api_client.post(hours_url, {"volunteers": [teams.helper.pk], "hours": "2"}, format="json")
    assert response.status_code == 409
