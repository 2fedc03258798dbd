"""批量接收: the receiving branch accepts many platform-internal transfers at once.

Each ticked transfer goes through :func:`jiceng.members.services.accept_transfer`, the verb of the
single 接收 button (the receiving side's permission, the row locks, the member's move, history,
counts and audit), each on its own: a row that is refused (out of scope, no longer pending, a
letter past its date, a member whose relation changed) leaves the others done and says why. A
second submit of the same form accepts nothing twice: those rows are no longer pending.

Incoming letters from outside the platform (转入介绍信) are not accepted in bulk: accepting one
puts the person on the roster with their development dates, which are typed per person.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.members import services
from jiceng.members.models import Transfer, TransferKind

BULK_LIMIT = 50


@dataclass
class BulkResult:
    transfer_id: int
    label: str  # the letter number, or the id
    ok: bool
    message: str


def _ids(values) -> list[int]:
    wanted: list[int] = []
    for value in values:
        text = str(value).strip()
        if text.isdigit() and len(text) < 12 and int(text) not in wanted:
            wanted.append(int(text))
    return wanted[:BULK_LIMIT]


def bulk_accept(user, ids) -> list[BulkResult]:
    """接收 of each ticked transfer, one at a time, with what was done or why not."""
    wanted = _ids(ids)
    if not wanted:
        raise ValidationError("请勾选要接收的转接。")
    found = {
        t.pk: t for t in Transfer.objects.visible_to(user).select_related("member", "to_org").filter(pk__in=wanted)
    }
    results = []
    for pk in wanted:
        transfer = found.get(pk)
        if transfer is None:
            results.append(BulkResult(pk, str(pk), False, "未找到该转接，或您无权办理。"))
            continue
        label = transfer.letter_no or str(pk)
        if transfer.kind == TransferKind.INCOMING:
            text = "转入介绍信需逐人填写入党时间等信息，请打开该介绍信办理接收。"
            results.append(BulkResult(pk, label, False, text))
            continue
        try:
            services.accept_transfer(user, transfer)
        except ValidationError as exc:
            results.append(BulkResult(pk, label, False, "；".join(exc.messages)))
        except PermissionDenied as exc:
            results.append(BulkResult(pk, label, False, str(exc) or "您没有办理接收的权限。"))
        else:
            name = transfer.person_name or (transfer.member.name if transfer.member else "")
            results.append(BulkResult(pk, label, True, f"已接收，{name}转入{transfer.to_org.name}。"))
    return results
