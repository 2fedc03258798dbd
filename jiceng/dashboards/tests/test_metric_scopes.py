"""The dashboards ask for a user's scope once per permission (``core.metrics._scope``), not once per
metric: the answer must still follow the user's grants as they change."""

from datetime import date

import pytest

from jiceng.accounts.services import assign_role
from jiceng.core.metrics import Period, _scope, detail_url, metrics_for
from jiceng.core.registry import metrics
from jiceng.core.scope import scope_for

pytestmark = pytest.mark.django_db


def test_the_remembered_scope_is_scope_for(users, tree):
    for user in (users.city, users.street, users.community, users.nobody):
        for permission in {m.permission for m in metrics().values()}:
            assert _scope(user, permission) == scope_for(user, permission)


def test_a_new_grant_is_seen_once_the_grants_are_forgotten(tree, make_user):
    user = make_user("gongyuan_then_beianmen", role="community", area=tree.gongyuan)
    period = Period.parse("2026-10", date(2026, 11, 1))
    received = metrics()["appeals.received"]
    assert metrics_for(user, "areas", tree.beianmen) == []
    assert metrics_for(user, "areas", tree.gongyuan)  # remembered for this user object
    assert detail_url(user, received, tree.beianmen, period) == ""
    assign_role(None, user, "community", tree.beianmen)
    user.forget_grants()
    shown = metrics_for(user, "areas", tree.beianmen)
    assert shown and [m.key for m in shown] == [m.key for m in metrics_for(user, "areas", tree.gongyuan)]
    assert detail_url(user, received, tree.beianmen, period).startswith("/")


def test_a_user_made_superuser_sees_everywhere(tree, make_user):
    user = make_user("plain")
    assert metrics_for(user, "areas", tree.city) == []
    user.is_superuser = True
    assert metrics_for(user, "areas", tree.city)
