"""The catalogue's writes moved to :mod:`jiceng.appeals.services.catalogue`; this path stays for the
demo generator and the browser tests, which import ``create_category`` from here."""

from jiceng.appeals.services.catalogue import create_category, update_category

__all__ = ["create_category", "update_category"]
