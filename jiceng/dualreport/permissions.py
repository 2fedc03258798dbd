"""The 双报到 permission names (who holds them: registry.py). ``view_<model>`` names are the ones
``visible_to`` reads; the others are checked by the services on the row's community or org."""

REGISTRATION_VIEW = "dualreport.view_registration"
REGISTRATION_ADD = "dualreport.add_registration"  # staff register a member or a unit for them
REGISTRATION_CONFIRM = "dualreport.confirm_registration"  # the community confirms or rejects
POST_VIEW = "dualreport.view_servicepost"
POST_ADD = "dualreport.add_servicepost"
SIGNUP_VIEW = "dualreport.view_signup"
SERVICE_VIEW = "dualreport.view_service"
SERVICE_CONFIRM = "dualreport.confirm_service"  # record, confirm, reject and correct services
TALLY_VIEW = "dualreport.view_yeartally"
FEEDBACK_VIEW = "dualreport.view_feedback"
FEEDBACK_ADD = "dualreport.add_feedback"
# The member role (granted on the community where the member lives): 我的双报到 in the menu.
SELF_REPORT = "dualreport.report_self"
