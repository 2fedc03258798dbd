"""共建清单 rows for ``tests/test_scope_agreement.py``'s demo slice: items of each visibility
inside and outside each user's scope, open and closed, claims by a unit and by a member with a
login (the own-rows rule), by a volunteer team whose 队长 has a login (the team leader's own
rows), and 民生菜单 events; a resident, a unit contact and the 队长 join the users."""

from datetime import timedelta

from django.utils import timezone

from jiceng.accounts.services import assign_role
from jiceng.cobuild import services
from jiceng.cobuild.models import Kind, Visibility
from jiceng.dualreport.tests.conftest import employed_member
from jiceng.volunteers.models import Team, TeamMember, Volunteer

from .conftest import leaf, make_unit


def add_rows(demo, make_user) -> None:
    tree, orgs = demo.tree, demo.orgs
    for name, role, area in (
        ("cobuild_resident", "resident", tree.beianmen),
        ("cobuild_contact", "unit_contact", tree.gongyuan),
    ):
        user = make_user(name)
        assign_role(None, user, role, area)
        setattr(demo.users, name, user)
    member_user = make_user("cobuild_member")
    assign_role(None, member_user, "member", tree.beianmen)
    demo.users.cobuild_member = member_user
    member = employed_member(orgs.grid1, "认领党员", residence=tree.building, user=member_user)
    leader_user = make_user("cobuild_team_leader")
    assign_role(None, leader_user, "resident", tree.beianmen)
    demo.users.cobuild_team_leader = leader_user
    category = leaf()
    for area, unit_name in ((tree.beianmen, "北安认领单位"), (tree.gongyuan, "贡院认领单位")):
        unit = make_unit(area, unit_name)
        team = Team.objects.create(name=f"{unit_name}志愿队", community=area, area_path=area.code)
        captain = Volunteer.objects.create(
            name="队长", community=area, area_path=area.code, user=leader_user if area == tree.beianmen else None
        )
        TeamMember.objects.create(team=team, volunteer=captain, is_leader=True)
        event = services.create_event(None, area=area, title="招亲会", opens_at=timezone.now() - timedelta(hours=1))
        for visibility in (Visibility.COMMUNITY, Visibility.STREET, Visibility.CITY):
            item = services.publish_item(
                None,
                kind=Kind.NEED,
                title="需求",
                category=category,
                area=area,
                quantity=5,
                visibility=visibility,
                event=event,
            )
            services.claim_item(None, item, quantity=1, unit=unit)
            services.claim_item(None, item, quantity=1, member=member)
            services.claim_item(None, item, quantity=1, team=team)
        closed = services.publish_item(None, kind=Kind.RESOURCE, title="资源", category=category, area=area)
        services.close_item(None, closed, "撤回")
