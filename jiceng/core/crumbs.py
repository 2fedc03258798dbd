"""Breadcrumbs above a page's title (base.html): a list of crumbs, the page itself last.

An area is a crumb as it is (its ``code`` makes the link); anything else is a :class:`Crumb` with
its own URL. Each view builds its list from what the user may see, so a crumb never names a node
outside the user's scope.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str = ""
