"""Every write to the roster: members, stages, transfers, dues. Each in a transaction, audited,
with a timeline row (MemberEvent). Full ID numbers never reach the audit log or the timeline.

``actor`` is the user doing it; ``None`` means the system (scheduled jobs, imports), which skips
the side checks that say which side of a transfer may act.
"""

from jiceng.members.rules import add_months

from .common import AUDIT_FIELDS, MemberError, normalise_id_number
from .members import (
    advance_member,
    create_member,
    eligible_voters,
    exit_member,
    extend_probation,
    record_branch_vote,
    update_member,
)
from .payments import arrears_list, arrears_q, dues_from, record_payment, set_dues
from .transfers import (
    accept_transfer,
    cancel_transfer,
    expire_transfers,
    issue_outgoing,
    letter_valid_until,
    record_receipt,
    register_incoming,
    reject_transfer,
    request_transfer,
)

__all__ = [
    "AUDIT_FIELDS",
    "MemberError",
    "accept_transfer",
    "add_months",
    "advance_member",
    "arrears_list",
    "arrears_q",
    "cancel_transfer",
    "create_member",
    "dues_from",
    "eligible_voters",
    "exit_member",
    "expire_transfers",
    "extend_probation",
    "issue_outgoing",
    "letter_valid_until",
    "normalise_id_number",
    "record_branch_vote",
    "record_payment",
    "record_receipt",
    "register_incoming",
    "reject_transfer",
    "request_transfer",
    "set_dues",
    "update_member",
]
