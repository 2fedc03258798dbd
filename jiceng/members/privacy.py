"""Personal data of members (DOMAIN.md §11): the one place that decides masked or full.

Pages, API serializers and exports all call these helpers. Roles without
``members.view_pii_member`` on the member see ``110***********001X`` and ``138****1234``; holders
see the full value, and every full view they open on a page or through the API is audited with
:func:`log_pii_view`. Full ID numbers never go into logs, audit snapshots or timeline rows.
"""

from jiceng.accounts.models import AuditLog
from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.core.scope import can


def pii_visible(user, member) -> bool:
    """May ``user`` see ``member``'s full ID number and phone?"""
    return can(user, "view_pii", member)


def masked_id_number(member) -> str:
    return mask_id_number(member.id_number or "")


def masked_phone(member) -> str:
    return mask_phone(member.phone or "")


def log_pii_view(user, member, channel: str = "page") -> AuditLog:
    """Audit one full view (``view_pii``); the record names the member, never the number."""
    from jiceng.accounts.services import audit

    return audit(
        user,
        "view_pii",
        member,
        after={"channel": channel, "fields": ["id_number", "phone"]},
        area_path=member.area_path,
    )
