"""The whole loop: 受理 → 派单 → 签收 → 办理 → 答复 → 回访 → 办结, and the side roads."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from jiceng.accounts.models import AuditLog
from jiceng.appeals import services
from jiceng.appeals.actions import available_actions
from jiceng.appeals.models import (
    Appeal,
    AppealEvent,
    Channel,
    EventKind,
    ExtensionStatus,
    LocationSource,
    Notification,
    Outcome,
    Satisfaction,
    Status,
)

from .conftest import T0


def kinds(appeal):
    return list(AppealEvent.objects.filter(appeal=appeal).order_by("at", "id").values_list("kind", flat=True))


def test_full_lifecycle(submit, people, tree):
    appeal = submit()
    assert appeal.created is True
    assert appeal.status == Status.ACCEPTED
    assert appeal.number == f"20250910{appeal.pk:08d}"
    assert appeal.area_path == tree.building.code
    assert appeal.reporter == people.resident
    assert (appeal.reporter_name, appeal.reporter_phone) == ("张三", "13812345678")
    assert appeal.dispatch_due == T0 + timedelta(hours=24)
    assert appeal.location_source == LocationSource.AREA
    # No message per new request: the dispatcher's queue shows it, a reminder comes before the deadline.
    assert not Notification.objects.filter(appeal=appeal).exists()

    suggestion = services.suggest_dispatch(appeal)
    assert suggestion.area == tree.grid1 and "网格" in suggestion.reason
    services.dispatch_appeal(
        people.community, appeal, area=suggestion.area, note="请网格员上门核实", now=T0 + timedelta(minutes=5)
    )
    assert appeal.status == Status.DISPATCHED and appeal.assigned_area == tree.grid1
    assert Notification.objects.filter(recipient=people.grid, appeal=appeal, kind="appeal_dispatched").exists()

    services.sign_appeal(people.grid, appeal, note="已电话联系诉求人", now=T0 + timedelta(minutes=20))
    assert appeal.status == Status.SIGNED and appeal.signed_at == T0 + timedelta(minutes=20)
    services.record_progress(people.grid, appeal, note="现场劝离摊贩", now=T0 + timedelta(hours=2))
    assert appeal.status == Status.HANDLING
    services.answer_appeal(
        people.grid, appeal, text="已劝离并告知城管巡查。", result=Outcome.RESOLVED, now=T0 + timedelta(hours=3)
    )
    assert appeal.status == Status.ANSWERED
    assert Notification.objects.filter(recipient=people.resident, kind="appeal_answered").exists()

    services.rate_appeal(
        people.resident,
        appeal,
        outcome=Outcome.RESOLVED,
        satisfaction=Satisfaction.SATISFIED,
        now=T0 + timedelta(hours=5),
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED
    assert appeal.closed_at == T0 + timedelta(hours=5)
    assert (appeal.outcome, appeal.satisfaction) == (Outcome.RESOLVED, Satisfaction.SATISFIED)
    assert kinds(appeal) == [
        EventKind.CREATE,
        EventKind.DISPATCH,
        EventKind.SIGN,
        EventKind.PROGRESS,
        EventKind.ANSWER,
        EventKind.RATE,
        EventKind.CLOSE,
    ]
    actions = set(
        AuditLog.objects.filter(object_type="appeals.appeal", object_id=str(appeal.pk)).values_list("action", flat=True)
    )
    assert actions == {
        "create_appeal",
        "dispatch_appeal",
        "sign_appeal",
        "handle_appeal",
        "answer_appeal",
        "rate_appeal",
        "close_appeal",
    }
    assert AuditLog.objects.filter(object_type="appeals.appeal", area_path=tree.building.code).count() == 7


def test_unsatisfied_rating_reopens_and_closes_on_second_round(submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    services.sign_appeal(people.grid, appeal, now=T0 + timedelta(minutes=1))
    services.answer_appeal(people.grid, appeal, text="已处理", result=Outcome.PARTLY, now=T0 + timedelta(hours=1))
    services.rate_appeal(
        people.resident,
        appeal,
        outcome=Outcome.UNRESOLVED,
        satisfaction=Satisfaction.UNSATISFIED,
        comment="第二天又来了",
        now=T0 + timedelta(hours=2),
    )
    assert appeal.status == Status.RATED
    services.reopen_appeal(people.community, appeal, note="请彻底解决", now=T0 + timedelta(hours=3))
    assert appeal.status == Status.DISPATCHED and appeal.reopen_count == 1
    assert appeal.assigned_area == tree.grid1
    assert appeal.outcome == "" and appeal.satisfaction == ""
    services.sign_appeal(people.grid, appeal, now=T0 + timedelta(hours=4))
    services.answer_appeal(
        people.grid, appeal, text="联合城管取缔", result=Outcome.RESOLVED, now=T0 + timedelta(days=1)
    )
    services.rate_appeal(
        people.community,  # the dispatcher records a phone callback
        appeal,
        outcome=Outcome.RESOLVED,
        satisfaction=Satisfaction.BASICALLY,
        now=T0 + timedelta(days=2),
    )
    assert appeal.status == Status.CLOSED
    assert kinds(appeal).count(EventKind.REOPEN) == 1
    assert AppealEvent.objects.get(appeal=appeal, kind=EventKind.RATE, data__satisfaction="basically").note.startswith(
        "回访"
    )


def test_dispatcher_closes_unsatisfied_after_review(submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.beianmen, now=T0)
    services.sign_appeal(people.community, appeal, now=T0)
    services.answer_appeal(people.community, appeal, text="不属实", result=Outcome.UNRESOLVED, now=T0)
    services.rate_appeal(
        people.resident, appeal, outcome=Outcome.UNRESOLVED, satisfaction=Satisfaction.UNSATISFIED, now=T0
    )
    services.close_appeal(people.community, appeal, note="经核实诉求不合理，说明后办结", now=T0)
    assert appeal.status == Status.CLOSED


def test_return_and_redispatch_to_a_department(submit, people, tree, departments, catalogue):
    appeal = submit(category=catalogue.building, description="楼顶加盖违建")
    suggestion = services.suggest_dispatch(appeal)
    assert suggestion.department == departments.xw_chengguan
    # The street first sends it to the community, which returns it: not its job.
    services.dispatch_appeal(people.street, appeal, area=tree.beianmen, now=T0)
    services.return_appeal(people.community, appeal, reason="违法建设由城管执法，社区无执法权", now=T0)
    assert appeal.status == Status.RETURNED and appeal.assignee is None and appeal.return_count == 1
    assert Notification.objects.filter(recipient=people.street, kind="appeal_returned").exists()
    services.dispatch_appeal(people.street, appeal, department=departments.xw_chengguan, now=T0 + timedelta(hours=1))
    assert appeal.assigned_department == departments.xw_chengguan
    services.sign_appeal(people.chengguan, appeal, now=T0 + timedelta(hours=2))
    services.answer_appeal(
        people.chengguan, appeal, text="已立案拆除", result=Outcome.RESOLVED, now=T0 + timedelta(days=3)
    )
    assert appeal.status == Status.ANSWERED
    event = AppealEvent.objects.get(appeal=appeal, kind=EventKind.RETURN)
    assert event.target_name == "北安门社区" and "违法建设" in event.note


def test_redispatch_before_sign_for_is_a_change_of_unit(submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    services.dispatch_appeal(people.community, appeal, area=tree.beianmen, now=T0 + timedelta(minutes=2))
    assert appeal.assigned_area == tree.beianmen
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.DISPATCH).last().note.startswith("改派")


def test_extension_is_asked_before_the_deadline_and_approved(submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    services.sign_appeal(people.grid, appeal, now=T0)
    old_due = appeal.answer_due
    extension = services.request_extension(people.grid, appeal, workdays=3, reason="需等待物业配合", now=T0)
    assert appeal.extension_pending
    services.decide_extension(people.community, extension, approve=True, note="同意", now=T0 + timedelta(hours=1))
    appeal.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    # 7 days from Wed 10 Sep 2025 end on Wed 17 Sep; 3 working days more end on Mon 22 Sep.
    assert old_due.astimezone(T0.tzinfo).date().isoformat() == "2025-09-17"
    assert appeal.answer_due.astimezone(T0.tzinfo).date().isoformat() == "2025-09-22"
    assert appeal.extension_count == 1 and not appeal.extension_pending


def test_supervise_merge_and_cancel(submit, people, tree):
    first = submit()
    duplicate = submit(client_token="dup-1", now=T0 + timedelta(minutes=10))
    services.supervise_appeal(people.district, first, note="群众反映强烈，三日内办结", now=T0)
    assert first.supervised and first.supervised_by == people.district
    services.merge_appeal(people.community, duplicate, first, note="同一摊点", now=T0)
    assert duplicate.status == Status.MERGED and duplicate.merged_into == first
    assert AppealEvent.objects.filter(appeal=first, kind=EventKind.MERGED_HERE).exists()
    third = submit(client_token="dup-2", description="想撤回")
    services.cancel_appeal(people.resident, third, reason="已自行解决")
    assert third.status == Status.CANCELLED and third.closed_at is not None


def test_grid_worker_records_for_a_resident_and_the_phone_is_masked_for_a_department(
    people, catalogue, tree, departments
):
    appeal = services.create_appeal(
        people.grid,
        channel=Channel.GRID,
        category=catalogue.building,
        description="老人反映隔壁违建挡光",
        area=tree.building,
        reporter_name="王五",
        reporter_phone="13700001234",
        now=T0,
    )
    assert appeal.reporter is None and appeal.created_by == people.grid
    assert services.display_reporter(people.grid, appeal) == ("王五", "13700001234")
    services.dispatch_appeal(people.street, appeal, department=departments.xw_chengguan, now=T0)
    assert services.display_reporter(people.chengguan, appeal) == ("王*", "137****1234")


def test_coordinates_go_to_the_nearest_grid(people, catalogue, tree):
    from jiceng.areas.models import Area

    Area.objects.filter(pk=tree.grid1.pk).update(latitude="32.060000", longitude="118.800000")
    Area.objects.filter(pk=tree.grid2.pk).update(latitude="32.070000", longitude="118.800000")
    appeal = services.create_appeal(
        people.resident,
        channel=Channel.RESIDENT,
        category=catalogue.stall,
        description="路口占道",
        latitude="32.0685",
        longitude="118.8001",
        now=T0,
    )
    assert appeal.area == tree.grid2 and appeal.location_source == LocationSource.COORDINATES
    # Far from every grid centre: no guess, the city by address, dispatched by hand.
    far = services.create_appeal(
        people.resident,
        channel=Channel.RESIDENT,
        category=catalogue.stall,
        description="郊外",
        latitude="31.5",
        longitude="119.5",
        address="某路某号",
        now=T0,
    )
    assert far.area == tree.city
    suggestion = services.suggest_dispatch(far)
    assert suggestion.area is None and "人工" in suggestion.reason


def test_address_only_goes_to_the_city_and_the_district_is_suggested_when_no_unit_fits(people, catalogue, tree):
    appeal = services.create_appeal(
        people.resident,
        channel=Channel.RESIDENT,
        category=catalogue.consult,
        description="咨询政策",
        area=tree.xuanwu,
        now=T0,
    )
    suggestion = services.suggest_dispatch(appeal)
    assert suggestion.area == tree.xuanwu and "首接负责" in suggestion.reason


def test_available_actions_follow_role_and_state(submit, people, tree):
    appeal = submit()
    assert "dispatch" in available_actions(people.community, appeal)
    assert available_actions(people.grid, appeal) == []
    assert available_actions(people.resident, appeal) == ["cancel"]
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    assert "sign" in available_actions(people.grid, appeal)
    assert "sign" not in available_actions(people.grid2, appeal)
    assert "supervise" in available_actions(people.district, appeal)
    assert "supervise" not in available_actions(people.street, appeal)


def test_the_offices_above_the_assigned_unit_do_not_act_in_its_place(submit, people, tree):
    """A street that sent a request to a grid (or a community to its grid) is not offered 签收,
    申请延期 or 退单 on it, and the services refuse them: the grid does its own work; the offices
    above dispatch again (改派) and supervise."""
    appeal = submit(area=tree.meiyuan_grid)
    services.dispatch_appeal(people.street, appeal, area=tree.meiyuan_grid, now=T0)
    handling = {"sign", "extend", "return", "answer"}
    assert not handling & set(available_actions(people.street, appeal))
    assert not handling & set(available_actions(people.district, appeal))
    assert "sign" in available_actions(people.meiyuan_grid, appeal)
    with pytest.raises(PermissionDenied, match="梅园新村社区第一网格"):
        services.sign_appeal(people.street, appeal, now=T0 + timedelta(hours=1))
    services.sign_appeal(people.meiyuan_grid, appeal, now=T0 + timedelta(hours=1))
    assert not handling & set(available_actions(people.street, Appeal.objects.get(pk=appeal.pk)))
    assert "return" in available_actions(people.meiyuan_grid, Appeal.objects.get(pk=appeal.pk))


@pytest.mark.parametrize("count", [1, 3])
def test_photos_are_stored_with_the_intake(submit, count, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    photos = [SimpleUploadedFile(f"p{i}.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100) for i in range(count)]
    appeal = submit(photos=photos)
    assert appeal.photos.count() == count
    assert {p.content_type for p in appeal.photos.all()} == {"image/jpeg"}
    assert Appeal.objects.get(pk=appeal.pk).photos.first().event.kind == EventKind.CREATE
