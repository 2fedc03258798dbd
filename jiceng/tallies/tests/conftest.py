"""The moves' tests reuse the 民呼我应 September and the members' org tree."""

from jiceng.appeals.tests.conftest import catalogue, departments, people, submit  # noqa: F401
from jiceng.appeals.tests.test_rates import september  # noqa: F401
from jiceng.members.tests.conftest import make_member, orgs  # noqa: F401
