"""组织设置需整改/提醒 as metrics (issue 12): counts of the 组织设置检查 findings by severity,
rolled up along both trees from a maintained aggregate (written by the nightly ``tallies`` job,
``orgs.metrics.rebuild_findings``), equal to an independent run of the checks per node, and never
computed on a dashboard request."""

import pytest
from django.utils import timezone

from jiceng.core.metrics import Period, figures
from jiceng.core.paths import is_in_subtree
from jiceng.core.registry import metrics
from jiceng.members.models import Status
from jiceng.orgs import services
from jiceng.orgs.checks import checks_for_org_subtree, summarize
from jiceng.orgs.metrics import rebuild_findings
from jiceng.orgs.models import UnitKind

from .conftest import make_members

pytestmark = pytest.mark.django_db
FIGURES = "/api/v1/metrics/figures/"


@pytest.fixture
def findings(orgtree, tree):
    """Branches with too few full members, a resident unit that must set up an org (需整改) …"""
    unit = services.create_resident_unit(
        None, name="玄武区某科技公司", kind=UnitKind.PRIVATE_ENTERPRISE, area=tree.grid1
    )
    make_members(orgtree.grid1, 3, unit=unit)
    make_members(orgtree.grid2, 2)
    make_members(orgtree.gongyuan_branch, 4, Status.PROBATIONARY)
    rebuild_findings()
    return unit


def _place(finding) -> str:
    if finding.unit is not None:
        return finding.unit.area_path
    if finding.area is not None:
        return finding.area.code
    return finding.org.area_path


def test_findings_metrics_equal_an_independent_run_of_the_checks_on_sample_nodes(findings, orgtree, tree):
    period = Period.month_of(timezone.localdate())
    org_metrics = [metrics()["orgs.org.findings_error"], metrics()["orgs.org.findings_warning"]]
    sample = [orgtree.city, orgtree.xuanwu, orgtree.meiyuan, orgtree.beianmen, orgtree.grid1, orgtree.gongyuan]
    got = figures(org_metrics, [o.code for o in sample], period)
    nonzero = 0
    for org in sample:
        expected = summarize(checks_for_org_subtree(org))
        assert got[org.code]["orgs.org.findings_error"] == expected["error"], org.name
        assert got[org.code]["orgs.org.findings_warning"] == expected["warning"], org.name
        nonzero += expected["error"] > 0
    assert nonzero >= 3  # the sample is not all zeros
    # The area tree: every finding of the city counted under the area it is in, and its ancestors.
    everything = checks_for_org_subtree(orgtree.city)
    area_metrics = [metrics()["orgs.area.findings_error"], metrics()["orgs.area.findings_warning"]]
    areas = [tree.city, tree.xuanwu, tree.meiyuan, tree.beianmen, tree.grid1, tree.grid2, tree.gongyuan]
    got = figures(area_metrics, [a.code for a in areas], period)
    for area in areas:
        inside = [f for f in everything if is_in_subtree(_place(f), area.code)]
        for severity in ("error", "warning"):
            expected = sum(f.severity == severity for f in inside)
            assert got[area.code][f"orgs.area.findings_{severity}"] == expected, (area.name, severity)
    unit_row = [f for f in everything if f.unit is not None]
    assert unit_row and got[tree.grid1.code]["orgs.area.findings_error"] >= 1


def test_the_figures_are_as_of_the_last_run_and_never_computed_on_request(
    findings, orgtree, tree, org_users, api_client, monkeypatch
):
    api_client.force_authenticate(org_users.community)
    before = api_client.get(FIGURES, {"tree": "orgs", "node": orgtree.beianmen.code}).json()["figures"]
    assert before["orgs.org.findings_error"] == summarize(checks_for_org_subtree(orgtree.beianmen))["error"] > 0
    # A second unit without an org (应建未建): the live checks see it at once, the figure at the next run.
    other = services.create_resident_unit(
        None, name="玄武区某物业公司", kind=UnitKind.PRIVATE_ENTERPRISE, area=tree.grid2
    )
    make_members(orgtree.grid2, 3, unit=other)
    live = summarize(checks_for_org_subtree(orgtree.beianmen))
    assert live["error"] == before["orgs.org.findings_error"] + 1

    def refuse(*args, **kwargs):
        raise AssertionError("a dashboard must not run the checks")

    monkeypatch.setattr("jiceng.orgs.checks.run_checks", refuse)
    stale = api_client.get(FIGURES, {"tree": "orgs", "node": orgtree.beianmen.code}).json()["figures"]
    assert stale["orgs.org.findings_error"] == before["orgs.org.findings_error"]
    monkeypatch.undo()
    rebuild_findings()
    fresh = api_client.get(FIGURES, {"tree": "orgs", "node": orgtree.beianmen.code}).json()["figures"]
    assert fresh["orgs.org.findings_error"] == live["error"]
    assert fresh["orgs.org.findings_warning"] == live["warning"]
