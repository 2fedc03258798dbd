"""The party-member statistics (members.stats) and the metrics read from them (members.metrics).

* Two implementations, one answer: the rows the write verbs maintain incrementally equal the rows
  ``stats.rebuild`` computes from scratch, after a run touching every kind of write.
* Each metric equals an independent COUNT over the member table for a sample of nodes of both
  trees (with its own age and arrears computations: ``core.ids.age_on``, ``arrears_q``).
* Reading the figures costs one query per source, whatever the number of members.
"""

from datetime import date

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.core.ids import age_on
from jiceng.core.metrics import Period, figures
from jiceng.core.registry import metric_sources, metrics
from jiceng.members import services, stats
from jiceng.members.dues import unpaid_months
from jiceng.members.metrics import AGE_BANDS, EDUCATION_GROUPS
from jiceng.members.models import PARTY_MEMBER_STATUSES, Member, MemberStat, MemberTally, Status

from .conftest import make_id


def snapshot():
    stat = sorted(MemberStat.objects.filter(count__gt=0).values_list("tree", "code", "dim", "value", "count"))
    tally = sorted(
        MemberTally.objects.filter(count__gt=0).values_list("org_path", "area_path", "dim", "value", "count")
    )
    return stat, tally


# A path through the pipeline late enough for a member now 25.
LATE = {
    "application_date": date(2019, 3, 1),
    "talk_date": date(2019, 3, 20),
    "activist_date": date(2019, 6, 1),
    "candidate_date": date(2020, 6, 1),
    "admission_date": date(2020, 9, 1),
    "approval_date": date(2020, 10, 15),
    "full_member_date": date(2021, 9, 1),
}


@pytest.fixture
def roster(make_member, orgs, users):
    """Members at every stage in three branches, then a run of every write verb."""
    today = timezone.localdate()
    m = {}
    young = date(today.year - 25, 1, 2)
    m["young"] = make_member(birth=young, id_number=make_id(young, seq=20), education="bachelor", gender="F", **LATE)
    m["old"] = make_member(birth=date(1950, 12, 30), education="junior")
    m["edge"] = make_member(birth=date(today.year - 31, today.month, 1), education="master")
    m["probationary"] = make_member(status=Status.PROBATIONARY, education="college")
    m["applicant"] = make_member(status=Status.APPLICANT, application_date=date(2022, 1, 10))
    m["activist"] = make_member(org=orgs.branch2, status=Status.ACTIVIST, birth=date(1992, 5, 5))
    m["candidate"] = make_member(org=orgs.gongyuan_branch, status=Status.CANDIDATE, birth=date(1993, 6, 6))
    m["far"] = make_member(org=orgs.gongyuan_branch, education="doctor", birth=date(1964, 3, 3))
    m["b2"] = make_member(org=orgs.branch2, birth=date(1990, 2, 2))
    m["gone"] = make_member(org=orgs.branch2)
    m["leaving"] = make_member(org=orgs.branch2)
    # Writes: a stage change, corrections, a payment, a transfer, an exit, a receipt.
    services.advance_member(
        users.community, m["applicant"], Status.ACTIVIST, date(2022, 3, 1), talk_date=date(2022, 2, 1)
    )
    services.update_member(users.community, m["old"], education="senior")
    number = make_id(date(1988, 8, 8), seq=12)  # even sequence: female
    services.update_member(users.community, m["b2"], id_number=number, birth_date=date(1988, 8, 8), gender="F")
    services.record_payment(users.community, m["young"], today.replace(day=1), "1", paid_on=today)
    transfer = services.request_transfer(users.community, m["edge"], orgs.gongyuan_branch)
    services.accept_transfer(users.other_community, transfer)
    services.exit_member(users.community, m["gone"], Status.DECEASED, date(2025, 1, 5))
    letter = services.issue_outgoing(users.community, m["leaving"], external_org_name="外省某支部", letter_no="001")
    services.record_receipt(users.community, letter, receipt_no="R1", received_on=today)
    return m


def test_incremental_rows_equal_the_rebuild(roster):
    incremental = snapshot()
    assert incremental[0], "the write verbs maintained no rows"
    stats.rebuild()
    assert snapshot() == incremental
    # And a rebuild over the rebuilt rows changes nothing either.
    stats.rebuild()
    assert snapshot() == incremental


def test_refresh_without_change_writes_nothing(roster, orgs):
    before = snapshot()
    with CaptureQueriesContext(connection) as ctx:
        stats.refresh([orgs.branch1.pk])
    assert snapshot() == before
    assert not any(q["sql"].startswith(("INSERT", "DELETE", "UPDATE")) for q in ctx.captured_queries)


def expected(members, key: str, today: date):
    """The figure ``key`` (without the tree prefix) counted on the members themselves."""
    roster = members.filter(left_on__isnull=True)
    party = roster.filter(status__in=list(PARTY_MEMBER_STATUSES))
    n_party = party.count()
    statuses = {
        "applicants": "applicant",
        "activists": "activist",
        "candidates": "candidate",
        "probationary": "probationary",
        "full": "full",
    }
    if key in statuses:
        return roster.filter(status=statuses[key]).count()
    if key == "in_pipeline":
        return roster.filter(status__in=["applicant", "activist", "candidate"]).count()
    if key == "party":
        return n_party
    if key in ("men", "women"):
        return party.filter(gender="M" if key == "men" else "F").count()
    if key == "women_share":
        return party.filter(gender="F").count() / n_party if n_party else None
    if key.startswith("age_"):
        end = date(today.year, 12, 31)
        bands = {b[0]: b for b in AGE_BANDS}
        band_key = key.removeprefix("age_")
        index = [b[0] for b in AGE_BANDS].index(band_key)
        low = AGE_BANDS[index - 1][2] + 1 if index else 0
        high = bands[band_key][2] or 200
        return sum(1 for birth in party.values_list("birth_date", flat=True) if low <= age_on(birth, end) <= high)
    if key.startswith("edu_"):
        codes = next(g[2] for g in EDUCATION_GROUPS if g[0] == key.removeprefix("edu_"))
        q = Q(education__in=[c for c in codes if c != "none"])
        if "none" in codes:
            q |= Q(education="")
        return party.filter(q).count()
    if key == "dues_arrears":
        return party.filter(services.arrears_q(today)).count()
    if key == "dues_rate":
        paid = sum(1 for m in party if unpaid_months(m.dues_paid_through, services.dues_from(m), today) == 0)
        return paid / n_party if n_party else None
    raise AssertionError(key)


def member_metrics(tree: str):
    source = "members.area_stats" if tree == "areas" else "members.org_stats"
    return [m for m in metrics().values() if m.source == source]


@pytest.mark.parametrize("which", ["areas", "orgs"])
def test_each_metric_equals_an_independent_count(roster, which, tree_fixture_codes):
    today = timezone.localdate()
    chosen = member_metrics(which)
    assert len(chosen) == 25
    codes = tree_fixture_codes[which]
    values = figures(chosen, codes, Period.month_of(today))
    for code in codes:
        if which == "areas":
            members = Member.objects.filter(area_path__startswith=code)
        else:
            members = Member.objects.filter(org_path__startswith=code)
        for metric in chosen:
            key = metric.key.split(".", 2)[2]
            want = expected(members, key, today)
            got = values[code][metric.key]
            if metric.percent:
                assert (got is None) == (want is None) and (want is None or abs(got - want) < 1e-9), (code, key)
            else:
                assert got == want, (code, metric.key, got, want)


@pytest.fixture
def tree_fixture_codes(tree, orgs):
    return {
        "areas": [
            tree.city.code,
            tree.xuanwu.code,
            tree.meiyuan.code,
            tree.beianmen.code,
            tree.grid1.code,
            tree.grid2.code,
            tree.gongyuan.code,
        ],
        "orgs": [
            orgs.beianmen.code,
            orgs.branch1.code,
            orgs.branch2.code,
            orgs.gongyuan.code,
            orgs.gongyuan_branch.code,
        ],
    }


def test_metrics_are_declared_with_definition_tree_and_masking():
    sources = metric_sources()
    for tree in ("areas", "orgs"):
        for metric in member_metrics(tree):
            assert sources[metric.source].tree == tree and not sources[metric.source].periodic
            assert metric.definition and metric.permission
            if metric.key.rsplit(".", 1)[1].startswith(("age_", "edu_", "men", "women", "dues_arrears")) and not (
                metric.percent
            ):
                assert metric.min_cell == 3 and metric.masking


def test_reading_costs_one_query_per_source_whatever_the_rows(make_member, orgs, tree):
    codes = [tree.beianmen.code, tree.grid1.code, tree.grid2.code]
    chosen = member_metrics("areas")
    period = Period.month_of(timezone.localdate())
    make_member()
    with CaptureQueriesContext(connection) as few:
        small = figures(chosen, codes, period)
    for i in range(30):
        make_member(org=orgs.branch2 if i % 2 else orgs.branch1, birth=date(1960 + i, 1 + i % 12, 3))
    with CaptureQueriesContext(connection) as many:
        big = figures(chosen, codes, period)
    # Reading the rule of the arrears threshold may be cached after the first call.
    assert len(many.captured_queries) <= len(few.captured_queries) <= 2
    assert big[tree.beianmen.code]["members.area.party"] == small[tree.beianmen.code]["members.area.party"] + 30


def _race(*calls):
    import threading

    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # a refusal is a result under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_in_one_branch_and_in_two_add_up(make_member, orgs, users):
    """Real threads with their own connections: writes in the same branch and in sibling branches
    (shared ancestors) at once leave the rows the rebuild computes."""
    people = [make_member(org=orgs.branch1 if i % 2 else orgs.branch2, birth=date(1970 + i, 3, 3)) for i in range(6)]
    calls = [
        (lambda m=m, i=i: services.update_member(users.community, m, education=("bachelor", "college")[i % 2]))
        for i, m in enumerate(people)
    ]
    calls += [
        (lambda i=i: make_member(org=orgs.branch1 if i % 2 else orgs.branch2, birth=date(1985, 1 + i, 5)))
        for i in range(4)
    ]
    results = _race(*calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    incremental = snapshot()
    stats.rebuild()
    assert snapshot() == incremental
    assert MemberStat.objects.get(tree="orgs", code=orgs.beianmen.code, dim="status", value="full").count == 10
