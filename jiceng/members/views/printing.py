"""Printed documents of the members' app (A4 PDF through :mod:`jiceng.core.pdf`):
党员信息表, 组织关系介绍信 with its 回执, and a branch's 党费收缴清单 for one month.

Each reads through the same scope helpers as its page, and each masks what the page masks: the
full ID number and phone are printed only for a holder of the personal-data permission, and that
print is audited like a full view on the page.
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from jiceng.core.masking import mask_id_number
from jiceng.core.pdf import pdf_response
from jiceng.core.scope import holds
from jiceng.members import dues as dues_rules
from jiceng.members.history import member_history
from jiceng.members.models import PARTY_MEMBER_STATUSES, DuesPayment, Member, Status, get_member_for_user
from jiceng.members.permissions import DUES_VIEW, MEMBER_PII
from jiceng.members.privacy import log_pii_view, masked_id_number, masked_phone, pii_visible

from .branches import _get_branch
from .common import _today
from .transfers import _get_transfer

HISTORY_LIMIT = 60
ZERO = Decimal("0.00")
TRANSFER_LIMIT = 20


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _personal(user, member: Member, channel: str) -> dict:
    """ID number, phone and birth as ``user`` may print them (a full print is audited)."""
    if pii_visible(user, member):
        log_pii_view(user, member, channel)
        return {
            "id_text": member.id_number,
            "phone_text": member.phone,
            "birth_text": member.birth_date.strftime("%Y-%m"),
        }
    return {
        "id_text": masked_id_number(member),
        "phone_text": masked_phone(member),
        "birth_text": f"{member.birth_date.year} 年",
    }


@login_required
@require_GET
def member_sheet_pdf(request, pk):
    """党员信息表 of one member."""
    member = get_member_for_user(request.user, pk)
    context = {
        "member": member,
        "introducers": list(member.introducers.all()),
        "transfers": list(member.transfers.select_related("from_org", "to_org")[:TRANSFER_LIMIT]),
        "events": member_history(member, HISTORY_LIMIT),
        "monthly_dues": dues_rules.monthly_dues(member.dues_category, member.dues_base),
        **_personal(request.user, member, "print"),
    }
    return pdf_response(request, "print/member_sheet.html", context, f"党员信息表-{member.name}.pdf")


STATUS_TEXT = {Status.FULL: "正式党员", Status.PROBATIONARY: "预备党员"}


@login_required
@require_GET
def transfer_letter_pdf(request, pk):
    """组织关系介绍信 with its 回执 (cut along the dashed line)."""
    transfer = _get_transfer(request.user, pk)
    member = transfer.member
    context = {
        "transfer": transfer,
        "member": member,
        "from_name": transfer.from_org.name if transfer.from_org else transfer.external_org_name,
        "to_name": transfer.to_org.name if transfer.to_org else transfer.external_org_name,
    }
    if member is not None:
        context.update(_personal(request.user, member, "print"))
        context["age"] = _age(member.birth_date, transfer.issued_on)
        context["status_text"] = STATUS_TEXT.get(member.status, "")
    elif holds(request.user, MEMBER_PII, areas=[transfer.area_path], orgs=[transfer.org_path]):
        context["id_text"] = transfer.person_id_number
    else:
        context["id_text"] = mask_id_number(transfer.person_id_number) if transfer.person_id_number else ""
    letter = transfer.letter_no or str(transfer.pk)
    return pdf_response(request, "print/transfer_letter.html", context, f"组织关系介绍信-{letter}.pdf")


def _month_param(value: str | None, today: date) -> date:
    """``2026-11`` → 2026-11-01; a missing or invalid value is this month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


@login_required
@require_GET
def dues_list_pdf(request, code):
    """党费收缴清单 of a branch for one month (``?month=2026-11``)."""
    user = request.user
    org = _get_branch(user, code, DUES_VIEW)
    month = _month_param(request.GET.get("month"), _today())
    members = list(
        Member.objects.visible_to(user)
        .filter(org=org, left_on__isnull=True, status__in=list(PARTY_MEMBER_STATUSES))
        .order_by("name", "id")
    )
    payments = {
        member_id: (amount, paid_on)
        for member_id, amount, paid_on in DuesPayment.objects.filter(
            member__in=[m.pk for m in members], month=month
        ).values_list("member_id", "amount", "paid_on")
    }
    rows = []
    for member in members:
        paid, paid_on = payments.get(member.pk, (None, None))
        expected = dues_rules.monthly_dues(member.dues_category, member.dues_base)
        rows.append({"member": member, "expected": expected, "paid": paid, "paid_on": paid_on})
    context = {
        "org": org,
        "month": month,
        "rows": rows,
        "paid_count": sum(1 for row in rows if row["paid"] is not None),
        "expected_total": sum((row["expected"] for row in rows), start=ZERO),
        "paid_total": sum((row["paid"] for row in rows if row["paid"] is not None), start=ZERO),
    }
    return pdf_response(request, "print/dues_list.html", context, f"党费收缴清单-{org.name}-{month:%Y-%m}.pdf")
