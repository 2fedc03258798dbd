"""Fixtures for the appeals: a small catalogue, departments of 玄武区 and 秦淮区, people with roles.

Builds on the repo-root ``tree`` and ``users`` fixtures (a slice of Nanjing). Times are fixed
(``T0`` is a Wednesday morning in September 2025) so deadlines are exact.
"""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from jiceng.accounts.services import assign_role
from jiceng.appeals import services
from jiceng.appeals.models import Channel, ResponsibleLevel, Urgency
from jiceng.appeals.services import create_category
from jiceng.orgs.models import Department, DepartmentLevel

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 9, 10, 9, 0, tzinfo=SHANGHAI)  # Wednesday


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def catalogue(db):
    c = SimpleNamespace()
    c.city_look = create_category(None, name="市容环境", responsible_level=ResponsibleLevel.COMMUNITY)
    c.stall = create_category(None, name="占道经营", parent=c.city_look, responsible_level=ResponsibleLevel.GRID)
    c.building = create_category(
        None,
        name="违法建设",
        parent=c.city_look,
        responsible_level=ResponsibleLevel.DEPARTMENT,
        department_keyword="城市管理",
    )
    c.utilities = create_category(None, name="水电气热", responsible_level=ResponsibleLevel.DEPARTMENT)
    c.water = create_category(
        None,
        name="停水",
        parent=c.utilities,
        responsible_level=ResponsibleLevel.DEPARTMENT,
        department_keyword="水务",
        default_urgency=Urgency.URGENT,
    )
    c.danger = create_category(
        None, name="紧急险情", responsible_level=ResponsibleLevel.STREET, default_urgency=Urgency.EMERGENCY
    )
    c.consult = create_category(None, name="政策咨询", responsible_level=ResponsibleLevel.COMMUNITY)
    c.parking = create_category(
        None,
        name="老旧小区停车",
        responsible_level=ResponsibleLevel.STREET,
        default_urgency=Urgency.COMPLEX,
        attributes=[
            {
                "code": "spaces",
                "datatype": "number",
                "required": True,
                "description": "涉及车位数",
            },
            {
                "code": "when",
                "datatype": "singlevaluelist",
                "description": "发生时段",
                "values": [{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"}],
            },
        ],
    )
    return c


@pytest.fixture
def departments(tree):
    d = SimpleNamespace()
    d.xw_chengguan = Department.objects.create(
        name="玄武区城市管理局", level=DepartmentLevel.DISTRICT, area=tree.xuanwu, area_path=tree.xuanwu.code
    )
    d.xw_water = Department.objects.create(
        name="玄武区水务局", level=DepartmentLevel.DISTRICT, area=tree.xuanwu, area_path=tree.xuanwu.code
    )
    d.qh_chengguan = Department.objects.create(
        name="秦淮区城市管理局", level=DepartmentLevel.DISTRICT, area=tree.qinhuai, area_path=tree.qinhuai.code
    )
    return d


@pytest.fixture
def people(users, tree, departments, make_user):
    """``users`` plus a department handler for each department, more grid workers, residents."""
    p = SimpleNamespace(**vars(users))
    p.chengguan = make_user("xw_chengguan", email="cg@example.cn")
    assign_role(None, p.chengguan, "department", department=departments.xw_chengguan)
    p.water = make_user("xw_water")
    assign_role(None, p.water, "department", department=departments.xw_water)
    p.qh_chengguan = make_user("qh_chengguan")
    assign_role(None, p.qh_chengguan, "department", department=departments.qh_chengguan)
    p.grid2 = make_user("beianmen_grid2", role="grid_worker", area=tree.grid2)
    # The worker of 梅园新村社区's grid: a grid handles what the street sends it (is_handler).
    p.meiyuan_grid = make_user("meiyuan_grid1", role="grid_worker", area=tree.meiyuan_grid)
    p.resident = make_user("resident_zhang", display_name="张三", phone="13812345678", email="zhang@example.cn")
    assign_role(None, p.resident, "resident", tree.beianmen)
    p.resident2 = make_user("resident_li", display_name="李四", phone="13900001111")
    return p


@pytest.fixture
def submit(people, catalogue, tree):
    """``submit(**overrides)`` → a new appeal reported by the resident at 1栋 (at ``T0``)."""

    def make(actor=None, **kwargs):
        values = {
            "channel": Channel.RESIDENT,
            "category": catalogue.stall,
            "description": "1栋楼下有人占道摆摊，影响通行。",
            "area": tree.building,
            "now": T0,
        }
        values.update(kwargs)
        return services.create_appeal(actor or people.resident, **values)

    return make
