"""The appeals' (民呼我应) permission names (who holds them: registry.py).

A department handler's grant is on its department: it sees the appeals assigned to it and those it
is summoned to (吹哨), never the rest of the district.
"""

APPEAL_VIEW = "appeals.view_appeal"
APPEAL_ADD = "appeals.add_appeal"  # record on behalf of a resident (网格员代录, 热线, 上级转办)
APPEAL_DISPATCH = "appeals.dispatch_appeal"  # 派单, 改派, 延期审批, 回访, 办结, 重办, 合并, 撤销
APPEAL_HANDLE = "appeals.handle_appeal"  # 签收, 办理, 答复, 退单, 申请延期
APPEAL_SUPERVISE = "appeals.supervise_appeal"  # 挂牌督办
APPEAL_REPORTER = "appeals.view_reporter_appeal"  # the reporter's name and phone in full
APPEAL_EXPORT = "appeals.export_appeal"
# Work orders are not imported from Excel: the Excel kind names this right and no role holds it.
APPEAL_IMPORT = "appeals.import_appeal"
CATEGORY_CHANGE = "appeals.change_category"  # the service catalogue
WHISTLE_VIEW = "appeals.view_whistle"
WHISTLE_ADD = "appeals.add_whistle"  # 吹哨
SUMMONS_VIEW = "appeals.view_whistlesummons"
SUMMONS_REPORT = "appeals.report_whistlesummons"  # 报到, 反馈
SUMMONS_RATE = "appeals.rate_whistlesummons"  # the street's rating of a department
