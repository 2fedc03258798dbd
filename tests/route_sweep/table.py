"""The route sweep's one table: how to build each route's URL, and what each route should answer.

``KWARGS`` maps a URL kwarg to the object of the sweep's world it names, by route-name prefix
(the longest matching prefix wins): ``"appeal.pk"`` is ``side.appeal.pk`` of the in-scope or the
out-of-scope side of ``tests/route_sweep/data.py``; ``"=json"`` is a literal. A route whose
kwargs all resolve is swept; one whose kwargs do not, and that ``ROUTES`` does not exempt, fails
the sweep ("neither swept nor exempted").

``ROUTES`` holds, per route name (``"namespace:name"``; ``"namespace:*"`` covers a namespace),
either ``Exempt(reason)`` for a route the sweep cannot exercise, or ``Expect(...)`` for a route
whose answers differ from the defaults: in scope 200 for GET (a POST in scope must not be 404
or 5xx), anonymous → the login page (pages) or 401 (API), no grant → 403 or 404, out of scope →
404, at most ``DEFAULT_MAX_QUERIES`` queries. Every field that departs from a default says why.
"""

from dataclasses import dataclass, field

DEFAULT_MAX_QUERIES = 30
# The other roles held inside (attributes of world.users): on every GET route each of them must
# get 403 or 404 for the outside object, and see none of it in a list.
ROLES = ("street", "grid", "department", "resident")


@dataclass(frozen=True)
class Exempt:
    reason: str


@dataclass(frozen=True)
class Expect:
    status: int = 200  # in scope, GET
    user: str = "district"  # the in-scope user (an attribute of world.users)
    nobody: tuple[int, ...] = (403, 404)  # a user without any grant
    # Answered to anyone, logged in or not, whatever their grants: the reason.
    public: str = ""
    # The URL names no scoped object (a kind, a literal): the out-of-scope request is skipped.
    unscoped: str = ""
    # An out-of-scope marker may legitimately appear in this list: the reason.
    list_may_show: str = ""
    # A route without an object (a form, a dashboard, a search before the query) that shows no
    # in-scope object either, so its "nothing from outside" check is weak: the reason.
    shows_none: str = ""
    # Query-string parameters, with values like KWARGS's (they may name the object).
    query: dict[str, str] = field(default_factory=dict)
    max_queries: int = DEFAULT_MAX_QUERIES
    note: str = ""  # why a status differs from the default


KWARGS: dict[str, dict[str, str]] = {
    "areas:": {"code": "area.code"},
    "orgs:": {"code": "org.code"},
    "orgs:post_end": {"pk": "post.pk"},
    "orgs:part_time_end": {"pk": "part_time.pk"},
    "orgs:unit_edit": {"pk": "unit.pk"},
    "orgs:department_edit": {"pk": "department.pk"},
    "members:": {"pk": "member.pk", "code": "org.code"},
    "members:transfer_": {"pk": "transfer.pk"},
    "members:transfer_org_search": {"pk": "member.pk"},
    "appeals:": {"pk": "appeal.pk", "action": "=sign"},
    "appeals:photo": {"pk": "photo.pk"},
    "appeals:notification_open": {"pk": "notification.pk"},
    "appeals:summons_act": {"pk": "summons.pk", "action": "=report"},
    "appeals:whistle_": {"pk": "whistle.pk"},
    "appeals:summons_rate": {"pk": "whistle.pk", "summons_pk": "summons.pk"},
    "excel:": {"kind": "=members", "pk": "job.pk"},
    "dashboards:": {"tree": "=areas", "code": "area.code"},
    "dashboards:share_revoke": {"pk": "share_link.pk"},
    "screen:": {"token": "share_token"},
    "excel:export_checked": {"kind": "=appeals"},
    "orglife:": {"pk": "meeting.pk", "action": "=open-signin", "code": "group.code"},
    "orglife:attachment": {"pk": "attachment.pk"},
    "orglife:makeup_detail": {"pk": "makeup.pk"},
    "orglife:exemption_decide": {"pk": "exemption.pk"},
    "orglife:signin": {"code": "=1-1-0000000000000000"},
    "appraisal:": {"pk": "appraisal_round.pk", "action": "=close"},
    "system:": {"pk": "account.pk"},
    "system:grant_revoke": {"pk": "grant.pk"},
    "system:token_revoke": {"pk": "token.pk"},
    "accounts:my_token_revoke": {"pk": "own_token.pk"},
    "dualreport:": {"pk": "registration.pk", "action": "=confirm"},
    "dualreport:mine_sign_up": {"pk": "dual_post.pk"},
    "dualreport:mine_cancel_sign_up": {"pk": "dual_post.pk"},
    "dualreport:post_": {"pk": "dual_post.pk"},
    "dualreport:service_": {"pk": "service.pk", "action": "=confirm"},
    "dualreport:feedback_": {"pk": "feedback.pk"},
    "cobuild:": {"pk": "cobuild_item.pk"},
    "cobuild:claim_": {"pk": "cobuild_claim.pk", "action": "=confirm"},
    "cobuild:evidence": {"pk": "cobuild_evidence.pk"},
    "cobuild:event_": {"pk": "cobuild_event.pk"},
    "cobuild:need_from_appeal": {"appeal_pk": "appeal.pk"},
    "volunteers:": {"pk": "vol_activity.pk", "code": "=1-1-0000000000000000"},
    "volunteers:team_": {"pk": "vol_team.pk"},
    "volunteers:hours_decide": {"pk": "vol_hours.pk", "verdict": "=approve"},
    "volunteers:mine_cancel": {"pk": "vol_signup.pk"},
    "timebank:": {"pk": "tb_account.pk"},
    "timebank:movement_reverse": {"pk": "tb_movement.pk"},
    "api:": {"format": "=json"},
    "api:area-": {"code": "area.code"},
    "api:org-": {"code": "org.code"},
    "api:appeal-": {"pk": "appeal.pk", "photo_id": "photo.pk"},
    "api:appealevent-": {"pk": "event.pk"},
    "api:whistle-": {"pk": "whistle.pk"},
    "api:whistlesummons-": {"pk": "summons.pk"},
    "api:residentunit-": {"pk": "unit.pk"},
    "api:department-": {"pk": "department.pk"},
    "api:member-": {"pk": "member.pk"},
    "api:transfer-": {"pk": "transfer.pk"},
    "api:apitoken-": {"pk": "own_token.pk"},
    "api:meeting-": {"pk": "meeting.pk"},
    "api:attendance-": {"pk": "attendance.pk"},
    "api:dualregistration-": {"pk": "registration.pk"},
    "api:appraisalround-": {"pk": "appraisal_round.pk"},
    "api:cobuilditem-": {"pk": "cobuild_item.pk"},
    "api:cobuildclaim-": {"pk": "cobuild_claim.pk"},
    "api:dualpost-": {"pk": "dual_post.pk"},
    "api:dualsignup-": {"pk": "signup.pk"},
    "api:dualservice-": {"pk": "service.pk"},
    "wishes:": {"pk": "wish.pk", "action": "=claim"},
    "partners:": {"pk": "agreement.pk"},
    "partners:duty_done": {"pk": "duty.pk"},
    "consult:": {"pk": "consultation.pk"},
    "consult:consultation_item": {"pk": "consultation.pk", "kind": "=need"},
    "api:wish-": {"pk": "wish.pk"},
    "api:pointaward-": {"pk": "award.pk"},
    "api:partneragreement-": {"pk": "agreement.pk"},
    "api:consultation-": {"pk": "consultation.pk"},
    "api:volunteerteam-": {"pk": "vol_team.pk"},
    "api:volunteeractivity-": {"pk": "vol_activity.pk"},
    "api:volunteersignup-": {"pk": "vol_signup.pk"},
    "api:volunteerhours-": {"pk": "vol_hours.pk"},
    "api:timebankaccount-": {"pk": "tb_account.pk"},
    "api:timebankmovement-": {"pk": "tb_movement.pk"},
    "api:timebankredemption-": {"pk": "tb_redemption.pk"},
    "api:orglifeexemption-": {"pk": "exemption.pk"},
    "api:meetingbackfill-": {"pk": "backfilled.pk"},
    "open311:": {
        "fmt": "=json",
        "service_code": "category.code",
        "service_request_id": "appeal.number",
        "token_id": "=no-such-token",
        "path": "=no-such-endpoint",
    },
}

# A list or a form: a user without grants gets it empty (checked: no object of either side shown)
# or is refused.
EMPTY = (200, 403, 404)
# An API list that also creates: as EMPTY, and an empty POST may be refused as invalid first.
CREATE = (200, 400, 403, 404)
OPEN311 = "Open311 GeoReport v2 is an open read API: requests are public, reporters are never output"

FORM = "a form to create an object: it shows none yet"
ME = "the member's own code: a QR of their roster id, no object of a subtree"

ROUTES: dict[str, Exempt | Expect] = {
    "accounts:home": Expect(nobody=EMPTY, shows_none="the menu, not a list", note="says what the user may open"),
    "accounts:audit_list": Expect(nobody=EMPTY),
    "accounts:my_tokens": Expect(nobody=EMPTY, shows_none="the user's own API tokens, not objects of a subtree"),
    "areas:area_tree": Expect(status=302, nobody=EMPTY, note="redirects a user with one grant to its node"),
    # "社区" matches a community on each side: the outside one must not be found.
    "areas:area_search": Expect(nobody=EMPTY, query={"q": "=社区"}),
    # The pickers' suggestions (jiceng.core.picker): a list of the user's nodes, JSON.
    "areas:area_pick": Expect(nobody=EMPTY, query={"q": "=社区"}),
    "orgs:unit_add": Expect(shows_none=FORM),
    "orgs:department_add": Expect(shows_none=FORM),
    "members:transfer_incoming_add": Expect(shows_none=FORM),
    "appeals:workbench": Expect(user="department"),
    "appeals:department_desk": Expect(user="department"),
    "appeals:map": Expect(note="pins of the appeals in scope; the sweep's appeals have coordinates"),
    "appeals:rates": Expect(shows_none="rates of the user's own node, read from monthly aggregates"),
    "excel:home": Expect(shows_none="the kinds the user may import or export"),
    "dashboards:home": Expect(status=302, nobody=EMPTY, note="to the dashboard of the user's own node"),
    # One query per metric source (figures and trend), the treemap, boundaries, today's counters and
    # the user's 指标设置: fixed whatever the rows (test_kiosk.py::test_kiosk_queries_do_not_grow_with_rows).
    "dashboards:kiosk": Expect(note="the 大屏 of a node in scope", max_queries=34),
    "dashboards:share_revoke": Expect(status=405, note="POST only: revokes the user's own link"),
    "dashboards:choice": Expect(status=405, note="POST only: saves the user's 指标设置 (test_choice.py)"),
    "dashboards:snapshot": Expect(status=405, note="POST only: the month is not over, so it is refused with a message"),
    "screen:shared": Expect(
        max_queries=34,  # as dashboards:kiosk, plus the link's row and its last-seen stamp
        public="a 大屏 share link: the signed token is the credential, the page holds aggregates only",
        unscoped="the token names its link; a forged one is a 404 (dashboards/tests/test_kiosk.py)",
    ),
    "screen:shared_data": Expect(
        public="the JSON of a 大屏 share link: aggregates only, the signed token is the credential",
        unscoped="the token names its link; a forged one is a 404 (dashboards/tests/test_kiosk.py)",
    ),
    "api:metric-list": Expect(nobody=EMPTY, shows_none="the definitions of the metrics: no object"),
    "api:metric-figures": Expect(query={"node": "area.code"}),
    "excel:import": Expect(shows_none=FORM),
    # POST only: the ticked ids are read through the kind's exporter, i.e. visible_to(user, "export").
    "excel:export_checked": Expect(note="批量导出: an empty POST is sent back with the reason"),
    "api:appealevent-list": Expect(nobody=EMPTY, shows_none="an event names its appeal by id only: no marker"),
    "orgs:org_tree": Expect(status=302, nobody=EMPTY, note="redirects a user with one grant to its node"),
    "orgs:org_add_root": Expect(user="root", list_may_show="a form for a superuser only: its pickers show all"),
    "orgs:check_list": Expect(
        nobody=EMPTY, max_queries=34, note="组织生活's findings (registry OrgCheck) add three fixed queries"
    ),
    "orgs:org_pick": Expect(nobody=EMPTY, query={"q": "=党支部"}),
    "system:user_add": Expect(
        shows_none="a blank form: the area is chosen with the picker (areas:area_pick, swept), no list on the page"
    ),
    "orgs:unit_list": Expect(nobody=EMPTY),
    "orgs:department_list": Expect(nobody=EMPTY),
    "members:member_list": Expect(nobody=EMPTY),
    "members:member_add": Expect(query={"org": "org.code"}),
    "members:member_advance": Expect(status=302, note="a full member has no further stage: back to the record"),
    "members:pipeline": Expect(nobody=EMPTY),
    "appeals:mine": Expect(user="resident", nobody=EMPTY, note="every user may report and follow their own"),
    "appeals:submit": Expect(user="resident", nobody=EMPTY, shows_none=FORM, note="every user may report"),
    "appeals:whistle_new": Expect(user="street"),
    # POST only (GET answers 405): the ticked rows are read through visible_to(user, "dispatch").
    "appeals:bulk_dispatch": Expect(note="批量派单: an empty POST is sent back to the 派单台 with the reason"),
    "appeals:bulk_extend": Expect(note="批量批准延期: an empty POST is sent back to the 派单台 with the reason"),
    # POST only: the ticked transfers are read through visible_to(user) and accepted by the service.
    "members:transfer_bulk_accept": Expect(note="批量接收: an empty POST is sent back to the list with the reason"),
    "appeals:notifications": Expect(nobody=EMPTY, note="every user has an inbox, maybe empty"),
    "appeals:notification_open": Expect(status=302, note="marks it read and goes to the request it is about"),
    "appeals:notifications_read_all": Expect(nobody=(302,), note="marks the user's own notifications read"),
    "todo:counts": Expect(nobody=EMPTY, shows_none="numbers of the user's own waiting work, no object"),
    "dualreport:mine": Expect(
        nobody=EMPTY, shows_none="the signed-in member's own 双报到: a user without a roster entry reads a note"
    ),
    "dualreport:mine_service_add": Expect(
        status=403, note="a member with a confirmed registration only: staff are refused"
    ),
    "dualreport:registration_list": Expect(nobody=EMPTY),
    "dualreport:registration_add": Expect(user="street", shows_none=FORM),
    "dualreport:post_list": Expect(nobody=EMPTY),
    "dualreport:post_add": Expect(user="street", shows_none=FORM),
    "dualreport:service_list": Expect(nobody=EMPTY),
    "api:dualregistration-list": Expect(nobody=CREATE),
    "api:dualpost-list": Expect(nobody=CREATE),
    "api:dualsignup-list": Expect(nobody=EMPTY),
    "api:dualservice-list": Expect(nobody=CREATE),
    "cobuild:board": Expect(note="服务公告栏 of the user's own node; a user without a grant is refused"),
    "cobuild:mine": Expect(nobody=EMPTY, shows_none="the signed-in user's own claims: none for staff"),
    "cobuild:item_list": Expect(nobody=EMPTY),
    "cobuild:item_add": Expect(user="street", shows_none=FORM),
    "cobuild:claim_list": Expect(nobody=EMPTY),
    "cobuild:event_add": Expect(user="street", shows_none=FORM),
    "cobuild:need_from_appeal": Expect(user="street", note="the request's community (or street) turns it into a need"),
    "cobuild:category_list": Expect(
        user="root", unscoped="the city's category tree: no object of a subtree", shows_none="categories only"
    ),
    "api:cobuilditem-list": Expect(nobody=CREATE),
    "api:cobuildclaim-list": Expect(nobody=EMPTY),
    "volunteers:team_list": Expect(nobody=EMPTY),
    "volunteers:activity_list": Expect(nobody=EMPTY),
    "volunteers:hours_list": Expect(nobody=EMPTY),
    "volunteers:activity_add": Expect(user="street", shows_none=FORM),
    "volunteers:activity_qr": Expect(user="street", note="the host's screen: the community and street run sign-in"),
    "volunteers:activity_qr_code": Expect(
        user="street", note="the host's screen: the community and street run sign-in"
    ),
    "volunteers:mine": Expect(
        user="resident",
        nobody=(403,),
        unscoped="the signed-in volunteer's own page",
        shows_none="the volunteer's own activities, hours and balance",
    ),
    "volunteers:mine_report": Expect(
        user="resident", nobody=(403,), unscoped="the volunteer's own report", shows_none=FORM
    ),
    "volunteers:mine_sign_up": Expect(
        user="resident", note="the volunteer signs up for an activity of their community"
    ),
    "volunteers:mine_cancel": Expect(user="resident", note="the volunteer cancels their own sign-up"),
    "volunteers:scan": Expect(
        user="resident",
        nobody=(200,),
        note="every signed-in user may open a code; an invalid code is refused with a message",
        unscoped="a sign-in code names its activity inside the code: a bad one is refused with a message",
        shows_none="the confirmation page of a code; an invalid code shows only the refusal",
    ),
    "timebank:account_list": Expect(nobody=EMPTY),
    "timebank:redeem": Expect(user="street", shows_none=FORM),
    "timebank:donate": Expect(user="resident", nobody=(404,), unscoped="the volunteer's own account", shows_none=FORM),
    "api:volunteerteam-list": Expect(nobody=EMPTY),
    "api:volunteeractivity-list": Expect(nobody=EMPTY),
    "api:volunteersignup-list": Expect(nobody=EMPTY),
    "api:volunteerhours-list": Expect(nobody=CREATE),
    "api:timebankaccount-list": Expect(nobody=EMPTY),
    "api:timebankmovement-list": Expect(nobody=EMPTY),
    "api:timebankredemption-list": Expect(nobody=CREATE),
    # The volunteer pickers of 兑换服务 (jiceng/timebank/picker.py): JSON suggestions.
    "timebank:pick_beneficiary": Expect(user="street", nobody=EMPTY, query={"q": "=志愿者"}),
    "timebank:pick_server": Expect(
        user="street",
        nobody=EMPTY,
        query={"q": "=志愿者"},
        list_may_show="通存通兑: a volunteer of any community may serve, found by name (name and community only)",
    ),
    "api:area-list": Expect(nobody=EMPTY),
    "api:appeal-list": Expect(nobody=CREATE),
    "api:appealrate-list": Expect(query={"area": "area.code"}),
    "api:appealrate-ranking": Expect(query={"parent": "area.code"}),
    "api:appealrate-department": Expect(query={"department": "department.pk"}),
    "api:whistle-list": Expect(nobody=CREATE),
    "api:whistlesummons-list": Expect(nobody=EMPTY),
    "api:org-list": Expect(nobody=EMPTY),
    "api:residentunit-list": Expect(nobody=EMPTY),
    "api:department-list": Expect(nobody=EMPTY),
    "api:member-list": Expect(nobody=EMPTY),
    "api:transfer-list": Expect(nobody=CREATE),
    "api:apitoken-list": Expect(nobody=EMPTY, shows_none="the caller's own API tokens, not objects of a subtree"),
    "api:api-root": Expect(nobody=EMPTY, shows_none="the API's index of links"),
    "orglife:meeting_list": Expect(nobody=EMPTY),
    "orglife:meeting_backfill": Expect(
        unscoped="the chooser of the user's own orgs (补录): the URL names no object",
        shows_none="lists orgs to choose from, not a meeting",
    ),
    "orglife:compliance": Expect(unscoped="the report of the user's own scope: the URL names no object"),
    "orglife:exemption_list": Expect(unscoped="the exemptions of the user's own scope: the URL names no object"),
    # POST only: the district office approves the side's pending request; back to the list.
    "orglife:exemption_decide": Expect(status=302, note="decided (or refused with a message): back to the list"),
    # POST only: open sign-in on a held meeting is not allowed now; back to the meeting with the reason.
    "orglife:meeting_act": Expect(status=302, note="the held meeting cannot open sign-in: back with a message"),
    "orglife:my_meetings": Expect(user="member", nobody=EMPTY, note="every user may open it; a member sees own"),
    "orglife:my_makeup": Expect(user="member", nobody=EMPTY, note="every user may open it; a member sees own"),
    "orglife:my_meeting": Expect(user="member", note="a member's own meeting (the outside one is not theirs)"),
    "orglife:makeup_detail": Expect(user="member", note="a member's own 补学 task"),
    "orglife:my_code": Expect(user="member", unscoped="the member's own personal sign-in code", shows_none=ME),
    "orglife:my_code_qr": Expect(user="member", unscoped="the member's own personal sign-in code", shows_none=ME),
    "orglife:signin": Expect(
        user="member",
        nobody=CREATE,
        note="every signed-in user may open a code; it is refused (400) without a roster entry",
        unscoped="a sign-in code names its meeting inside the code: a bad one is refused with a message",
        shows_none="the confirmation page of a code; an invalid code shows only the refusal",
    ),
    "api:meeting-list": Expect(nobody=CREATE),
    "api:orglifeexemption-list": Expect(nobody=CREATE),
    "api:meetingbackfill-list": Expect(nobody=CREATE),
    "appraisal:round_add": Expect(
        unscoped="the chooser of the user's own branches: the URL names no object",
        shows_none="lists branches to choose from, not a round",
    ),
    # POST only: closing the open round's ballot works in scope and goes back to the round.
    "appraisal:round_act": Expect(status=302, note="closing the ballot goes back to the round page"),
    "appraisal:my_rounds": Expect(user="member", nobody=EMPTY, note="every user may open it; a member sees own"),
    "appraisal:my_round": Expect(user="member", note="a member's own round (the outside one is not theirs)"),
    "api:appraisalround-list": Expect(nobody=CREATE),
    "points:mine": Expect(
        nobody=EMPTY, shows_none="the signed-in member's own points: a user without a roster entry reads a note"
    ),
    "points:award_list": Expect(nobody=EMPTY),
    "points:rules": Expect(user="root", shows_none="the city's scheme: no object of a subtree"),
    "api:pointaward-list": Expect(nobody=EMPTY),
    "wishes:wish_list": Expect(nobody=EMPTY),
    "wishes:wish_add": Expect(user="community", shows_none=FORM),
    "api:wish-list": Expect(nobody=CREATE),
    "partners:agreement_list": Expect(nobody=EMPTY),
    "partners:agreement_add": Expect(user="community", shows_none=FORM),
    "api:partneragreement-list": Expect(nobody=EMPTY),
    "consult:consultation_list": Expect(nobody=EMPTY),
    "consult:consultation_add": Expect(user="community", shows_none=FORM),
    "consult:consultation_item": Expect(user="community", note="转为需求: the meeting's community publishes"),
    "api:consultation-list": Expect(nobody=EMPTY),
    "api:attendance-list": Expect(nobody=EMPTY),
    "admin:*": Exempt("Django admin: staff only, guarded by the admin site's own login and permissions"),
    "accounts:login": Expect(public="the login page", status=302, note="a logged-in user is sent on"),
    "accounts:logout": Exempt("logging out takes no object and changes only the session"),
    "healthz": Expect(public="the load balancer's health check"),
    "schema": Expect(public="the OpenAPI document describes the API, not its data", max_queries=5),
    "swagger-ui": Expect(public="the offline Swagger UI page", max_queries=5),
    "api:token": Exempt("POST username and password for a token: tested in accounts and the API tests"),
    "open311:discovery": Expect(public=OPEN311),
    "open311:services": Expect(public=OPEN311),
    "open311:service": Expect(public=OPEN311),
    "open311:requests": Expect(public=OPEN311),
    "open311:request": Expect(public=OPEN311),
    "open311:token": Expect(public=OPEN311, status=404),
    "open311:not_found": Expect(public=OPEN311, status=404),
}
