from jiceng.volunteers.tests.conftest import make_activity, vol  # noqa: F401
