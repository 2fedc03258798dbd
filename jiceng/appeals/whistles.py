"""The 吹哨报到 services moved to :mod:`jiceng.appeals.services.whistles`; this path stays for the demo
generator, which imports ``report_minutes`` from here."""

from jiceng.appeals.services.whistles import WHISTLE_LEVELS, report_minutes

__all__ = ["WHISTLE_LEVELS", "report_minutes"]
