"""民呼我应 pages: :mod:`.appeals` (requests, desks, rates), :mod:`.whistles` (吹哨报到 follow-up),
:mod:`.scorecard` (部门考核), :mod:`.map` (诉求地图)."""

from jiceng.appeals.views.appeals import (
    act,
    bulk_dispatch,
    bulk_extend,
    department_desk,
    detail,
    mine,
    photo,
    queue,
    rates,
    submit,
    summons_act,
    workbench,
)
from jiceng.appeals.views.map import appeal_map
from jiceng.appeals.views.notifications import notification_list, notification_open, notification_read_all
from jiceng.appeals.views.printing import appeal_ticket_pdf
from jiceng.appeals.views.scorecard import scorecard
from jiceng.appeals.views.whistles import whistle_act, whistle_detail, whistle_list, whistle_new

__all__ = [
    "act",
    "appeal_map",
    "appeal_ticket_pdf",
    "bulk_dispatch",
    "bulk_extend",
    "department_desk",
    "detail",
    "mine",
    "notification_list",
    "notification_open",
    "notification_read_all",
    "photo",
    "queue",
    "rates",
    "scorecard",
    "submit",
    "summons_act",
    "whistle_act",
    "whistle_detail",
    "whistle_list",
    "whistle_new",
    "workbench",
]
