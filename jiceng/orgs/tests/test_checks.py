"""组织设置检查: every rule at its boundary, rules editable by the city, bounded queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.core.dates import add_months
from jiceng.core.models import Rule
from jiceng.core.rules import RULES, RuleValueError, forget_rule
from jiceng.members.models import Status
from jiceng.orgs import rules, services
from jiceng.orgs.checks import (
    Kind,
    Severity,
    check_org,
    checks_for_org_subtree,
    checks_for_user,
    run_checks,
    summarize,
)
from jiceng.orgs.models import Org, OrgCategory, Post, UnitKind
from jiceng.orgs.tests.conftest import make_members

TODAY = date(2025, 6, 15)


def kinds(findings, org=None):
    return {f.kind for f in findings if org is None or (f.org and f.org.pk == org.pk)}


def set_rule(key, value):
    Rule.objects.update_or_create(key=key, defaults={"value": value})
    forget_rule(key)


def test_every_number_is_a_registered_rule_with_a_basis():
    keys = [v for k, v in vars(rules).items() if k.isupper() and isinstance(v, str) and v.startswith("orgs.")]
    assert len(keys) == 15
    for key in keys:
        definition = RULES[key]
        assert definition.label and definition.basis and definition.default is not None
    assert RULES[rules.BRANCH_MIN_FULL].default == 3
    assert RULES[rules.BRANCH_MAX_MEMBERS].default == 50
    assert RULES[rules.GENERAL_BRANCH_FROM].default == 50
    assert RULES[rules.COMMITTEE_FROM].default == 100
    assert RULES[rules.BRANCH_COMMITTEE_FROM_FULL].default == 7
    assert (RULES[rules.BRANCH_COMMITTEE_MIN].default, RULES[rules.BRANCH_COMMITTEE_MAX].default) == (3, 5)
    assert RULES[rules.TERM_YEARS_VILLAGE_COMMUNITY].default == 5
    assert RULES[rules.TERM_YEARS_DEFAULT].default == 3
    assert RULES[rules.TERM_YEARS_GENERAL_BRANCH].default == 3
    assert RULES[rules.TERM_YEARS_COMMITTEE].default == 5
    assert RULES[rules.BRANCH_COMMITTEE_USUAL_MAX].default == 7
    assert RULES[rules.JOINT_BRANCH_MAX_UNITS].default == 5
    assert RULES[rules.TERM_REMINDER_MONTHS].default == 6
    assert RULES[rules.SECRETARY_VACANCY_MONTHS].default == 3


# --- 应建未建 ------------------------------------------------------------------------------------


@pytest.fixture
def unit(orgtree, tree):
    return services.create_resident_unit(
        None, name="玄武区某科技公司", kind=UnitKind.PRIVATE_ENTERPRISE, area=tree.grid1
    )


def test_unit_with_two_full_members_is_fine(orgtree, unit):
    make_members(orgtree.grid1, 2, unit=unit)
    make_members(orgtree.grid1, 3, Status.PROBATIONARY, unit=unit)  # only full members count
    assert Kind.UNIT_WITHOUT_ORG not in kinds(check_org(orgtree.beianmen, today=TODAY))


def test_unit_with_three_full_members_and_no_org_must_set_one_up(orgtree, unit, users):
    make_members(orgtree.grid1, 3, unit=unit)
    (finding,) = [f for f in check_org(orgtree.beianmen, today=TODAY) if f.kind == Kind.UNIT_WITHOUT_ORG]
    assert finding.severity == Severity.ERROR
    assert finding.unit == unit and finding.org == orgtree.beianmen
    assert "玄武区某科技公司" in finding.message and "正式党员3名" in finding.message and "应建未建" in finding.message
    # In the node list the deepest territorial org answers for it; other communities do not see it.
    subtree = [f for f in checks_for_org_subtree(orgtree.meiyuan, today=TODAY) if f.kind == Kind.UNIT_WITHOUT_ORG]
    assert [f.org for f in subtree] == [orgtree.beianmen]
    assert Kind.UNIT_WITHOUT_ORG in kinds(checks_for_user(users.community, today=TODAY))
    assert Kind.UNIT_WITHOUT_ORG not in kinds(checks_for_user(users.other_community, today=TODAY))
    assert Kind.UNIT_WITHOUT_ORG not in kinds(checks_for_org_subtree(orgtree.grid1, today=TODAY))  # not territorial


def test_unit_with_its_own_org_is_fine(orgtree, unit):
    make_members(orgtree.grid1, 5, unit=unit)
    services.update_resident_unit(None, unit, party_org=orgtree.grid1)
    assert Kind.UNIT_WITHOUT_ORG not in kinds(check_org(orgtree.beianmen, today=TODAY))


def test_unit_threshold_is_editable(orgtree, unit):
    make_members(orgtree.grid1, 3, unit=unit)
    set_rule(rules.BRANCH_MIN_FULL, 4)
    assert Kind.UNIT_WITHOUT_ORG not in kinds(check_org(orgtree.beianmen, today=TODAY))


# --- branch size ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "expected", "absent"),
    [
        (49, set(), {Kind.BRANCH_TOO_LARGE, Kind.SUGGEST_GENERAL_BRANCH, Kind.SUGGEST_COMMITTEE}),
        (50, {Kind.SUGGEST_GENERAL_BRANCH}, {Kind.BRANCH_TOO_LARGE, Kind.SUGGEST_COMMITTEE}),
        (51, {Kind.BRANCH_TOO_LARGE, Kind.SUGGEST_GENERAL_BRANCH}, {Kind.SUGGEST_COMMITTEE}),
        (99, {Kind.BRANCH_TOO_LARGE, Kind.SUGGEST_GENERAL_BRANCH}, {Kind.SUGGEST_COMMITTEE}),
        (100, {Kind.BRANCH_TOO_LARGE, Kind.SUGGEST_COMMITTEE}, {Kind.SUGGEST_GENERAL_BRANCH}),
    ],
)
def test_branch_size_boundaries(orgtree, members, expected, absent):
    # Probationary members count towards the size; some are held in the branch's 党小组.
    make_members(orgtree.group, 4)
    make_members(orgtree.grid1, 1, Status.PROBATIONARY)
    make_members(orgtree.grid1, members - 5)
    orgtree.grid1.refresh_from_db()
    assert orgtree.grid1.total_members == members
    found = kinds(check_org(orgtree.grid1, today=TODAY))
    assert expected <= found
    assert not (absent & found)


def test_branch_size_messages(orgtree):
    make_members(orgtree.grid1, 51)
    findings = {f.kind: f for f in check_org(orgtree.grid1, today=TODAY)}
    assert findings[Kind.BRANCH_TOO_LARGE].severity == Severity.WARNING
    assert findings[Kind.BRANCH_TOO_LARGE].message == "党支部有党员51名，超过一般不超过50名的规模，宜调整组织设置。"
    assert findings[Kind.SUGGEST_GENERAL_BRANCH].severity == Severity.INFO
    assert "可经上级党组织批准设立党总支" in findings[Kind.SUGGEST_GENERAL_BRANCH].message


def test_general_branch_suggests_a_committee_at_100(orgtree, tree):
    general = services.create_org(
        None,
        parent=orgtree.beianmen,
        name="某党总支",
        org_type="general_branch",
        category="community",
        area=tree.beianmen,
    )
    make_members(general, 99)
    assert Kind.SUGGEST_COMMITTEE not in kinds(check_org(general, today=TODAY))
    make_members(general, 1)
    assert Kind.SUGGEST_COMMITTEE in kinds(check_org(general, today=TODAY))
    assert Kind.BRANCH_TOO_LARGE not in kinds(check_org(general, today=TODAY))


def test_size_boundaries_are_editable(orgtree):
    make_members(orgtree.grid1, 41)
    set_rule(rules.BRANCH_MAX_MEMBERS, 40)
    assert Kind.BRANCH_TOO_LARGE in kinds(check_org(orgtree.grid1, today=TODAY))


# --- branch committee ----------------------------------------------------------------------------


def appoint(org, n, posts=(Post.SECRETARY, Post.ORGANISATION, Post.PROPAGANDA, Post.DISCIPLINE)):
    for i in range(n):
        post = posts[i] if i < len(posts) else Post.MEMBER
        services.appoint_post(None, org, post=post, holder_name=f"委员{i}", start_on=date(2024, 1, 1))


def test_six_full_members_need_no_committee(orgtree):
    make_members(orgtree.grid1, 6)
    make_members(orgtree.grid1, 3, Status.PROBATIONARY)  # probationary members do not count
    assert Kind.COMMITTEE_REQUIRED not in kinds(check_org(orgtree.grid1, today=TODAY))


def test_seven_full_members_need_a_committee_of_three_to_five(orgtree):
    make_members(orgtree.grid1, 6)
    make_members(orgtree.group, 1)  # a 党小组's members are the branch's members
    orgtree.grid1.refresh_from_db()
    appoint(orgtree.grid1, 2)
    (finding,) = [f for f in check_org(orgtree.grid1, today=TODAY) if f.kind == Kind.COMMITTEE_REQUIRED]
    assert finding.severity == Severity.ERROR
    assert finding.message == "正式党员7名，达到7名，应设立支部委员会（3—5人），现有委员2名。"
    appoint(orgtree.grid1, 1, posts=(Post.DEPUTY_SECRETARY,))
    assert not {Kind.COMMITTEE_REQUIRED, Kind.COMMITTEE_TOO_LARGE} & kinds(check_org(orgtree.grid1, today=TODAY))


@pytest.mark.parametrize(("seats", "flagged"), [(5, False), (6, False), (7, False), (8, True)])
def test_committee_of_six_or_seven_is_within_the_rules(orgtree, seats, flagged):
    """3–5 members, normally at most 7 (DOMAIN.md §1.2): only an eighth seat is worth a reminder."""
    make_members(orgtree.grid1, 9)
    appoint(orgtree.grid1, seats)
    findings = {f.kind: f for f in check_org(orgtree.grid1, today=TODAY)}
    assert (Kind.COMMITTEE_TOO_LARGE in findings) is flagged
    if flagged:
        finding = findings[Kind.COMMITTEE_TOO_LARGE]
        assert finding.severity == Severity.WARNING and finding.rule == rules.BRANCH_COMMITTEE_USUAL_MAX
        assert finding.message == "支部委员会现有委员8名，一般由3—5人组成、不超过7人。"


def test_committee_usual_maximum_is_editable(orgtree):
    make_members(orgtree.grid1, 9)
    appoint(orgtree.grid1, 6)
    set_rule(rules.BRANCH_COMMITTEE_USUAL_MAX, 5)
    assert Kind.COMMITTEE_TOO_LARGE in kinds(check_org(orgtree.grid1, today=TODAY))


# --- small branches, wide joint branches -----------------------------------------------------------


@pytest.mark.parametrize(("full", "flagged"), [(0, True), (2, True), (3, False)])
def test_branch_with_fewer_than_three_full_members_is_told_to_join_others(orgtree, full, flagged):
    make_members(orgtree.grid1, full)
    make_members(orgtree.grid1, 2, Status.PROBATIONARY)  # only full members count
    findings = {f.kind: f for f in check_org(orgtree.grid1, today=TODAY)}
    assert (Kind.BRANCH_TOO_SMALL in findings) is flagged
    if flagged:
        finding = findings[Kind.BRANCH_TOO_SMALL]
        assert finding.severity == Severity.INFO and finding.rule == rules.BRANCH_MIN_FULL
        assert finding.message == f"正式党员{full}名，不足3名，宜与邻近单位组建联合党支部。"


def test_a_joint_branch_is_not_told_to_become_a_joint_branch(orgtree, tree):
    joint = services.create_org(
        None, parent=orgtree.beianmen, name="联合党支部", org_type="joint_branch", category="community", area=tree.grid1
    )
    make_members(joint, 2)
    assert Kind.BRANCH_TOO_SMALL not in kinds(check_org(joint, today=TODAY))


@pytest.mark.parametrize(("units", "flagged"), [(5, False), (6, True)])
def test_joint_branch_covers_at_most_five_units(orgtree, tree, units, flagged):
    joint = services.create_org(
        None,
        parent=orgtree.beianmen,
        name="北安门非公企业联合党支部",
        org_type="joint_branch",
        category=OrgCategory.PRIVATE_ENTERPRISE,
        area=tree.grid1,
    )
    for i in range(units):
        unit = services.create_resident_unit(None, name=f"企业{i}", kind=UnitKind.PRIVATE_ENTERPRISE, area=tree.grid1)
        services.update_resident_unit(None, unit, party_org=joint)
    findings = {f.kind: f for f in check_org(joint, today=TODAY)}
    assert (Kind.JOINT_BRANCH_TOO_WIDE in findings) is flagged
    in_list = kinds(checks_for_org_subtree(orgtree.beianmen, today=TODAY), joint)
    assert (Kind.JOINT_BRANCH_TOO_WIDE in in_list) is flagged
    if flagged:
        finding = findings[Kind.JOINT_BRANCH_TOO_WIDE]
        assert finding.severity == Severity.WARNING and finding.rule == rules.JOINT_BRANCH_MAX_UNITS
        assert finding.message == "联合党支部覆盖6个单位，一般不超过5个，宜调整组织设置。"
        set_rule(rules.JOINT_BRANCH_MAX_UNITS, 6)
        assert Kind.JOINT_BRANCH_TOO_WIDE not in kinds(check_org(joint, today=TODAY))


def test_vacant_seats_do_not_count_as_committee_members(orgtree):
    make_members(orgtree.grid1, 7)
    appoint(orgtree.grid1, 3)
    services.record_vacancy(None, orgtree.grid1, post=Post.DEPUTY_SECRETARY, since=date(2025, 1, 1))
    assert Kind.COMMITTEE_REQUIRED not in kinds(check_org(orgtree.grid1, today=TODAY))
    seat = orgtree.grid1.posts.get(post=Post.PROPAGANDA, end_on__isnull=True)
    services.end_post(None, seat, end_on=date(2025, 1, 1))
    assert Kind.COMMITTEE_REQUIRED in kinds(check_org(orgtree.grid1, today=TODAY))


# --- terms ---------------------------------------------------------------------------------------


def with_term(org, start, end=None):
    return services.record_election(None, org, term_start=start, term_end=end)


def test_term_missing_is_a_hint(orgtree):
    assert Kind.TERM_MISSING in kinds(check_org(orgtree.grid1, today=TODAY))
    assert Kind.TERM_MISSING not in kinds(check_org(orgtree.group, today=TODAY))  # groups have no term
    assert Kind.TERM_MISSING not in kinds(check_org(orgtree.meiyuan, today=TODAY))  # 党工委 is appointed


def test_reminder_starts_exactly_six_months_before_the_end(orgtree):
    org = with_term(orgtree.beianmen, date(2020, 12, 15))
    assert org.term_end == date(2025, 12, 15)
    assert add_months(org.term_end, -6) == TODAY
    findings = {f.kind: f for f in check_org(org, today=TODAY)}
    assert findings[Kind.TERM_REMINDER].severity == Severity.WARNING
    assert findings[Kind.TERM_REMINDER].message == (
        "本届任期将于2025年12月15日届满（还有183天），应提前6个月做好换届准备。"
    )
    assert Kind.TERM_REMINDER not in kinds(check_org(org, today=TODAY - timedelta(days=1)))


def test_term_end_day_is_a_reminder_and_the_next_day_overdue(orgtree):
    org = with_term(orgtree.grid1, date(2022, 6, 15), date(2025, 6, 15))
    assert Kind.TERM_REMINDER in kinds(check_org(org, today=date(2025, 6, 15)))
    findings = {f.kind: f for f in check_org(org, today=date(2025, 6, 16))}
    assert Kind.TERM_REMINDER not in findings
    assert findings[Kind.TERM_OVERDUE].severity == Severity.ERROR
    assert "逾期1天未换届" in findings[Kind.TERM_OVERDUE].message


def test_term_length_five_years_for_communities_three_for_others(orgtree):
    community = with_term(orgtree.beianmen, date(2023, 1, 1), date(2028, 1, 1))
    assert Kind.TERM_TOO_LONG not in kinds(check_org(community, today=TODAY))
    grid_branch = with_term(orgtree.grid1, date(2023, 1, 1), date(2028, 1, 1))  # grid branches: 5 years
    assert Kind.TERM_TOO_LONG not in kinds(check_org(grid_branch, today=TODAY))


def make_org(orgtree, tree, org_type, category=OrgCategory.ORGAN, parent=None):
    return services.create_org(
        None,
        parent=parent or orgtree.xuanwu,
        name=f"某{org_type}",
        org_type=org_type,
        category=category,
        area=tree.grid1,
    )


@pytest.mark.parametrize(
    ("org_type", "years", "rule"),
    [
        ("committee", 5, rules.TERM_YEARS_COMMITTEE),  # 党章第三十一条: 3–5 years
        ("general_branch", 3, rules.TERM_YEARS_GENERAL_BRANCH),
        ("branch", 3, rules.TERM_YEARS_DEFAULT),
        ("joint_branch", 3, rules.TERM_YEARS_DEFAULT),
    ],
)
def test_term_length_by_type_each_its_own_rule(orgtree, tree, org_type, years, rule):
    parent = None if org_type == "committee" else make_org(orgtree, tree, "committee")
    org = make_org(orgtree, tree, org_type, parent=parent)
    start = date(2023, 1, 1)
    elected = services.record_election(None, org, term_start=start)
    assert elected.term_end == date(2023 + years, 1, 1)
    assert Kind.TERM_TOO_LONG not in kinds(check_org(elected, today=TODAY))
    longer = with_term(org, start, date(2023 + years, 1, 2))
    (finding,) = [f for f in check_org(longer, today=TODAY) if f.kind == Kind.TERM_TOO_LONG]
    assert f"超过规定的每届{years}年" in finding.message and finding.rule == rule


def test_a_committee_term_is_three_to_five_years_as_the_city_sets(orgtree, tree):
    """Before: a 党委 outside 村/社区 was held to the 3-year rule of branches."""
    org = make_org(orgtree, tree, "committee")
    org = with_term(org, date(2023, 1, 1), date(2027, 1, 1))  # four years: within 党章's 3–5
    assert Kind.TERM_TOO_LONG not in kinds(check_org(org, today=TODAY))
    set_rule(rules.TERM_YEARS_COMMITTEE, 3)
    assert Kind.TERM_TOO_LONG in kinds(check_org(org, today=TODAY))
    assert services.record_election(None, org, term_start=date(2024, 1, 1)).term_end == date(2027, 1, 1)
    with pytest.raises(RuleValueError):  # 党章 allows no less than 3 and no more than 5
        RULES[rules.TERM_YEARS_COMMITTEE].parse(6)


def test_a_temporary_branch_is_appointed_and_has_no_term(orgtree, tree):
    temporary = make_org(orgtree, tree, "temporary_branch", parent=make_org(orgtree, tree, "committee"))
    assert not {Kind.TERM_MISSING, Kind.TERM_REMINDER, Kind.TERM_OVERDUE} & kinds(check_org(temporary, today=TODAY))
    with pytest.raises(services.OrgError, match="不实行任期制"):
        services.record_election(None, temporary, term_start=date(2025, 1, 1))
    with pytest.raises(services.OrgError, match="不实行任期制"):
        services.create_org(
            None,
            parent=temporary.parent,
            name="另一临时党支部",
            org_type="temporary_branch",
            category=OrgCategory.OTHER,
            area=tree.grid1,
            term_start=date(2025, 1, 1),
        )


def test_reminder_months_are_editable(orgtree):
    org = with_term(orgtree.beianmen, date(2020, 12, 15))
    set_rule(rules.TERM_REMINDER_MONTHS, 3)
    assert Kind.TERM_REMINDER not in kinds(check_org(org, today=TODAY))


# --- secretary vacancy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "kind"),
    [
        (add_months(TODAY, -3) + timedelta(days=1), Kind.SECRETARY_VACANT),
        (add_months(TODAY, -3), Kind.SECRETARY_VACANT),
        (add_months(TODAY, -3) - timedelta(days=1), Kind.SECRETARY_VACANT_LONG),
    ],
)
def test_secretary_vacancy_over_three_months(orgtree, since, kind):
    services.record_vacancy(None, orgtree.grid1, post=Post.SECRETARY, since=since)
    found = {f.kind: f for f in check_org(orgtree.grid1, today=TODAY)}
    assert kind in found
    assert {Kind.SECRETARY_VACANT, Kind.SECRETARY_VACANT_LONG, Kind.SECRETARY_MISSING} - {kind} & set(found) == set()
    expected = Severity.ERROR if kind == Kind.SECRETARY_VACANT_LONG else Severity.WARNING
    assert found[kind].severity == expected


def test_vacancy_from_a_departure_and_filled_again(orgtree):
    seat = services.appoint_post(None, orgtree.grid1, post=Post.SECRETARY, holder_name="甲", start_on=date(2020, 1, 1))
    assert not {Kind.SECRETARY_MISSING, Kind.SECRETARY_VACANT} & kinds(check_org(orgtree.grid1, today=TODAY))
    services.end_post(None, seat, end_on=date(2025, 1, 1))
    (finding,) = [f for f in check_org(orgtree.grid1, today=TODAY) if f.kind == Kind.SECRETARY_VACANT_LONG]
    assert finding.message == "书记自2025年1月1日起空缺，已超过3个月，应及时补选或由上级党组织指派。"
    services.appoint_post(None, orgtree.grid1, post=Post.SECRETARY, holder_name="乙", start_on=date(2025, 6, 1))
    assert not {Kind.SECRETARY_VACANT, Kind.SECRETARY_VACANT_LONG} & kinds(check_org(orgtree.grid1, today=TODAY))


def test_no_secretary_recorded_is_a_hint_and_groups_are_exempt(orgtree):
    assert Kind.SECRETARY_MISSING in kinds(check_org(orgtree.grid1, today=TODAY))
    assert Kind.SECRETARY_MISSING not in kinds(check_org(orgtree.group, today=TODAY))


def test_inactive_orgs_are_not_checked(orgtree):
    org = services.update_org(None, orgtree.grid2, is_active=False)
    assert check_org(org, today=TODAY) == []
    assert orgtree.grid2.code not in {f.org.code for f in checks_for_org_subtree(orgtree.beianmen, today=TODAY)}


# --- lists for a node ----------------------------------------------------------------------------


def test_node_list_covers_the_subtree_sorted_by_severity(orgtree):
    make_members(orgtree.grid1, 51)
    services.record_vacancy(None, orgtree.grid2, post=Post.SECRETARY, since=date(2024, 1, 1))
    findings = checks_for_org_subtree(orgtree.beianmen, today=TODAY)
    codes = {f.org.code for f in findings}
    assert codes <= set(Org.objects.subtree(orgtree.beianmen.code).values_list("code", flat=True))
    assert orgtree.grid1.code in codes and orgtree.grid2.code in codes
    order = [f.severity for f in findings]
    assert order == sorted(order, key=[Severity.ERROR, Severity.WARNING, Severity.INFO].index)
    errors = [f.kind for f in findings if f.severity == Severity.ERROR]
    assert errors == [Kind.COMMITTEE_REQUIRED, Kind.SECRETARY_VACANT_LONG]  # then by org code
    summary = summarize(findings)
    assert list(summary) == ["error", "warning", "info"] and sum(summary.values()) == len(findings)


def test_user_list_is_scoped(orgtree, org_users):
    def org_codes(user):
        return {f.org.code for f in checks_for_user(user, today=TODAY) if f.org}

    # A 党小组 has nothing to check, so it never appears.
    beianmen = set(Org.objects.subtree(orgtree.beianmen.code).values_list("code", flat=True))
    assert org_codes(org_users.community) == beianmen - {orgtree.group.code}
    assert org_codes(org_users.secretary) == {orgtree.grid1.code}
    assert org_codes(org_users.nobody) == set()


def test_node_list_queries_do_not_grow_with_orgs(orgtree, tree, unit):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            run_checks(Org.objects.subtree(orgtree.city.code), units_queryset=None, today=TODAY)
            checks_for_org_subtree(orgtree.city, today=TODAY)
        return len(ctx)

    make_members(orgtree.grid1, 3, unit=unit)
    queries()  # the rule values are read once, then cached
    small = queries()
    for i in range(25):
        branch = services.create_org(
            None,
            parent=orgtree.beianmen,
            name=f"支部{i}",
            org_type="branch",
            category=OrgCategory.GRID,
            area=tree.grid1,
        )
        services.record_vacancy(None, branch, post=Post.SECRETARY, since=date(2024, 1, 1))
        make_members(branch, 8)
    assert queries() == small


# --- grid sizes (DOMAIN.md §5.2) -------------------------------------------------------------------


@pytest.mark.parametrize(("households", "flagged"), [(299, True), (300, False), (500, False), (501, True)])
def test_grids_outside_the_households_range_are_in_the_setup_checks(orgtree, tree, users, households, flagged):
    from jiceng.areas.services import update_area

    update_area(None, tree.grid2, households=households)
    findings = [f for f in check_org(orgtree.beianmen, today=TODAY) if f.kind == Kind.GRID_SIZE]
    by_grid = {f.area.code: f for f in findings}
    assert (tree.grid2.code in by_grid) is flagged
    assert tree.grid1.code in by_grid  # 140 households
    grid1 = by_grid[tree.grid1.code]
    assert grid1.severity == Severity.WARNING and grid1.org == orgtree.beianmen
    assert grid1.rule == "grid.min_households"
    assert grid1.message == "北安门社区第一网格：网格有140户，少于综合网格一般300—500户的范围，宜合并或调整网格划分。"
    if households == 501:
        assert by_grid[tree.grid2.code].rule == "grid.max_households"
    # The node list and the user's list carry them too, within the user's scope only.
    assert tree.grid1.code in {f.area.code for f in checks_for_org_subtree(orgtree.meiyuan, today=TODAY) if f.area}
    assert tree.grid1.code in {f.area.code for f in checks_for_user(users.community, today=TODAY) if f.area}
    assert not [f for f in checks_for_user(users.other_community, today=TODAY) if f.area]
    assert Kind.GRID_SIZE not in kinds(check_org(orgtree.grid1, today=TODAY))  # a branch answers for no area


def test_setup_check_page_links_the_grid(login, orgtree, tree, users):
    from django.urls import reverse

    client = login(users.community)
    body = client.get(reverse("orgs:org_detail", args=[orgtree.beianmen.code])).content.decode()
    assert "网格户数超出范围" in body and "北安门社区第一网格：网格有140户" in body
    for url in (reverse("orgs:check_list"), reverse("orgs:org_checks", args=[orgtree.beianmen.code])):
        body = client.get(url, {"kind": "grid_size"}).content.decode()
        assert f'href="{reverse("areas:area_detail", args=[tree.grid1.code])}"' in body


def test_check_list_sorts_by_each_column_both_ways(login, orgtree, tree, users):
    """The setup checks (a bounded list built in Python) sort by 级别, 问题 and 组织 both ways."""
    from django.urls import reverse

    from jiceng.orgs.views.tree import CHECK_KEYS

    client = login(users.community)
    default = client.get(reverse("orgs:check_list")).context["page"].object_list
    assert len(default) >= 3
    assert [CHECK_KEYS["severity"](f) for f in default] == sorted(CHECK_KEYS["severity"](f) for f in default)
    for column in ("severity", "kind", "org"):
        for descending in (False, True):
            sort = f"-{column}" if descending else column
            response = client.get(reverse("orgs:check_list"), {"sort": sort})
            keys = [CHECK_KEYS[column](f) for f in response.context["page"].object_list]
            assert keys == sorted(keys, reverse=descending), sort
            assert len(keys) == len(default)
    html = client.get(reverse("orgs:check_list"), {"sort": "kind", "severity": "warning"}).content.decode()
    assert 'aria-sort="ascending"' in html and "?severity=warning&amp;sort=-kind" in html
    assert client.get(reverse("orgs:check_list"), {"sort": "message"}).status_code == 200  # ignored
