"""Writes: ID checks, the pipeline through the services, transfers (atomic, history), dues."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.core.models import Rule
from jiceng.core.rules import forget_rule
from jiceng.members import services
from jiceng.members.models import DuesPayment, Member, MemberEvent, Status, Transfer, TransferKind, TransferStatus
from jiceng.members.services import MemberError

from .conftest import make_id

pytestmark = pytest.mark.django_db


def errors_of(exc_info) -> str:
    exc = exc_info.value
    return " ".join(m for msgs in getattr(exc, "message_dict", {"": exc.messages}).values() for m in msgs)


# --- ID numbers -------------------------------------------------------------------------------


def test_id_with_lowercase_x_is_normalised(make_member):
    member = make_member(id_number="11010519800109001x", birth=date(1980, 1, 9))
    assert member.id_number == "11010519800109001X"
    assert member.id_last4 == "001X"
    assert member.gender == "M"
    assert member.birth_date == date(1980, 1, 9)


def test_id_with_uppercase_x(make_member):
    assert make_member(id_number="11010519491231002X").gender == "F"


def test_bad_check_digit(make_member):
    with pytest.raises(MemberError) as exc:
        make_member(id_number="110105194912310021")
    assert "校验码错误" in errors_of(exc)


def test_bad_birth_date(make_member):
    with pytest.raises(MemberError) as exc:
        make_member(id_number="110105198002300011")
    assert "出生日期" in errors_of(exc)


def test_fifteen_digit_upgraded(make_member):
    member = make_member(id_number="110105800109001")
    assert member.id_number == "11010519800109001X"
    assert member.birth_date == date(1980, 1, 9)


def test_gender_and_birth_must_match(orgs):
    kwargs = {
        "org": orgs.branch1,
        "name": "张三",
        "id_number": "11010519800109001X",
        "status": Status.APPLICANT,
        "application_date": date(2024, 1, 1),
    }
    with pytest.raises(MemberError) as exc:
        services.create_member(None, gender="F", **kwargs)
    assert "性别与身份证号不符" in errors_of(exc)
    with pytest.raises(MemberError) as exc:
        services.create_member(None, birth_date=date(1980, 1, 10), **kwargs)
    assert "出生日期与身份证号不符" in errors_of(exc)
    assert services.create_member(None, gender="M", birth_date=date(1980, 1, 9), **kwargs).pk


def test_duplicate_refused_including_15_digit_form(make_member):
    make_member(id_number="11010519800109001X")
    with pytest.raises(MemberError) as exc:
        make_member(id_number="110105800109001")
    assert "组织关系转接" in errors_of(exc)
    assert Member.objects.count() == 1


def test_full_id_never_in_audit_or_timeline(make_member):
    member = make_member(id_number="11010519800109001X", phone="13812341234")
    logs = AuditLog.objects.filter(object_type="members.member", object_id=str(member.pk))
    text = " ".join(str(log.before) + str(log.after) + log.object_repr for log in logs)
    text += " ".join(e.summary for e in member.events.all())
    assert "11010519800109001X" not in text
    assert "1****************X" in text
    assert "13812341234" not in text


def test_member_must_be_in_a_branch(orgs):
    with pytest.raises(MemberError) as exc:
        services.create_member(
            None, org=orgs.beianmen, name="李四", id_number=make_id(), application_date=date(2024, 1, 1)
        )
    assert "党支部" in errors_of(exc)


def test_paths_set_from_org_and_residence(make_member, orgs, tree):
    member = make_member(residence=tree.building)
    assert member.org_path == orgs.branch1.code
    assert member.area_path == tree.grid1.code
    assert member.residence_path == tree.building.code


def test_create_rejects_inconsistent_record(orgs):
    with pytest.raises(MemberError) as exc:
        services.create_member(
            None,
            org=orgs.branch1,
            name="王五",
            id_number=make_id(),
            status=Status.FULL,
            application_date=date(2024, 1, 1),
        )
    assert "缺少" in errors_of(exc)


def test_mobile_member_needs_place_and_date(make_member):
    with pytest.raises(MemberError):
        make_member(is_mobile=True)
    member = make_member(is_mobile=True, mobile_place="上海市浦东新区", mobile_since=date(2024, 5, 1))
    assert member.is_mobile


def test_update_member_writes_history(make_member, users):
    member = make_member(name="赵六")
    services.update_member(users.community, member, phone="13900001111", is_center_household=True)
    event = member.events.first()
    assert event.kind == "update" and "手机号" in event.summary and "13900001111" not in event.summary
    with pytest.raises(MemberError):
        services.update_member(users.community, member, status=Status.DECEASED)
    with pytest.raises(MemberError):
        services.update_member(users.community, member, id_number="110105194912310021")


# --- the pipeline through the services -------------------------------------------------------


def test_whole_pipeline(make_member, orgs, users):
    intro1, intro2 = make_member(), make_member()
    probationary = make_member(status=Status.PROBATIONARY)
    person = make_member(status=Status.APPLICANT, application_date=date(2022, 1, 10), name="钱七")
    actor = users.community

    with pytest.raises(MemberError) as exc:
        services.advance_member(actor, person, Status.CANDIDATE, date(2022, 3, 1))
    assert "不能跳过程序" in errors_of(exc)

    services.advance_member(actor, person, Status.ACTIVIST, date(2022, 3, 1), talk_date=date(2022, 2, 10))
    with pytest.raises(MemberError) as exc:
        services.advance_member(actor, person, Status.CANDIDATE, date(2023, 2, 28))
    assert "1年以上" in errors_of(exc)
    services.advance_member(actor, person, Status.CANDIDATE, date(2023, 3, 1))

    # The branch meeting: a probationary member may not introduce, and does not vote.
    with pytest.raises(MemberError) as exc:
        services.record_branch_vote(
            actor, person, date(2023, 6, 1), introducers=[intro1, probationary], training_hours=24
        )
    assert "不是正式党员" in errors_of(exc)
    with pytest.raises(MemberError) as exc:
        services.record_branch_vote(actor, person, date(2023, 6, 1), introducers=[intro1, intro2], training_hours=23)
    assert "24学时" in errors_of(exc)
    # Full members on the branch: intro1, intro2 → 2 voters; 4 votes cannot come from them.
    with pytest.raises(MemberError) as exc:
        services.record_branch_vote(
            actor, person, date(2023, 6, 1), introducers=[intro1, intro2], training_hours=24, votes_for=3
        )
    assert "预备党员没有表决权" in errors_of(exc)
    services.record_branch_vote(
        actor, person, date(2023, 6, 1), introducers=[intro1, intro2], training_hours=24, votes_for=2
    )

    with pytest.raises(MemberError) as exc:
        services.advance_member(actor, person, Status.PROBATIONARY, date(2023, 9, 2))
    assert "3个月内" in errors_of(exc)
    services.advance_member(actor, person, Status.PROBATIONARY, date(2023, 9, 1))
    person.refresh_from_db()
    assert person.status == Status.PROBATIONARY
    assert set(person.introducers.all()) == {intro1, intro2}

    with pytest.raises(MemberError):
        services.advance_member(actor, person, Status.FULL, date(2024, 5, 31))
    services.extend_probation(actor, person, date(2024, 12, 1), reason="需继续考察")
    with pytest.raises(MemberError) as exc:
        services.extend_probation(actor, person, date(2025, 3, 1))
    assert "只能延长一次" in errors_of(exc)
    with pytest.raises(MemberError):
        services.advance_member(actor, person, Status.FULL, date(2024, 11, 30))
    services.advance_member(actor, person, Status.FULL, date(2024, 12, 1))
    person.refresh_from_db()
    assert person.status == Status.FULL and person.full_member_date == date(2024, 12, 1)
    kinds = list(person.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["create", "advance", "advance", "branch_vote", "advance", "extend_probation", "advance"]
    orgs.branch1.refresh_from_db()
    assert orgs.branch1.full_members == 3 and orgs.branch1.probationary_members == 1


def test_exit_updates_counts_and_cancels_pending_transfer(make_member, orgs, users):
    member = make_member()
    services.request_transfer(users.community, member, orgs.branch2)
    orgs.branch1.refresh_from_db()
    assert orgs.branch1.full_members == 1
    services.exit_member(users.community, member, Status.DECEASED, date(2025, 1, 5))
    orgs.branch1.refresh_from_db()
    assert orgs.branch1.full_members == 0
    assert Transfer.objects.get().status == TransferStatus.CANCELLED
    with pytest.raises(MemberError):
        services.advance_member(users.community, member, Status.FULL, date(2025, 2, 1))


# --- internal transfers -----------------------------------------------------------------------


@pytest.fixture
def moved(make_member, orgs, users):
    member = make_member(name="孙八")
    transfer = services.request_transfer(users.community, member, orgs.gongyuan_branch, reason="搬家")
    return member, transfer


def test_internal_transfer_needs_receiving_side(moved, users, orgs, tree):
    member, transfer = moved
    assert transfer.status == TransferStatus.PENDING
    assert transfer.valid_until == services.add_months(transfer.issued_on, 3)
    # The sending community cannot accept on the receiver's behalf.
    with pytest.raises(PermissionDenied):
        services.accept_transfer(users.community, transfer)
    member.refresh_from_db()
    assert member.org_id == orgs.branch1.pk
    services.accept_transfer(users.other_community, transfer)
    member.refresh_from_db()
    assert member.org_id == orgs.gongyuan_branch.pk
    assert member.org_path == orgs.gongyuan_branch.code and member.area_path == tree.gongyuan.code
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED and transfer.receipt_no
    event = member.events.filter(kind="transfer_in").get()
    assert (event.from_org_id, event.to_org_id) == (orgs.branch1.pk, orgs.gongyuan_branch.pk)
    orgs.branch1.refresh_from_db()
    orgs.gongyuan_branch.refresh_from_db()
    orgs.beianmen.refresh_from_db()
    assert (orgs.branch1.full_members, orgs.gongyuan_branch.full_members) == (0, 1)
    assert orgs.beianmen.total_members == 0
    with pytest.raises(MemberError):
        services.accept_transfer(users.other_community, transfer)


def test_internal_transfer_is_atomic(moved, users, orgs):
    member, transfer = moved
    with (
        mock.patch("jiceng.members.services.transfers._refresh_counts", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        services.accept_transfer(users.other_community, transfer)
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.org_id == orgs.branch1.pk and member.org_path == orgs.branch1.code
    assert transfer.status == TransferStatus.PENDING
    assert not member.events.filter(kind="transfer_in").exists()
    assert not AuditLog.objects.filter(action="accept_transfer").exists()


def test_reject_and_cancel(moved, users, make_member, orgs):
    member, transfer = moved
    with pytest.raises(MemberError):
        services.reject_transfer(users.other_community, transfer, "")
    with pytest.raises(PermissionDenied):
        services.reject_transfer(users.community, transfer, "不属于本社区")
    services.reject_transfer(users.other_community, transfer, "地址不符")
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert transfer.status == TransferStatus.REJECTED and member.org_id == orgs.branch1.pk
    again = services.request_transfer(users.community, member, orgs.branch2)
    with pytest.raises(MemberError):
        services.request_transfer(users.community, member, orgs.gongyuan_branch)  # one pending at a time
    with pytest.raises(PermissionDenied):
        services.cancel_transfer(users.other_community, again)
    services.cancel_transfer(users.community, again)
    assert Transfer.objects.get(pk=again.pk).status == TransferStatus.CANCELLED


def test_branch_secretary_by_org_grant(make_member, orgs, secretary, users):
    member = make_member()
    transfer = services.request_transfer(secretary, member, orgs.branch2)
    # The secretary of branch1 cannot accept for branch2; the community (area grant) can.
    with pytest.raises(PermissionDenied):
        services.accept_transfer(secretary, transfer)
    services.accept_transfer(users.community, transfer)


def test_transfer_refused_for_applicants_and_same_org(make_member, orgs, users):
    with pytest.raises(MemberError):
        services.request_transfer(users.community, make_member(status=Status.APPLICANT), orgs.branch2)
    with pytest.raises(MemberError):
        services.request_transfer(users.community, make_member(), orgs.branch1)


def test_expired_letter_cannot_be_accepted(moved, users):
    member, transfer = moved
    with pytest.raises(MemberError) as exc:
        services.accept_transfer(users.other_community, transfer, on_date=transfer.valid_until + timedelta(days=1))
    assert "过期" in errors_of(exc)
    assert services.expire_transfers(transfer.valid_until) == 0
    assert services.expire_transfers(transfer.valid_until + timedelta(days=1)) == 1
    assert services.expire_transfers(transfer.valid_until + timedelta(days=1)) == 0  # idempotent
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.EXPIRED
    assert member.events.filter(kind="transfer_expired").exists()


def test_expiry_task():
    from jiceng.members.tasks import expire_transfer_letters

    assert expire_transfer_letters.call() == 0


# --- out of and into the platform ------------------------------------------------------------


def test_outgoing_letter_and_receipt(make_member, orgs, users):
    member = make_member()
    today = timezone.localdate()
    transfer = services.issue_outgoing(
        users.community, member, external_org_name="中共上海市某某支部", letter_no="苏组转〔2025〕001号"
    )
    assert transfer.kind == TransferKind.OUTGOING and transfer.valid_until == services.add_months(today, 3)
    cross = make_member()
    letter = services.issue_outgoing(
        users.community, cross, external_org_name="北京某支部", letter_no="002", cross_province=True
    )
    assert letter.valid_until == services.add_months(today, 6)
    with pytest.raises(MemberError):
        services.record_receipt(users.community, transfer, receipt_no="", received_on=today)
    with pytest.raises(MemberError):
        services.record_receipt(
            users.community, transfer, receipt_no="R1", received_on=transfer.valid_until + timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        services.record_receipt(users.other_community, transfer, receipt_no="R1", received_on=today)
    services.record_receipt(users.community, transfer, receipt_no="R1", received_on=today)
    member.refresh_from_db()
    assert member.left_on == today
    orgs.branch1.refresh_from_db()
    assert orgs.branch1.full_members == 1  # only ``cross`` is still held
    assert member.events.filter(kind="transfer_out").exists()


def test_incoming_letter_accepted_creates_member(orgs, users):
    number = make_id(date(1985, 3, 3))
    transfer = services.register_incoming(
        users.community,
        orgs.branch1,
        person_name="周九",
        person_id_number=number.lower(),
        external_org_name="中共苏州市某某支部",
        letter_no="苏组转〔2025〕088号",
        issued_on=timezone.localdate(),
    )
    assert transfer.person_id_number == number
    with pytest.raises(PermissionDenied):
        services.accept_transfer(users.other_community, transfer)
    services.accept_transfer(
        users.community,
        transfer,
        status=Status.FULL,
        application_date=date(2010, 1, 1),
        activist_date=date(2010, 3, 1),
        candidate_date=date(2011, 3, 1),
        admission_date=date(2011, 6, 1),
        approval_date=date(2011, 7, 1),
        full_member_date=date(2012, 6, 1),
        phone="13812341234",
    )
    member = Member.objects.get(id_number=number)
    assert member.org_id == orgs.branch1.pk and member.events.get().kind == "transfer_in"
    transfer.refresh_from_db()
    assert transfer.member_id == member.pk and transfer.status == TransferStatus.ACCEPTED
    # Already on the platform: an incoming letter for the same person is refused.
    with pytest.raises(MemberError):
        services.register_incoming(
            users.community,
            orgs.branch2,
            person_name="周九",
            person_id_number=number,
            external_org_name="x",
            letter_no="y",
            issued_on=timezone.localdate(),
        )


def test_incoming_refuses_bad_id_and_expired_letter(orgs, users):
    with pytest.raises(MemberError) as exc:
        services.register_incoming(
            users.community,
            orgs.branch1,
            person_name="吴十",
            person_id_number="110105194912310021",
            external_org_name="x",
            letter_no="y",
            issued_on=date(2020, 1, 1),
        )
    text = errors_of(exc)
    assert "校验码" in text and "过期" in text


def test_incoming_failure_leaves_nothing(orgs, users):
    transfer = services.register_incoming(
        users.community,
        orgs.branch1,
        person_name="郑十一",
        person_id_number=make_id(date(1990, 2, 2)),
        external_org_name="x",
        letter_no="y",
        issued_on=timezone.localdate(),
    )
    with pytest.raises(MemberError):
        services.accept_transfer(users.community, transfer, status=Status.FULL)  # dates missing
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING and not Member.objects.exists()


# --- dues -------------------------------------------------------------------------------------


def test_record_payment_once_per_month(make_member, users):
    member = make_member()
    first = services.record_payment(users.community, member, "2025-03", "50.00", paid_on=date(2025, 3, 5))
    again = services.record_payment(users.community, member, date(2025, 3, 20), Decimal("50"), paid_on=date(2025, 3, 5))
    assert first.pk == again.pk and DuesPayment.objects.count() == 1
    with pytest.raises(MemberError):
        services.record_payment(users.community, member, "2025-03", "60.00")
    with pytest.raises(MemberError):
        services.record_payment(users.community, member, "2025-04", "0")
    member.refresh_from_db()
    assert member.dues_paid_through == date(2025, 3, 1)
    assert MemberEvent.objects.filter(member=member, kind="dues").count() == 1


def test_no_dues_before_admission_or_for_applicants(make_member, users):
    with pytest.raises(MemberError):
        services.record_payment(users.community, make_member(status=Status.APPLICANT), "2025-03", "1")
    with pytest.raises(MemberError):
        services.record_payment(users.community, make_member(), "2016-08", "1")  # admitted 2016-09-01


def test_set_dues_and_arrears(make_member, users):
    member = make_member()
    services.set_dues(users.community, member, category="employed", base="5001")
    assert "75.02" in member.events.first().summary
    with pytest.raises(MemberError):
        services.set_dues(users.community, member, base="-1")
    today = date(2025, 7, 15)
    services.record_payment(users.community, member, "2025-01", "75.02", paid_on=date(2025, 1, 5))
    current = make_member()
    services.record_payment(users.community, current, "2025-02", "1", paid_on=date(2025, 2, 5))
    make_member(status=Status.APPLICANT)
    in_arrears = list(services.arrears_list(Member.objects.all(), today))
    assert member not in in_arrears and current not in in_arrears  # 5 and 4 months unpaid
    late = make_member()
    services.record_payment(users.community, late, "2024-12", "1", paid_on=date(2024, 12, 5))
    never = make_member()  # admitted 2016, never paid
    assert set(services.arrears_list(Member.objects.all(), today)) == {late, never}


# --- tree moves rewrite the denormalised paths --------------------------------------------------


def test_org_move_rewrites_member_and_transfer_paths(make_member, orgs, users):
    from jiceng.orgs.services import move_org

    member = make_member()
    transfer = services.request_transfer(users.community, member, orgs.branch2)
    move_org(None, orgs.branch1, orgs.gongyuan)
    orgs.branch1.refresh_from_db()
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.org_path == orgs.branch1.code and orgs.branch1.code.startswith(orgs.gongyuan.code)
    assert transfer.from_org_path == orgs.branch1.code


def test_area_move_rewrites_member_paths(make_member, tree):
    from jiceng.areas.services import move_area

    member = make_member(residence=tree.building)
    move_area(None, tree.grid1, tree.meiyuan_cm)
    tree.grid1.refresh_from_db()
    tree.building.refresh_from_db()
    member.refresh_from_db()
    assert member.area_path == tree.grid1.code
    assert member.residence_path == tree.building.code


# --- dues exceptions (DOMAIN.md §3) ---------------------------------------------------------------


@pytest.mark.parametrize(("month", "needs_reason"), [("2025-01", False), ("2024-12", True)])
def test_back_payment_beyond_six_months_needs_a_reason(make_member, users, month, needs_reason):
    member = make_member()
    paid_on = date(2025, 7, 15)  # 2025-01 is six months back, 2024-12 seven
    if needs_reason:
        with pytest.raises(MemberError) as exc:
            services.record_payment(users.community, member, month, "1", paid_on=paid_on)
        assert exc.value.message_dict == {
            "note": ["补交2024年12月党费超过6个月（补交一般不超过6个月），请在“说明”中写明原因"]
        }
        assert not DuesPayment.objects.exists()
    payment = services.record_payment(users.community, member, month, "1", paid_on=paid_on, note="外出务工，返回后补交")
    assert payment.note == "外出务工，返回后补交"
    assert "外出务工" in member.events.filter(kind="dues").get().summary


def test_an_amount_other_than_the_one_due_needs_a_reason(make_member, users):
    member = make_member()
    services.set_dues(users.community, member, category="employed", base="5400")  # 81.00 a month
    services.record_payment(users.community, member, "2025-03", "81.00", paid_on=date(2025, 3, 5))
    with pytest.raises(MemberError) as exc:
        services.record_payment(users.community, member, "2025-04", "80.00", paid_on=date(2025, 4, 5))
    assert exc.value.message_dict == {"note": ["金额80.00元与每月应交81.00元不符，请在“说明”中写明原因"]}
    with pytest.raises(MemberError):
        services.record_payment(users.community, member, "2025-04", "80.00", paid_on=date(2025, 4, 5), note="  ")
    payment = services.record_payment(
        users.community, member, "2025-04", "80.00", paid_on=date(2025, 4, 5), note="4月起基数调整"
    )
    assert payment.amount == Decimal("80.00") and payment.note == "4月起基数调整"


def test_prepayment_cap_is_a_rule(make_member, users):
    member = make_member()
    paid_on = date(2025, 3, 5)
    services.record_payment(users.community, member, "2026-03", "1", paid_on=paid_on)  # 12 months ahead
    with pytest.raises(MemberError) as exc:
        services.record_payment(users.community, member, "2026-04", "1", paid_on=paid_on)
    assert exc.value.message_dict == {"month": ["预交党费一般不超过12个月"]}
    Rule.objects.create(key="members.dues.prepay_max_months", value=3)
    forget_rule("members.dues.prepay_max_months")
    with pytest.raises(MemberError) as exc:
        services.record_payment(users.community, member, "2025-07", "1", paid_on=paid_on)
    assert exc.value.message_dict == {"month": ["预交党费一般不超过3个月"]}
    services.record_payment(users.community, member, "2025-06", "1", paid_on=paid_on)
