"""组织关系转接 within the platform: choosing the receiving branch by name as you type.

The chooser offers what the transfer service accepts: active branches (党支部, 联合党支部,
临时党支部) anywhere in the city except the member's own; the form still posts the branch code.
"""

import re

import pytest
from django.urls import reverse

from jiceng.members.models import Transfer
from jiceng.orgs.models import Org, OrgCategory, OrgType
from jiceng.orgs.services import create_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(make_member):
    return make_member(name="张建国")


@pytest.fixture
def more_orgs(orgs, tree):
    """A joint branch in 贡院, a revoked branch, and a 党总支 (holds no members)."""
    joint = create_org(
        None,
        parent=orgs.gongyuan,
        name="贡院商圈联合党支部",
        org_type=OrgType.JOINT_BRANCH,
        category=OrgCategory.COMPREHENSIVE,
        area=tree.gongyuan,
    )
    revoked = create_org(
        None,
        parent=orgs.gongyuan,
        name="贡院原物业党支部",
        org_type=OrgType.BRANCH,
        category=OrgCategory.COMMUNITY,
        area=tree.gongyuan,
    )
    Org.objects.filter(pk=revoked.pk).update(is_active=False)
    general = create_org(
        None,
        parent=orgs.gongyuan,
        name="贡院社区党总支",
        org_type=OrgType.GENERAL_BRANCH,
        category=OrgCategory.COMMUNITY,
        area=tree.gongyuan,
    )
    return {"joint": joint, "revoked": revoked, "general": general}


def search(client, member, q):
    return client.get(reverse("members:transfer_org_search", args=[member.pk]), {"q": q}, HTTP_HX_REQUEST="true")


def offered(response) -> list[str]:
    return re.findall(r'data-choose-code="(\d+)"', response.content.decode())


def test_finds_branches_by_name_anywhere_in_the_city(login, users, zhang, orgs, more_orgs):
    client = login(users.community)  # 北安门 staff; 贡院 is another community
    response = search(client, zhang, "党支部")
    assert response.status_code == 200
    codes = offered(response)
    assert orgs.branch2.code in codes and orgs.gongyuan_branch.code in codes
    assert more_orgs["joint"].code in codes  # 联合党支部 holds members too
    body = response.content.decode()
    # Each result names its parent org and its area, so two "第一党支部" can be told apart.
    assert "上级：中共贡院社区委员会" in body and "贡院社区" in body
    assert "联合党支部" in body


def test_offers_nothing_the_transfer_would_refuse(login, users, zhang, orgs, more_orgs):
    client = login(users.community)
    codes = offered(search(client, zhang, "社区"))
    assert orgs.branch1.code not in codes  # the member's own branch
    assert orgs.beianmen.code not in codes and orgs.gongyuan.code not in codes  # 党委
    assert more_orgs["general"].code not in codes  # 党总支
    assert more_orgs["revoked"].code not in codes  # 已撤销
    assert offered(search(client, zhang, "原物业")) == []
    assert "没有找到" in search(client, zhang, "原物业").content.decode()


def test_finds_by_code_and_code_prefix(login, users, zhang, orgs):
    client = login(users.community)
    assert offered(search(client, zhang, orgs.gongyuan_branch.code)) == [orgs.gongyuan_branch.code]
    # A parent's code is a prefix of its branches' codes: the branches below it, not the parent.
    assert offered(search(client, zhang, orgs.beianmen.code)) == [orgs.branch2.code]


def test_an_empty_query_asks_for_input_without_a_search(login, users, zhang, django_assert_max_num_queries):
    client = login(users.community)
    response = search(client, zhang, "  ")
    assert offered(response) == [] and "请输入党支部名称或组织编码" in response.content.decode()


def test_at_most_20_results_and_bounded_queries(login, users, zhang, orgs, tree, django_assert_max_num_queries):
    for i in range(25):
        create_org(
            None,
            parent=orgs.gongyuan,
            name=f"贡院楼宇第{i + 1}党支部",
            org_type=OrgType.BRANCH,
            category=OrgCategory.BUILDING,
            area=tree.gongyuan,
        )
    client = login(users.community)
    search(client, zhang, "楼宇")  # warm the session and grants
    with django_assert_max_num_queries(6) as captured:
        response = search(client, zhang, "楼宇")
    assert len(offered(response)) == 20
    assert "只显示前 20 个" in response.content.decode()
    org_queries = [q for q in captured.captured_queries if 'FROM "orgs_org"' in q["sql"]]
    assert len(org_queries) == 1  # parents and areas joined, not one query per result


def test_login_and_transfer_permission_required(client, login, users, zhang):
    url = reverse("members:transfer_org_search", args=[zhang.pk])
    response = client.get(url, {"q": "党支部"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert search(login(users.grid), zhang, "党支部").status_code == 403  # sees the member, cannot transfer
    assert search(login(users.other_community), zhang, "党支部").status_code == 404  # not their member


def test_the_form_has_the_chooser_and_posts_the_chosen_code(login, users, zhang, orgs):
    client = login(users.community)
    url = reverse("members:member_transfer", args=[zhang.pk])
    page = client.get(url).content.decode()
    assert reverse("members:transfer_org_search", args=[zhang.pk]) in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'id="id_to_org"' in page  # the code field the choice fills in, still posted
    assert "/static/vendor/htmx/htmx.min.js" in page  # served locally, no CDN

    chosen = offered(search(client, zhang, "贡院社区第一"))
    assert chosen == [orgs.gongyuan_branch.code]
    response = client.post(url, {"kind": "internal", "to_org": chosen[0], "reason": "工作调动"})
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert transfer.to_org == orgs.gongyuan_branch and transfer.member == zhang


def test_the_form_still_refuses_a_bad_code(login, users, zhang, orgs):
    client = login(users.community)
    url = reverse("members:member_transfer", args=[zhang.pk])
    response = client.post(url, {"kind": "internal", "to_org": orgs.beianmen.code})
    assert response.status_code == 200 and "请填写接收党支部的组织编码" in response.content.decode()
    response = client.post(url, {"kind": "internal", "to_org": orgs.branch1.code})
    assert "接收党组织与现所在党支部相同" in response.content.decode()
    assert not Transfer.objects.exists()
