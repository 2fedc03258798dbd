"""The 志愿服务 permission names (who holds them: registry.py). ``view_<model>`` names are the ones
``visible_to`` reads; the others are checked by the services on the row's community."""

TEAM_VIEW = "volunteers.view_team"
TEAM_ADD = "volunteers.add_team"  # found a team, add and remove its members
VOLUNTEER_VIEW = "volunteers.view_volunteer"
ACTIVITY_VIEW = "volunteers.view_activity"
ACTIVITY_ADD = "volunteers.add_activity"  # publish an activity, run its sign-in, confirm sign-ups
SIGNUP_VIEW = "volunteers.view_signup"
HOURS_VIEW = "volunteers.view_hoursrecord"
HOURS_APPROVE = "volunteers.approve_hoursrecord"
# Residents and members: browse the board, sign up, scan to sign in, report hours (我的志愿服务).
TAKE_PART = "volunteers.take_part"
