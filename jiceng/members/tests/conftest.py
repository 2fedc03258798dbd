"""Fixtures for the members app: a party-org tree on the shared area tree, members at each stage."""

import itertools
from datetime import date
from types import SimpleNamespace

import pytest

from jiceng.accounts.models import RoleAssignment
from jiceng.core.ids import check_char
from jiceng.members import services
from jiceng.members.models import Status
from jiceng.members.rules import clear_rule_snapshot
from jiceng.orgs.models import OrgCategory, OrgType
from jiceng.orgs.services import create_org

_seq = itertools.count(11)


def make_id(birth: date = date(1980, 1, 9), seq: int | None = None, area: str = "320102") -> str:
    """A valid 18-digit ID number (GB 11643) for ``birth``; odd ``seq`` is male."""
    seq = next(_seq) % 1000 if seq is None else seq
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


# Dates of a complete path through the pipeline (after the 2014 细则, so every rule applies).
FULL_DATES = {
    "application_date": date(2015, 3, 1),
    "talk_date": date(2015, 3, 20),
    "activist_date": date(2015, 6, 1),
    "candidate_date": date(2016, 6, 1),
    "training_hours": 24,
    "admission_date": date(2016, 9, 1),
    "approval_date": date(2016, 10, 15),
    "full_member_date": date(2017, 9, 1),
}
STAGE_FIELDS = {
    Status.APPLICANT: ["application_date"],
    Status.ACTIVIST: ["application_date", "talk_date", "activist_date"],
    Status.CANDIDATE: ["application_date", "talk_date", "activist_date", "candidate_date", "training_hours"],
    Status.PROBATIONARY: [
        "application_date",
        "talk_date",
        "activist_date",
        "candidate_date",
        "training_hours",
        "admission_date",
        "approval_date",
    ],
    Status.FULL: list(FULL_DATES),
}


@pytest.fixture(autouse=True)
def _fresh_rules():
    clear_rule_snapshot()
    yield
    clear_rule_snapshot()


@pytest.fixture
def orgs(tree):
    """::

    北安门社区党委 (committee, 北安门社区)
      第一网格党支部 (branch, 第一网格)
      第二网格党支部 (branch, 第二网格)
    贡院社区党委 (committee, 贡院社区)
      贡院社区第一党支部 (branch, 贡院社区)
    """
    o = SimpleNamespace()
    o.beianmen = create_org(
        None,
        parent=None,
        name="中共北安门社区委员会",
        org_type=OrgType.COMMITTEE,
        category=OrgCategory.COMMUNITY,
        area=tree.beianmen,
    )
    o.branch1 = create_org(
        None,
        parent=o.beianmen,
        name="北安门社区第一网格党支部",
        org_type=OrgType.BRANCH,
        category=OrgCategory.GRID,
        area=tree.grid1,
    )
    o.branch2 = create_org(
        None,
        parent=o.beianmen,
        name="北安门社区第二网格党支部",
        org_type=OrgType.BRANCH,
        category=OrgCategory.GRID,
        area=tree.grid2,
    )
    o.gongyuan = create_org(
        None,
        parent=None,
        name="中共贡院社区委员会",
        org_type=OrgType.COMMITTEE,
        category=OrgCategory.COMMUNITY,
        area=tree.gongyuan,
    )
    o.gongyuan_branch = create_org(
        None,
        parent=o.gongyuan,
        name="贡院社区第一党支部",
        org_type=OrgType.BRANCH,
        category=OrgCategory.COMMUNITY,
        area=tree.gongyuan,
    )
    return o


@pytest.fixture
def make_member(orgs):
    """``make_member(org=None, status=Status.FULL, name=..., **fields)`` through the service."""
    names = itertools.count(1)

    def make(org=None, status=Status.FULL, *, name=None, id_number=None, birth=date(1980, 1, 9), **fields):
        data = {f: FULL_DATES[f] for f in STAGE_FIELDS.get(status, FULL_DATES)}
        if status not in STAGE_FIELDS:
            data["exit_date"] = date(2020, 1, 1)
        data.update(fields)
        return services.create_member(
            None,
            org=org or orgs.branch1,
            name=name or f"党员{next(names)}",
            id_number=id_number or make_id(birth),
            status=status,
            **data,
        )

    return make


def grant_org(user, role, org):
    RoleAssignment.objects.create(user=user, role=role, org=org)
    user.forget_grants()
    return user


@pytest.fixture
def secretary(make_user, orgs):
    """A 党支部书记 of 第一网格党支部, granted on the org (not an area)."""
    return grant_org(make_user("branch1_secretary"), "branch_secretary", orgs.branch1)
