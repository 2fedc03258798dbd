"""Breadcrumbs on the request page name the desk the user works it from."""

import pytest
from django.urls import reverse

from jiceng.appeals import services

from .conftest import T0

pytestmark = pytest.mark.django_db


def crumbs(client, appeal):
    return [(c.name, c.url) for c in client.get(reverse("appeals:detail", args=[appeal.pk])).context["breadcrumbs"]]


def test_each_user_sees_their_desk(login, submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.street, appeal, area=tree.grid1, now=T0)
    assert crumbs(login(people.grid), appeal)[1] == ("诉求工作台", reverse("appeals:workbench"))
    assert crumbs(login(people.district), appeal)[1] == ("诉求派单", reverse("appeals:queue"))
    assert crumbs(login(people.resident), appeal)[1:] == [("我的诉求", reverse("appeals:mine")), (appeal.number, "")]
