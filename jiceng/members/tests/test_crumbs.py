"""Breadcrumbs on the member page: 党员 › the orgs above the member that the user may see › the
member; an org outside the user's scope is never named."""

import pytest
from django.urls import reverse

from jiceng.core.crumbs import Crumb

pytestmark = pytest.mark.django_db


def test_member_page_crumbs(login, users, orgs, make_member):
    member = make_member(name="周平")
    crumbs = login(users.district).get(reverse("members:member_detail", args=[member.pk])).context["breadcrumbs"]
    assert crumbs == [
        Crumb("党员", reverse("members:member_list")),
        Crumb(orgs.beianmen.name, reverse("orgs:org_detail", args=[orgs.beianmen.code])),
        Crumb(orgs.branch1.name, reverse("orgs:org_detail", args=[orgs.branch1.code])),
        Crumb("周平"),
    ]
    page = login(users.grid).get(reverse("members:member_detail", args=[member.pk]))
    names = [c.name for c in page.context["breadcrumbs"]]
    assert orgs.beianmen.name not in names  # the grid worker's scope is the grid's branch only
    assert names[-1] == "周平" and 'class="breadcrumb jc-breadcrumb"' in page.content.decode()
