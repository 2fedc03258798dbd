"""The org tree's figures (members, full members, sub-orgs) from its kept counters."""

from datetime import date

from jiceng.orgs.models import Org

FIELDS = ("total_members", "total_full_members", "child_count")


def counters(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    """The counters as they are now, per org (a stock: the period does not change them)."""
    return {row["code"]: row for row in Org.objects.filter(code__in=codes).values("code", *FIELDS)}


# --------------------------------------------------------------------------- orgs by type (a stock)

TYPE_PREFIX = "orgs/type:"


def rebuild_types() -> int:
    """Active orgs by type, each counted on itself and every ancestor org and on its anchor area
    and that area's ancestors (``tallies.NodeTally``, month ``STOCK``): refreshed by the nightly
    ``tallies`` job and the ``rebuild_tallies`` command (orgs are set up and dissolved rarely)."""
    from jiceng.tallies import services as tallies
    from jiceng.tallies.models import STOCK

    rows = Org.objects.filter(is_active=True).values_list("code", "area_path", "org_type")
    return tallies.rebuild(
        TYPE_PREFIX, ((code, area, f"{TYPE_PREFIX}{org_type}", STOCK, 1) for code, area, org_type in rows.iterator())
    )


def area_types(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    from jiceng.tallies import services as tallies

    return tallies.read("areas", (TYPE_PREFIX,), codes, start, end, False)


def org_types(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    from jiceng.tallies import services as tallies

    return tallies.read("orgs", (TYPE_PREFIX,), codes, start, end, False)


# --------------------------------------------------------------------------- 组织设置检查 findings (a stock)

FINDINGS_PREFIX = "orgs/findings:"
COUNTED_SEVERITIES = ("error", "warning")  # 需整改, 提醒 (建议 are not counted)


def _finding_place(finding) -> tuple[str, str]:
    """(org path, area path) a finding is counted under: its org (for a resident unit or a grid,
    the territorial org that answers for it) in the org tree; in the area tree the unit's or grid's
    own area, else the org's anchor area."""
    org_path = finding.org.code if finding.org is not None else ""
    if finding.unit is not None:
        area_path = finding.unit.area_path
    elif finding.area is not None:
        area_path = finding.area.code
    else:
        area_path = finding.org.area_path if finding.org is not None else ""
    return org_path, area_path


def rebuild_findings(today: date | None = None) -> int:
    """Run 组织设置检查 once over the whole city (every active org, resident unit and grid: the
    same rules as the 组织设置检查 page, ``orgs.checks.run_checks``) and store the findings by
    severity per node, rolled up along both trees (``tallies.NodeTally``, month ``STOCK``).

    A maintained aggregate for the metrics 组织设置需整改/提醒: the dashboards read these counters
    and never run the checks on a request. Refreshed by the nightly ``tallies`` job and the
    ``rebuild_tallies`` command, so the figures are as of the last run (docs/metrics.md); the
    组织设置检查 page itself always computes the findings live.
    """
    from jiceng.areas.models import Area
    from jiceng.orgs.checks import run_checks
    from jiceng.orgs.models import ResidentUnit
    from jiceng.tallies import services as tallies
    from jiceng.tallies.models import STOCK

    findings = run_checks(
        Org.objects.filter(is_active=True),
        units_queryset=ResidentUnit.objects.all(),
        areas_queryset=Area.objects.all(),
        today=today,
    )
    changes = (
        (*_finding_place(f), f"{FINDINGS_PREFIX}{f.severity}", STOCK, 1)
        for f in findings
        if f.severity in COUNTED_SEVERITIES
    )
    return tallies.rebuild(FINDINGS_PREFIX, changes)


def area_findings(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    from jiceng.tallies import services as tallies

    return tallies.read("areas", (FINDINGS_PREFIX,), codes, start, end, False)


def org_findings(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    from jiceng.tallies import services as tallies

    return tallies.read("orgs", (FINDINGS_PREFIX,), codes, start, end, False)


def findings_url(code: str, start: date, end: date) -> str:
    """The org's 组织设置检查 page (live findings of the org and everything below it)."""
    from django.urls import reverse

    return reverse("orgs:org_checks", args=[code])
