"""延期 pages: the handler asks on the appeal page, the dispatcher sees the request there and decides."""

import pytest

from jiceng.appeals import services
from jiceng.appeals.models import Extension, ExtensionStatus


@pytest.fixture
def dispatched(submit, people, tree):
    """An appeal at 1栋 (now), dispatched by the community to 第一网格."""
    appeal = submit(now=None)
    services.dispatch_appeal(people.community, appeal, area=tree.grid1)
    return appeal


def _page(client, appeal) -> str:
    response = client.get(f"/appeals/{appeal.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_handler_asks_and_dispatcher_approves(client, people, dispatched):
    old_due = dispatched.answer_due
    client.force_login(people.grid)
    assert 'id="extend-form"' in _page(client, dispatched)
    response = client.post(
        f"/appeals/{dispatched.pk}/extend/", {"extend-workdays": "3", "extend-reason": "需等待物业配合"}, follow=True
    )
    assert response.redirect_chain[-1] == (f"/appeals/{dispatched.pk}/", 302)
    html = response.content.decode()
    assert "已申请延长3个工作日，等待派单单位审批。" in html
    assert "延期待批" in html and "等待派单单位审批" in html
    assert 'id="extend-form"' not in html  # one pending request at a time
    dispatched.refresh_from_db()
    assert dispatched.extension_pending

    client.force_login(people.community)
    assert dispatched in client.get("/appeals/queue/").context["rows"]
    html = _page(client, dispatched)
    assert 'id="decide-extension-form"' in html and "需等待物业配合" in html and "3个工作日" in html
    response = client.post(
        f"/appeals/{dispatched.pk}/decide_extension/",
        {"decide_extension-approve": "true", "decide_extension-note": "同意"},
        follow=True,
    )
    assert "已批准延期，答复时限延至" in response.content.decode()
    dispatched.refresh_from_db()
    extension = Extension.objects.get(appeal=dispatched)
    assert extension.status == ExtensionStatus.APPROVED and extension.decision_note == "同意"
    assert not dispatched.extension_pending and dispatched.extension_count == 1
    assert dispatched.answer_due > old_due
    assert 'id="decide-extension-form"' not in response.content.decode()


def test_dispatcher_rejects_with_a_note(client, people, dispatched):
    services.request_extension(people.grid, dispatched, workdays=2, reason="材料未齐")
    client.force_login(people.community)
    response = client.post(
        f"/appeals/{dispatched.pk}/decide_extension/",
        {"decide_extension-approve": "false", "decide_extension-note": "时限内可以办完"},
        follow=True,
    )
    assert "已驳回延期申请。" in response.content.decode()
    dispatched.refresh_from_db()
    assert not dispatched.extension_pending
    assert Extension.objects.get(appeal=dispatched).status == ExtensionStatus.REJECTED


def test_refusals_show_the_reason_and_keep_the_input(client, people, dispatched):
    client.force_login(people.grid)
    response = client.post(
        f"/appeals/{dispatched.pk}/extend/", {"extend-workdays": "40", "extend-reason": "需要协调三个部门"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "操作未完成：每次最多申请延长15个工作日。" in html
    assert "需要协调三个部门" in html and 'value="40"' in html  # nothing lost
    assert not Extension.objects.exists()

    services.request_extension(people.grid, dispatched, workdays=2, reason="材料未齐")
    client.force_login(people.community)
    response = client.post(
        f"/appeals/{dispatched.pk}/decide_extension/",
        {"decide_extension-approve": "false", "decide_extension-note": ""},
    )
    assert response.status_code == 400
    assert "操作未完成：请填写审批意见。" in response.content.decode()
    assert Extension.objects.get().status == ExtensionStatus.PENDING

    # The handler cannot decide on its own request; the button is not there and the post is refused.
    client.force_login(people.grid)
    assert 'id="decide-extension-form"' not in _page(client, dispatched)
    response = client.post(
        f"/appeals/{dispatched.pk}/decide_extension/",
        {"decide_extension-approve": "true", "decide_extension-note": ""},
    )
    assert response.status_code == 400
    assert "您没有审批该诉求延期的权限。" in response.content.decode()


def test_no_pending_request_to_decide(client, people, dispatched):
    client.force_login(people.community)
    response = client.post(
        f"/appeals/{dispatched.pk}/decide_extension/",
        {"decide_extension-approve": "true", "decide_extension-note": ""},
    )
    assert response.status_code == 400
    assert "该诉求没有待审批的延期申请。" in response.content.decode()


def test_another_community_gets_404(client, users, people, dispatched):
    services.request_extension(people.grid, dispatched, workdays=2, reason="材料未齐")
    client.force_login(users.other_community)
    assert client.get(f"/appeals/{dispatched.pk}/").status_code == 404
    assert (
        client.post(f"/appeals/{dispatched.pk}/extend/", {"extend-workdays": "1", "extend-reason": "x"}).status_code
        == 404
    )
    assert (
        client.post(
            f"/appeals/{dispatched.pk}/decide_extension/",
            {"decide_extension-approve": "true", "decide_extension-note": ""},
        ).status_code
        == 404
    )
    assert Extension.objects.get().status == ExtensionStatus.PENDING


def test_appeal_page_with_a_pending_request_has_bounded_queries(
    client, people, dispatched, django_assert_max_num_queries
):
    services.request_extension(people.grid, dispatched, workdays=2, reason="材料未齐")
    client.force_login(people.community)
    with django_assert_max_num_queries(20):
        assert client.get(f"/appeals/{dispatched.pk}/").status_code == 200


def test_bulk_approve_extensions_from_the_desk(client, people, tree, submit, dispatched):
    """批量批准延期: each ticked request's pending extension approved through decide_extension;
    a request without one, or outside the user's scope, is refused with why; nothing twice."""
    second = submit(now=None)
    services.dispatch_appeal(people.community, second, area=tree.grid1)
    plain = submit(now=None)
    services.dispatch_appeal(people.community, plain, area=tree.grid1)
    outside = submit(now=None, area=tree.meiyuan_grid)  # 梅园新村社区: not the community's
    for appeal in (dispatched, second):
        services.request_extension(people.grid, appeal, workdays=2, reason="材料未齐")
    client.force_login(people.community)
    html = client.get("/appeals/queue/").content.decode()
    assert 'id="bulk-extend"' in html and 'formaction="/appeals/queue/extensions/"' in html
    ids = [dispatched.pk, second.pk, plain.pk, outside.pk]
    response = client.post("/appeals/queue/extensions/", {"ids": ids, "next": "/appeals/queue/"})
    assert response.status_code == 302 and response["Location"] == "/appeals/queue/"
    page = client.get("/appeals/queue/")
    results = {r["appeal_id"]: r for r in page.context["bulk_results"]}
    assert results[dispatched.pk]["ok"] and results[second.pk]["ok"]
    assert results[dispatched.pk]["message"].startswith("已批准延期，答复时限延至")
    assert results[plain.pk]["message"] == "该诉求没有待审批的延期申请。"
    assert results[outside.pk]["message"] == "未找到该诉求，或您无权审批。"
    assert "批量批准延期结果" in page.content.decode() and "2 件已批准，2 件未批准" in page.content.decode()
    for appeal in (dispatched, second):
        appeal.refresh_from_db()
        assert not appeal.extension_pending and appeal.extension_count == 1
    assert Extension.objects.filter(status=ExtensionStatus.APPROVED).count() == 2
    # The same form again: nothing approved twice.
    client.post("/appeals/queue/extensions/", {"ids": ids})
    results = client.get("/appeals/queue/").context["bulk_results"]
    assert not any(r["ok"] for r in results)
    dispatched.refresh_from_db()
    assert dispatched.extension_count == 1
    # Nothing ticked; a grid worker (no dispatch right) may not.
    response = client.post("/appeals/queue/extensions/", {"next": "/appeals/queue/"}, follow=True)
    assert "未审批：请勾选要批准延期的诉求。" in response.content.decode()
    client.force_login(people.grid)
    assert client.post("/appeals/queue/extensions/", {"ids": ids}).status_code == 403
