"""组织设置检查: the setup rules of DOMAIN.md §1 applied to orgs and resident units.

Every number comes from :mod:`jiceng.orgs.rules` through ``get_rule``. The checks work on rows
already loaded: a list for a node costs a fixed number of queries (orgs, current posts, resident
units with their member counts), whatever the number of orgs.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from jiceng.areas.checks import GridRange
from jiceng.areas.models import Area
from jiceng.areas.permissions import AREA_VIEW
from jiceng.core.dates import add_months, add_years
from jiceng.core.paths import is_in_subtree, subtree_q
from jiceng.core.rules import get_rule
from jiceng.core.scope import scope_for
from jiceng.orgs import rules
from jiceng.orgs.models import (
    BRANCH_TYPES,
    CommitteePost,
    Org,
    OrgCategory,
    OrgType,
    Post,
    ResidentUnit,
)
from jiceng.orgs.permissions import UNIT_VIEW
from jiceng.orgs.terms import APPOINTED_TYPES, Term, term_for


class Severity(models.TextChoices):
    ERROR = "error", "需整改"
    WARNING = "warning", "提醒"
    INFO = "info", "建议"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Kind(models.TextChoices):
    UNIT_WITHOUT_ORG = "unit_without_org", "应建未建"
    BRANCH_TOO_LARGE = "branch_too_large", "党支部规模过大"
    SUGGEST_GENERAL_BRANCH = "suggest_general_branch", "可设党总支"
    SUGGEST_COMMITTEE = "suggest_committee", "可设基层党委"
    COMMITTEE_REQUIRED = "committee_required", "应设支部委员会"
    COMMITTEE_TOO_LARGE = "committee_too_large", "支委会人数偏多"
    BRANCH_TOO_SMALL = "branch_too_small", "正式党员不足3名"
    JOINT_BRANCH_TOO_WIDE = "joint_branch_too_wide", "联合党支部覆盖单位过多"
    GRID_SIZE = "grid_size", "网格户数超出范围"
    TERM_MISSING = "term_missing", "未录入任期"
    TERM_TOO_LONG = "term_too_long", "任期超过规定年限"
    TERM_REMINDER = "term_reminder", "换届提醒"
    TERM_OVERDUE = "term_overdue", "逾期未换届"
    SECRETARY_MISSING = "secretary_missing", "未登记书记"
    SECRETARY_VACANT = "secretary_vacant", "书记空缺"
    SECRETARY_VACANT_LONG = "secretary_vacant_long", "书记长期空缺"


KIND_LABELS = dict(Kind.choices)


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of this module and those other apps add (core.registry ``org_checks``)."""
    from jiceng.core import registry

    return [*Kind.choices, *(kind for check in registry.org_checks() for kind in check.kinds)]


SEVERITY_LABELS = dict(Severity.choices)
TYPE_LABELS = dict(OrgType.choices)

# Orgs elected for a term (a 党工委 and a 临时党支部 are appointed by the higher org, a 党小组 has a
# leader).
TERM_TYPES = {OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, *BRANCH_TYPES} - APPOINTED_TYPES
# Territorial orgs answer for the resident units in their area (应建未建).
TERRITORIAL_CATEGORIES = {
    OrgCategory.CITY,
    OrgCategory.DISTRICT,
    OrgCategory.STREET,
    OrgCategory.COMMUNITY,
    OrgCategory.VILLAGE,
}
ORG_FIELDS = (
    "id",
    "code",
    "name",
    "org_type",
    "category",
    "area_path",
    "term_start",
    "term_end",
    "total_members",
    "total_full_members",
    "is_active",
    "founded_on",  # read by the apps' checks (organisational life's exemption of new branches)
    "created_at",
)


@dataclass(slots=True)
class Finding:
    kind: str
    severity: str
    message: str
    org: Org | None = None
    unit: ResidentUnit | None = None
    rule: str = ""
    area: Area | None = None  # a grid whose size is flagged

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind) or dict(kind_choices()).get(self.kind, self.kind)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]


@dataclass
class _Limits:
    """The rule values, read once per run."""

    unit_min_full: int = field(default_factory=lambda: get_rule(rules.BRANCH_MIN_FULL))
    branch_max: int = field(default_factory=lambda: get_rule(rules.BRANCH_MAX_MEMBERS))
    general_branch_from: int = field(default_factory=lambda: get_rule(rules.GENERAL_BRANCH_FROM))
    committee_from: int = field(default_factory=lambda: get_rule(rules.COMMITTEE_FROM))
    branch_committee_from: int = field(default_factory=lambda: get_rule(rules.BRANCH_COMMITTEE_FROM_FULL))
    committee_min: int = field(default_factory=lambda: get_rule(rules.BRANCH_COMMITTEE_MIN))
    committee_max: int = field(default_factory=lambda: get_rule(rules.BRANCH_COMMITTEE_MAX))
    committee_usual_max: int = field(default_factory=lambda: get_rule(rules.BRANCH_COMMITTEE_USUAL_MAX))
    joint_max_units: int = field(default_factory=lambda: get_rule(rules.JOINT_BRANCH_MAX_UNITS))
    reminder_months: int = field(default_factory=lambda: get_rule(rules.TERM_REMINDER_MONTHS))
    vacancy_months: int = field(default_factory=lambda: get_rule(rules.SECRETARY_VACANCY_MONTHS))
    terms: dict = field(default_factory=dict)

    def term(self, org_type: str, category: str) -> Term | None:
        key = (org_type, category)
        if key not in self.terms:
            self.terms[key] = term_for(org_type, category)
        return self.terms[key]


@dataclass
class _Posts:
    """An org's current committee: held seats (without 党小组组长) and the secretary's state; for
    a 联合党支部 also the number of units it covers."""

    held: int = 0
    units: int = 0  # resident units whose party org this is (a 联合党支部 covers several)
    secretary_held: bool = False
    secretary_vacant_since: date | None = None
    secretary_vacancy_recorded: bool = False


def _posts_by_org(org_ids_or_queryset) -> dict[int, _Posts]:
    result: dict[int, _Posts] = defaultdict(_Posts)
    rows = (
        CommitteePost.objects.filter(end_on__isnull=True, org__in=org_ids_or_queryset)
        .order_by()
        .values_list("org_id", "post", "holder_name", "vacant_since")
    )
    for org_id, post, holder, vacant_since in rows:
        state = result[org_id]
        if holder:
            if post != Post.GROUP_LEADER:
                state.held += 1
            if post == Post.SECRETARY:
                state.secretary_held = True
        elif post == Post.SECRETARY:
            state.secretary_vacancy_recorded = True
            if vacant_since and (state.secretary_vacant_since is None or vacant_since < state.secretary_vacant_since):
                state.secretary_vacant_since = vacant_since
    joint_units = (
        ResidentUnit.objects.filter(party_org__in=org_ids_or_queryset, party_org__org_type=OrgType.JOINT_BRANCH)
        .order_by()
        .values_list("party_org_id")
        .annotate(n=Count("id"))
    )
    for org_id, count in joint_units:
        result[org_id].units = count
    return result


def _fmt(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _adder(org: Org, found: list[Finding]) -> Callable[..., None]:
    def add(kind: str, severity: str, message: str, rule: str = "") -> None:
        found.append(Finding(kind, severity, message, org=org, rule=rule))

    return add


def _size_findings(org: Org, posts: _Posts, limits: _Limits, today: date) -> list[Finding]:
    """Size against the org type: when to split, merge up into a 党总支 or 党委, or elect a 支委会."""
    found: list[Finding] = []
    add = _adder(org, found)

    members, full = org.total_members, org.total_full_members
    type_label = TYPE_LABELS[org.org_type]

    if org.org_type in BRANCH_TYPES:
        if members > limits.branch_max:
            add(
                Kind.BRANCH_TOO_LARGE,
                Severity.WARNING,
                f"{type_label}有党员{members}名，超过一般不超过{limits.branch_max}名的规模，宜调整组织设置。",
                rules.BRANCH_MAX_MEMBERS,
            )
        if members >= limits.committee_from:
            add(
                Kind.SUGGEST_COMMITTEE,
                Severity.INFO,
                f"党员{members}名，达到{limits.committee_from}名，可经上级党组织批准设立基层党委。",
                rules.COMMITTEE_FROM,
            )
        elif members >= limits.general_branch_from:
            add(
                Kind.SUGGEST_GENERAL_BRANCH,
                Severity.INFO,
                f"党员{members}名，达到{limits.general_branch_from}名，可经上级党组织批准设立党总支。",
                rules.GENERAL_BRANCH_FROM,
            )
        if full >= limits.branch_committee_from:
            if posts.held < limits.committee_min:
                add(
                    Kind.COMMITTEE_REQUIRED,
                    Severity.ERROR,
                    f"正式党员{full}名，达到{limits.branch_committee_from}名，应设立支部委员会"
                    f"（{limits.committee_min}—{limits.committee_max}人），现有委员{posts.held}名。",
                    rules.BRANCH_COMMITTEE_FROM_FULL,
                )
            elif posts.held > limits.committee_usual_max:
                add(
                    Kind.COMMITTEE_TOO_LARGE,
                    Severity.WARNING,
                    f"支部委员会现有委员{posts.held}名，一般由{limits.committee_min}—{limits.committee_max}人组成、"
                    f"不超过{limits.committee_usual_max}人。",
                    rules.BRANCH_COMMITTEE_USUAL_MAX,
                )
    elif org.org_type == OrgType.GENERAL_BRANCH and members >= limits.committee_from:
        add(
            Kind.SUGGEST_COMMITTEE,
            Severity.INFO,
            f"党员{members}名，达到{limits.committee_from}名，可经上级党组织批准设立基层党委。",
            rules.COMMITTEE_FROM,
        )
    return found


def _small_branch_findings(org: Org, posts: _Posts, limits: _Limits, today: date) -> list[Finding]:
    """Too few full members for a 党支部 of its own; too many units for one 联合党支部."""
    found: list[Finding] = []
    add = _adder(org, found)
    full = org.total_full_members
    if org.org_type == OrgType.BRANCH and full < limits.unit_min_full:
        add(
            Kind.BRANCH_TOO_SMALL,
            Severity.INFO,
            f"正式党员{full}名，不足{limits.unit_min_full}名，宜与邻近单位组建联合党支部。",
            rules.BRANCH_MIN_FULL,
        )
    if org.org_type == OrgType.JOINT_BRANCH and posts.units > limits.joint_max_units:
        add(
            Kind.JOINT_BRANCH_TOO_WIDE,
            Severity.WARNING,
            f"联合党支部覆盖{posts.units}个单位，一般不超过{limits.joint_max_units}个，宜调整组织设置。",
            rules.JOINT_BRANCH_MAX_UNITS,
        )
    return found


def _term_findings(org: Org, posts: _Posts, limits: _Limits, today: date) -> list[Finding]:
    """Elected orgs: the term is on file, not over, and not longer than the rules allow."""
    found: list[Finding] = []
    term = limits.term(org.org_type, org.category)
    if org.org_type not in TERM_TYPES or term is None:
        return found
    add = _adder(org, found)

    years = term.years
    if org.term_end is None:
        add(Kind.TERM_MISSING, Severity.INFO, "未录入本届任期，无法提醒换届。")
    elif today > org.term_end:
        add(
            Kind.TERM_OVERDUE,
            Severity.ERROR,
            f"本届任期已于{_fmt(org.term_end)}届满，逾期{(today - org.term_end).days}天未换届。",
            rules.TERM_REMINDER_MONTHS,
        )
    elif today >= add_months(org.term_end, -limits.reminder_months):
        add(
            Kind.TERM_REMINDER,
            Severity.WARNING,
            f"本届任期将于{_fmt(org.term_end)}届满（还有{(org.term_end - today).days}天），"
            f"应提前{limits.reminder_months}个月做好换届准备。",
            rules.TERM_REMINDER_MONTHS,
        )
    if org.term_start and org.term_end and org.term_end > add_years(org.term_start, years):
        add(
            Kind.TERM_TOO_LONG,
            Severity.WARNING,
            f"本届任期{_fmt(org.term_start)}至{_fmt(org.term_end)}，超过规定的每届{years}年"
            "（延期换届须经上级党组织批准）。",
            term.rule,
        )
    return found


def _secretary_findings(org: Org, posts: _Posts, limits: _Limits, today: date) -> list[Finding]:
    """Every org but a 党小组 has a secretary; a vacancy is filled within the rule's months."""
    found: list[Finding] = []
    add = _adder(org, found)

    if org.org_type != OrgType.GROUP and not posts.secretary_held:
        since = posts.secretary_vacant_since
        if since is not None and today > add_months(since, limits.vacancy_months):
            add(
                Kind.SECRETARY_VACANT_LONG,
                Severity.ERROR,
                f"书记自{_fmt(since)}起空缺，已超过{limits.vacancy_months}个月，应及时补选或由上级党组织指派。",
                rules.SECRETARY_VACANCY_MONTHS,
            )
        elif since is not None:
            add(
                Kind.SECRETARY_VACANT,
                Severity.WARNING,
                f"书记自{_fmt(since)}起空缺（{(today - since).days}天），应及时补选。",
                rules.SECRETARY_VACANCY_MONTHS,
            )
        elif posts.secretary_vacancy_recorded:
            add(Kind.SECRETARY_VACANT, Severity.WARNING, "书记空缺（未填写空缺起始日期）。")
        else:
            add(Kind.SECRETARY_MISSING, Severity.INFO, "未登记现任书记。")
    return found


_ORG_CHECKS = (_size_findings, _small_branch_findings, _term_findings, _secretary_findings)


def _org_findings(org: Org, posts: _Posts, limits: _Limits, today: date) -> list[Finding]:
    if not org.is_active:
        return []
    return [finding for check in _ORG_CHECKS for finding in check(org, posts, limits, today)]


def _answering_org(responsible: list[Org]) -> Callable[[str], Org | None]:
    """The deepest active territorial org of ``responsible`` whose area covers an area path."""
    by_area = {}
    for org in sorted(responsible, key=lambda o: (o.area_path, o.code), reverse=True):
        if org.is_active and org.category in TERRITORIAL_CATEGORIES:
            by_area[org.area_path] = org
    area_paths = sorted(by_area, key=len, reverse=True)
    return lambda path: next((by_area[p] for p in area_paths if is_in_subtree(path, p)), None)


def _grid_findings(areas_queryset, responsible: list[Org]) -> list[Finding]:
    """Grids outside the households range of a 综合网格 (DOMAIN.md §5.2, ``areas.checks``)."""
    grids = GridRange.current()
    outside = list(grids.outside(areas_queryset).order_by("code"))
    if not outside:
        return []
    answering = _answering_org(responsible)
    return [
        Finding(
            Kind.GRID_SIZE,
            Severity.WARNING,
            f"{grid.name}：{grids.problem(grid)}",
            org=answering(grid.code),
            area=grid,
            rule=grids.rule_of(grid),
        )
        for grid in outside
    ]


def _unit_findings(units_queryset, limits: _Limits, responsible: list[Org]) -> list[Finding]:
    """应建未建: resident units without a party org whose full members reach the threshold.

    Driven from the units (their employees through the member table's unit index), so the cost
    follows the number of units in scope, not the size of the roster.
    """
    from jiceng.members.models import Member, Status

    employees = Q(employees__status=Status.FULL)
    if any(f.name == "left_on" for f in Member._meta.fields):
        employees &= Q(employees__left_on__isnull=True)
    units = list(
        units_queryset.filter(party_org__isnull=True)
        .annotate(full_count=Count("employees", filter=employees))
        .filter(full_count__gte=limits.unit_min_full)
        .order_by("area_path", "name")
    )
    if not units:
        return []
    answering = _answering_org(responsible)
    found = []
    for unit in units:
        org = answering(unit.area_path)
        found.append(
            Finding(
                Kind.UNIT_WITHOUT_ORG,
                Severity.ERROR,
                f"驻区单位“{unit.name}”有正式党员{unit.full_count}名，"
                f"达到{limits.unit_min_full}名，未建立党组织（应建未建）。",
                org=org,
                unit=unit,
                rule=rules.BRANCH_MIN_FULL,
            )
        )
    return found


def _app_findings(orgs: list[Org], today: date) -> list[Finding]:
    """Findings other apps add (core.registry ``org_checks``), each in a fixed number of queries."""
    from django.utils.module_loading import import_string

    from jiceng.core import registry

    if not orgs:
        return []
    return [finding for check in registry.org_checks() for finding in import_string(check.fetch)(orgs, today)]


def _sorted(findings: list[Finding]) -> list[Finding]:
    # Stable: within one org the findings keep the order in which the rules run.
    order = SEVERITY_ORDER
    return sorted(findings, key=lambda f: (order[f.severity], f.org.code if f.org else ""))


def run_checks(orgs_queryset, *, units_queryset=None, areas_queryset=None, today: date | None = None) -> list[Finding]:
    """Findings for every org in ``orgs_queryset``, every unit in ``units_queryset`` and every
    grid in ``areas_queryset``.

    Queries: the orgs, their current posts and joint branches' units, (with units) the unit member
    counts and the flagged units, (with areas) the flagged grids — independent of how many orgs
    there are.
    """
    today = today or timezone.localdate()
    limits = _Limits()
    orgs = list(orgs_queryset.only(*ORG_FIELDS).order_by("code"))
    posts = _posts_by_org(orgs_queryset.values("pk")) if orgs else {}
    findings = []
    for org in orgs:
        findings.extend(_org_findings(org, posts.get(org.pk, _Posts()), limits, today))
    findings.extend(_app_findings(orgs, today))
    if units_queryset is not None:
        findings.extend(_unit_findings(units_queryset, limits, orgs))
    if areas_queryset is not None:
        findings.extend(_grid_findings(areas_queryset, orgs))
    return _sorted(findings)


def _responsible_units(org: Org):
    if org.category not in TERRITORIAL_CATEGORIES:
        return None
    return ResidentUnit.objects.filter(subtree_q(org.area_path, "area_path"))


def _responsible_areas(org: Org):
    if org.category not in TERRITORIAL_CATEGORIES:
        return None
    return Area.objects.subtree(org.area_path)


def check_org(org: Org, *, today: date | None = None, with_units: bool = True) -> list[Finding]:
    """The findings shown on one org's page (the org itself and, for a territorial org, the
    resident units in its area)."""
    today = today or timezone.localdate()
    limits = _Limits()
    findings = _org_findings(org, _posts_by_org([org.pk]).get(org.pk, _Posts()), limits, today)
    findings.extend(_app_findings([org], today))
    units = _responsible_units(org) if with_units else None
    if units is not None:
        findings.extend(_unit_findings(units, limits, [org]))
    areas = _responsible_areas(org) if with_units else None
    if areas is not None:
        findings.extend(_grid_findings(areas, [org]))
    return _sorted(findings)


def checks_for_org_subtree(org: Org, user=None, *, today: date | None = None) -> list[Finding]:
    """Findings for ``org`` and everything below it (only what ``user`` may see, if given)."""
    orgs = Org.objects.subtree(org.code).filter(is_active=True)
    units = _responsible_units(org)
    areas = _responsible_areas(org)
    if user is not None:
        orgs = orgs.visible_to(user)
        if units is not None:
            units = units.visible_to(user)
        if areas is not None:
            areas = areas.visible_to(user)
    return run_checks(orgs, units_queryset=units, areas_queryset=areas, today=today)


def checks_for_user(user, *, today: date | None = None) -> list[Finding]:
    """Findings for every org ``user`` may see, and the resident units and grids in their area
    scope."""
    orgs = Org.objects.visible_to(user).filter(is_active=True)
    units = None
    if not scope_for(user, UNIT_VIEW).empty:
        units = ResidentUnit.objects.visible_to(user)
    areas = None if scope_for(user, AREA_VIEW).empty else Area.objects.visible_to(user)
    return run_checks(orgs, units_queryset=units, areas_queryset=areas, today=today)


def summarize(findings: list[Finding]) -> dict[str, int]:
    """{severity: count} in display order, zeros included."""
    counts = Counter(f.severity for f in findings)
    return {s.value: counts.get(s.value, 0) for s in Severity}
