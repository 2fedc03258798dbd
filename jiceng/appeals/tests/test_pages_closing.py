"""办结, 重办, 重复件合并 and 撤销 on the appeal page: the dispatcher's buttons, refusals, scope."""

import pytest

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, AppealEvent, EventKind, Status


@pytest.fixture
def dispatched(submit, people, tree):
    appeal = submit(now=None)
    services.dispatch_appeal(people.community, appeal, area=tree.grid1)
    return appeal


@pytest.fixture
def answered(dispatched, people):
    services.sign_appeal(people.grid, dispatched)
    services.answer_appeal(people.grid, dispatched, text="已劝离。", result="resolved")
    return dispatched


@pytest.fixture
def unsatisfied(answered, people):
    """Answered, then rated 未解决/不满意 by the resident: the dispatcher decides 重办 or 办结."""
    services.rate_appeal(people.resident, answered, outcome="unresolved", satisfaction="unsatisfied", comment="又来了")
    assert answered.status == Status.RATED
    return answered


def _html(response) -> str:
    return response.content.decode()


def test_dispatcher_closes_after_an_unsatisfied_rating(client, people, unsatisfied):
    client.force_login(people.community)
    page = _html(client.get(f"/appeals/{unsatisfied.pk}/"))
    assert 'id="close-form"' in page and 'id="reopen-form"' in page
    response = client.post(
        f"/appeals/{unsatisfied.pk}/close/", {"close-note": "已多次处置，诉求人要求超出政策"}, follow=True
    )
    assert "已办结。" in _html(response)
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.CLOSED and unsatisfied.closed_at is not None
    assert 'id="close-form"' not in _html(response)


def test_close_refusal_keeps_the_page(client, people, unsatisfied):
    client.force_login(people.community)
    response = client.post(f"/appeals/{unsatisfied.pk}/close/", {"close-note": ""})
    assert response.status_code == 400
    assert "操作未完成：请填写办结说明。" in _html(response)
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.RATED


def test_unrated_answer_can_be_closed_without_a_note(client, people, answered):
    client.force_login(people.community)
    assert client.post(f"/appeals/{answered.pk}/close/", {"close-note": ""}).status_code == 302
    answered.refresh_from_db()
    assert answered.status == Status.CLOSED
    assert AppealEvent.objects.get(appeal=answered, kind=EventKind.CLOSE).note.startswith("未回访办结")


def test_dispatcher_reopens_after_an_unsatisfied_rating(client, people, unsatisfied):
    client.force_login(people.community)
    response = client.post(f"/appeals/{unsatisfied.pk}/reopen/", {"reopen-note": "请彻底清理并加强巡查"}, follow=True)
    assert "已重办，交北安门社区第一网格重新办理。" in _html(response)
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.DISPATCHED and unsatisfied.reopen_count == 1
    assert "已重办1次" in _html(response)
    client.force_login(people.grid)
    assert unsatisfied in client.get("/appeals/workbench/").context["rows"]


def test_reopen_refused_before_the_rating(client, people, answered):
    client.force_login(people.community)
    assert 'id="reopen-form"' not in _html(client.get(f"/appeals/{answered.pk}/"))
    response = client.post(f"/appeals/{answered.pk}/reopen/", {"reopen-note": "重新办理"})
    assert response.status_code == 400
    assert "请先回访评价；评价为不满意或未解决的才能重办。" in _html(response)
    answered.refresh_from_db()
    assert answered.status == Status.ANSWERED


def test_duplicate_is_merged_by_number(client, people, submit):
    first = submit(now=None)
    duplicate = submit(now=None, description="1栋楼下又有人摆摊。")
    client.force_login(people.community)
    assert 'id="merge-form"' in _html(client.get(f"/appeals/{duplicate.pk}/"))
    response = client.post(
        f"/appeals/{duplicate.pk}/merge/", {"merge-number": f" {first.number} ", "merge-note": "同一摊位"}, follow=True
    )
    html = _html(response)
    assert f"已作为重复件合并到工单{first.number}。" in html
    assert f'href="/appeals/{first.pk}/"' in html  # the page points to the one followed now
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == first
    assert AppealEvent.objects.filter(appeal=first, kind=EventKind.MERGED_HERE).exists()


def test_merge_target_is_looked_up_in_scope_only(client, people, submit, tree):
    mine = submit(now=None)
    elsewhere = submit(now=None, actor=people.resident2, area=tree.gongyuan)
    client.force_login(people.community)
    response = client.post(f"/appeals/{mine.pk}/merge/", {"merge-number": elsewhere.number, "merge-note": ""})
    assert response.status_code == 400
    html = _html(response)
    assert f"未找到工单编号为“{elsewhere.number}”的诉求，或您无权处理该诉求。" in html
    assert f'value="{elsewhere.number}"' in html  # the number typed is still in the form
    response = client.post(f"/appeals/{mine.pk}/merge/", {"merge-number": mine.number})
    assert response.status_code == 400 and "不能把诉求合并到它自己。" in _html(response)
    mine.refresh_from_db()
    elsewhere.refresh_from_db()
    assert mine.status == Status.ACCEPTED and elsewhere.status == Status.ACCEPTED


def test_dispatcher_and_reporter_cancel_with_a_reason(client, people, submit, dispatched):
    client.force_login(people.community)
    response = client.post(
        f"/appeals/{dispatched.pk}/cancel/", {"cancel-reason": "诉求人电话确认已自行解决"}, follow=True
    )
    assert "已撤销。" in _html(response)
    dispatched.refresh_from_db()
    assert dispatched.status == Status.CANCELLED

    own = submit(now=None)
    client.force_login(people.resident)
    assert 'id="cancel-form"' in _html(client.get(f"/appeals/{own.pk}/"))
    assert client.post(f"/appeals/{own.pk}/cancel/", {"cancel-reason": "已解决，不需要了"}).status_code == 302
    own.refresh_from_db()
    assert own.status == Status.CANCELLED


def test_cancel_refused_after_the_answer(client, people, answered):
    client.force_login(people.community)
    assert 'id="cancel-form"' not in _html(client.get(f"/appeals/{answered.pk}/"))
    response = client.post(f"/appeals/{answered.pk}/cancel/", {"cancel-reason": "重复来电"})
    assert response.status_code == 400
    assert "操作未完成：已答复的诉求不能撤销，请进行回访评价。" in _html(response)
    answered.refresh_from_db()
    assert answered.status == Status.ANSWERED


def test_handler_has_none_of_the_dispatcher_buttons(client, people, dispatched):
    client.force_login(people.grid)
    html = _html(client.get(f"/appeals/{dispatched.pk}/"))
    for form_id in ("close-form", "reopen-form", "merge-form", "cancel-form"):
        assert f'id="{form_id}"' not in html
    response = client.post(f"/appeals/{dispatched.pk}/cancel/", {"cancel-reason": "不想办"})
    assert response.status_code == 400 and "只有诉求人或派单人员可以撤销。" in _html(response)


def test_another_community_gets_404(client, users, people, unsatisfied, submit):
    other = submit(now=None)
    client.force_login(users.other_community)
    posts = {
        "close": {"close-note": "x"},
        "reopen": {"reopen-note": "x"},
        "merge": {"merge-number": other.number},
        "cancel": {"cancel-reason": "x"},
    }
    for action, data in posts.items():
        assert client.post(f"/appeals/{unsatisfied.pk}/{action}/", data).status_code == 404, action
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.RATED
    assert Appeal.objects.get(pk=other.pk).status == Status.ACCEPTED
