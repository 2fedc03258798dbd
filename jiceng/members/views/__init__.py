"""Member pages: roster list, member page with history and actions, pipeline board, dues
ledger, transfers. Every read goes through ``visible_to`` / ``get_*_for_user`` (404 outside
scope); every write through :mod:`jiceng.members.services`."""

from .branches import dues_home, dues_ledger, pipeline_board, pipeline_home
from .printing import dues_list_pdf, member_sheet_pdf, transfer_letter_pdf
from .roster import (
    member_add,
    member_advance,
    member_branch_vote,
    member_detail,
    member_dues,
    member_edit,
    member_exit,
    member_extend,
    member_list,
    member_pii,
    member_transfer,
)
from .transfers import (
    transfer_accept,
    transfer_bulk_accept,
    transfer_cancel,
    transfer_detail,
    transfer_incoming_add,
    transfer_list,
    transfer_org_search,
    transfer_receipt,
    transfer_reject,
)

__all__ = [
    "dues_home",
    "dues_ledger",
    "dues_list_pdf",
    "member_add",
    "member_advance",
    "member_branch_vote",
    "member_detail",
    "member_dues",
    "member_edit",
    "member_exit",
    "member_extend",
    "member_list",
    "member_pii",
    "member_sheet_pdf",
    "member_transfer",
    "pipeline_board",
    "pipeline_home",
    "transfer_accept",
    "transfer_bulk_accept",
    "transfer_cancel",
    "transfer_detail",
    "transfer_incoming_add",
    "transfer_letter_pdf",
    "transfer_list",
    "transfer_org_search",
    "transfer_receipt",
    "transfer_reject",
]
