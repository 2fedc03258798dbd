"""The dashboards' tests reuse the 民呼我应 fixtures: a worked September 2025 of requests in 玄武区."""

from jiceng.appeals.tests.conftest import catalogue, departments, people, submit  # noqa: F401
from jiceng.appeals.tests.test_rates import september  # noqa: F401
