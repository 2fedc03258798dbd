"""双报到 rows for ``tests/test_scope_agreement.py``'s demo slice: every model of the app, inside
and outside each user's scope, and a member with their own login (the own-rows rules)."""

from datetime import timedelta

from django.utils import timezone

from jiceng.accounts.services import assign_role
from jiceng.dualreport import services
from jiceng.orgs.models import ResidentUnit

from .conftest import employed_member


def add_rows(demo, make_user) -> None:
    tree, orgs, today = demo.tree, demo.orgs, timezone.localdate()
    member_user = make_user("dual_member")
    assign_role(None, member_user, "member", tree.beianmen)
    demo.users.member = member_user
    sides = [
        (employed_member(orgs.grid1, "北安在职", residence=tree.building, user=member_user), tree.beianmen),
        # A 贡院 member living in 北安门: one side seen by each community.
        (employed_member(orgs.gongyuan_branch, "贡院在职甲", residence=tree.building), tree.beianmen),
        (employed_member(orgs.gongyuan_branch, "贡院在职乙", residence=tree.gongyuan), tree.gongyuan),
    ]
    for member, community in sides:
        registration = services.register_member(None, member, community, on=today - timedelta(days=20))
        services.confirm_registration(None, registration)
        post = services.create_post(
            None, community, title="值守", needs="值守", starts_on=today, ends_on=today + timedelta(days=5), places=5
        )
        services.sign_up(None, post, member)
        services.record_service(None, registration, served_on=today, hours="1", content="值守", confirm=True)
        services.send_feedback(None, registration, year=today.year, comment="好")
    unit = ResidentUnit.objects.filter(area_path__startswith=tree.beianmen.code).first()
    ResidentUnit.objects.filter(pk=unit.pk).update(party_org=orgs.grid1)
    unit.refresh_from_db()
    services.register_unit(None, unit, tree.beianmen)
