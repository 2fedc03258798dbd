"""志愿服务 and 时间银行 rows for ``tests/test_scope_agreement.py``'s demo slice: every model of both
apps inside and outside each user's scope, and the resident's own volunteer rows."""

from datetime import date, timedelta

from django.utils import timezone

from jiceng.timebank import services as ledger
from jiceng.timebank.checks import run_check
from jiceng.volunteers import services
from jiceng.volunteers.models import Volunteer


def add_rows(demo, make_user) -> None:
    tree, u = demo.tree, demo.users
    root = make_user("vol_root", is_superuser=True)
    for community, name in ((tree.beianmen, "北安"), (tree.gongyuan, "贡院")):
        person = services.register_volunteer(root, community, f"{name}志愿者", birth_date=date(1990, 1, 1))
        elder = services.register_volunteer(root, community, f"{name}老人", birth_date=date(1950, 1, 1))
        team = services.create_team(root, community, f"{name}志愿服务队")
        services.add_team_member(root, team, person)
        start = timezone.now() + timedelta(days=1)
        activity = services.create_activity(
            root, team, title="助老", place="服务站", starts_at=start, ends_at=start + timedelta(hours=2), places=3
        )
        services.sign_up(root, activity, person)
        for who in (person, elder):
            record = services.report_hours(root, who, "2", timezone.localdate(), "助老")
            services.approve_hours(root, record)
        services.report_hours(root, person, "1", timezone.localdate(), "待审")
        ledger.redeem(root, elder, person, "1", "助餐")
    # The resident of 北安门 is the 北安 volunteer (own rows).
    Volunteer.objects.filter(name="北安志愿者").update(user=u.resident)
    run_check()
