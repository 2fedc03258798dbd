"""The organisational-life permission names (who holds them: registry.py)."""

MEETING_VIEW = "orglife.view_meeting"
MEETING_ADD = "orglife.add_meeting"
# Run a meeting: sign-in screen, 代签, close, attachments, minutes (the branch and its offices).
MEETING_CHANGE = "orglife.change_meeting"
# Review submitted minutes (通过 / 退回): the street or a higher office.
MINUTES_REVIEW = "orglife.review_meeting"
# A member's own pages (我的会议, 签到码, 补学): held by the "member" role. It names no model action,
# so it widens no ``visible_to``: a member sees their own meetings through Meeting's own-rows rule.
MEETING_ATTEND = "orglife.attend_meeting"
# Reading the rows that hang off meetings, under the same grants as the meetings.
ATTENDANCE_VIEW = "orglife.view_attendance"
MAKEUP_VIEW = "orglife.view_makeuptask"
PLAN_VIEW = "orglife.view_recurringplan"
HELD_VIEW = "orglife.view_heldmonth"
HELD_IMPORT = "orglife.import_heldmonth"  # held by no role: the compliance export has no import
GROUP_MEMBER_VIEW = "orglife.view_groupmember"
# 免于考核 (exemptions from the compliance check): read with the meetings' grants, decided by the
# higher org (community and above).
EXEMPTION_VIEW = "orglife.view_exemption"
EXEMPTION_DECIDE = "orglife.change_exemption"
