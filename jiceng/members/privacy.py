"""Personal data of members (DOMAIN.md §11): the one place that decides what a user sees of it.

Pages, API serializers, exports and the list's search all ask :class:`MemberPrivacy`. Three
pieces of a member are personal data beyond the name: the ID number, the phone and the birth
date. A user who holds ``members.view_pii_member`` on the member sees the full birth date, and
the full ID number and phone on an explicit, audited full view (:func:`log_pii_view`); anywhere
else both are masked (:mod:`jiceng.core.masking`). A user without that right sees:

* the ID number as ``3****************4`` (its first and check characters only),
* the phone as ``138****1234``,
* the birth year only (``birth_date`` is ``None`` in the API, the export has the year),

so that nothing on a row gives back the masked digits (the year and the organisation's area are
digits 7–10 and, usually, 1–6 of the number: a mask that kept more let the whole number be
rebuilt, issue 13). Searching by ID number matches only members whose full data the user may
see (:meth:`MemberPrivacy.id_searchable`), so a guess cannot be confirmed by a search either.
Full ID numbers never go into logs, audit snapshots or timeline rows.
"""

from dataclasses import dataclass
from datetime import date

from jiceng.accounts.models import AuditLog
from jiceng.core.masking import mask_birth_date, mask_id_number, mask_phone
from jiceng.core.scope import Scope, can, scope_for

from .permissions import MEMBER_PII


def pii_visible(user, member) -> bool:
    """May ``user`` see ``member``'s full ID number, phone and birth date?"""
    return can(user, "view_pii", member)


def masked_id_number(member) -> str:
    return mask_id_number(member.id_number or "")


def masked_phone(member) -> str:
    return mask_phone(member.phone or "")


@dataclass(frozen=True)
class Shown:
    """What one user sees of one member's personal data."""

    id_number: str
    phone: str
    birth_date: date | None  # None: the user sees the year only
    birth_year: int | None
    full: bool  # the user holds the full-data right on this member

    @property
    def birth(self) -> str:
        """For a page: ``1992-03-07``, or ``1992年`` for a user who sees the year only."""
        if self.birth_date is not None:
            return f"{self.birth_date:%Y-%m-%d}"
        return f"{self.birth_year}年" if self.birth_year else ""


class MemberPrivacy:
    """One user's view of members' personal data; reads the user's scope once, so a list, an API
    page or a 560,000-row export asks it per row without a query."""

    def __init__(self, user):
        self.user = user
        self.scope: Scope = scope_for(user, MEMBER_PII)

    def holds_paths(self, area_path: str, org_path: str) -> bool:
        """The full-data right over a member given by its two paths (a row of ``values_list``)."""
        return self.scope.covers(area_path) or self.scope.covers_org(org_path)

    def holds(self, member) -> bool:
        return self.holds_paths(member.area_path, member.org_path)

    def shown(self, member, *, reveal: bool = False) -> Shown:
        """``reveal``: the caller opens an audited full view (only honoured for a holder)."""
        full = self.holds(member)
        reveal = reveal and full
        return Shown(
            id_number=member.id_number if reveal else masked_id_number(member),
            phone=member.phone if reveal else masked_phone(member),
            birth_date=member.birth_date if full else None,
            birth_year=mask_birth_date(member.birth_date),
            full=full,
        )

    @property
    def id_searchable(self) -> bool:
        """Whether searching by ID number can match anything for this user."""
        return not self.scope.empty

    def id_search_scope(self, queryset):
        """``queryset`` narrowed to the members a search by ID number may find for this user."""
        if self.scope.everywhere:
            return queryset
        if self.scope.empty:
            return queryset.none()
        return queryset.filter(queryset.scope_q(self.scope))


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
