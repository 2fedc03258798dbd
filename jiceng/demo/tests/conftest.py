"""The demo city for the demo tests: the small area tree and its districts' departments."""

from datetime import date

import pytest

from jiceng.orgs.models import Department, DepartmentLevel

TODAY = date(2025, 9, 30)
DEPARTMENTS = ["城市管理局", "住房和城乡建设局", "市场监督管理局", "公安分局", "生态环境分局", "水务局", "民政局"]


@pytest.fixture
def city(tree):
    for district in (tree.xuanwu, tree.qinhuai):
        for name in DEPARTMENTS:
            Department.objects.create(
                name=f"{district.name}{name}", level=DepartmentLevel.DISTRICT, area=district, area_path=district.code
            )
    return tree
