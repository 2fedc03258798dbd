"""What of a wish's beneficiary a user sees: in full for the community's staff, masked otherwise."""

from dataclasses import dataclass

from jiceng.core.masking import mask_phone
from jiceng.core.scope import scope_for

from .permissions import BENEFICIARY_VIEW


def mask_name(value: str) -> str:
    """``王秀英`` → ``王**``: the family name only."""
    value = value or ""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


@dataclass(frozen=True)
class Beneficiary:
    name: str
    phone: str
    address: str
    full: bool


class WishPrivacy:
    """One per request: the user's scope for the full data is read once."""

    def __init__(self, user):
        self.scope = scope_for(user, BENEFICIARY_VIEW)

    def full(self, wish) -> bool:
        return self.scope.covers_any([wish.area_path, wish.beneficiary_path], ())

    def shown(self, wish) -> Beneficiary:
        if self.full(wish):
            return Beneficiary(wish.beneficiary_name, wish.beneficiary_phone, wish.beneficiary_address, True)
        return Beneficiary(
            mask_name(wish.beneficiary_name), mask_phone(wish.beneficiary_phone), "（住址仅社区可见）", False
        )
