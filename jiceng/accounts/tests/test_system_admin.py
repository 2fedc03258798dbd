"""系统管理: who may grant what where, who may manage which account, and the pages that do it."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from jiceng.accounts.granting import grant_refusal, management_refusal
from jiceng.accounts.models import ApiToken, AuditLog, RoleAssignment, User
from jiceng.accounts.services import (
    AccountError,
    grant_role,
    issue_token,
    onboard_user,
    reset_password,
    set_user_active,
    unlock_user,
    withdraw_role,
)
from jiceng.orgs.models import DepartmentLevel
from jiceng.orgs.services import create_department
from jiceng.orgs.tests.conftest import build_orgs

PASSWORD = "Correct-Horse-77"


@pytest.fixture(autouse=True)
def _fast_hashing(cheap_argon2):
    pass


@pytest.fixture
def world(tree, users):
    orgs = build_orgs(tree)
    street_dept = create_department(
        None, name="梅园新村街道综合行政执法队", level=DepartmentLevel.STREET, area=tree.meiyuan
    )
    district_dept = create_department(None, name="玄武区城市管理局", level=DepartmentLevel.DISTRICT, area=tree.xuanwu)
    other_dept = create_department(None, name="夫子庙街道执法队", level=DepartmentLevel.STREET, area=tree.fuzimiao)
    staff = onboard_user(users.street, username="wangwu", password=PASSWORD, display_name="王五", area=tree.beianmen)
    return tree, users, orgs, street_dept, district_dept, other_dept, staff


# --------------------------------------------------------------------------- what may be granted where


def test_street_admin_grants_within_the_street(world):
    tree, users, orgs, street_dept, _, _, _staff = world
    street = users.street
    assert grant_refusal(street, "street", tree.meiyuan) is None
    assert grant_refusal(street, "community", tree.beianmen) is None
    assert grant_refusal(street, "grid_worker", tree.grid1) is None
    assert grant_refusal(street, "branch_secretary", orgs.grid1) is None
    # A department of the street: 报到 is the department's own duty, which the street need not hold.
    assert grant_refusal(street, "department", street_dept) is None


def test_street_admin_cannot_grant_above_or_beside(world):
    tree, users, orgs, _, district_dept, other_dept, staff = world
    street = users.street
    assert "不在您的管理范围内" in grant_refusal(street, "street", tree.xuanwu)  # above
    assert "不在您的管理范围内" in grant_refusal(street, "street", tree.fuzimiao)  # beside
    assert "不在您的管理范围内" in grant_refusal(street, "community", tree.gongyuan)
    assert "不在您的管理范围内" in grant_refusal(street, "branch_secretary", orgs.gongyuan_branch)
    assert "不在您的管理范围内" in grant_refusal(street, "branch_secretary", orgs.xuanwu)
    assert "不在您的管理范围内" in grant_refusal(street, "department", district_dept)  # the district's department
    assert "不在您的管理范围内" in grant_refusal(street, "department", other_dept)
    with pytest.raises(AccountError):
        grant_role(street, staff, "street", area=tree.xuanwu)
    assert not RoleAssignment.objects.filter(user=staff).exists()


def test_no_role_with_permissions_the_granter_lacks(world):
    tree, users, *_ = world
    # 区委组织部 holds 挂牌督办, which the street does not: not even on the street's own node.
    refusal = grant_refusal(users.street, "district_org", tree.meiyuan)
    assert "不具备的权限" in refusal and "挂牌督办" in refusal
    assert "维护诉求分类目录" in grant_refusal(users.district, "city_org", tree.xuanwu)
    # A community cannot make a street office of itself (移动区划 is above it).
    assert "移动区划" in grant_refusal(users.community, "street", tree.beianmen)


def test_district_admin_creates_street_accounts(world):
    tree, users, *_ = world
    # 吹哨 and 评价 are duties of the street and the community only: the district need not hold them.
    assert grant_refusal(users.district, "street", tree.meiyuan) is None
    assert grant_refusal(users.district, "community", tree.beianmen) is None


def test_role_goes_on_its_kind_of_node(world):
    tree, users, _orgs, street_dept, *_ = world
    assert "只能授予在党组织上" in grant_refusal(users.street, "branch_secretary", tree.beianmen)
    assert "只能授予在职能部门上" in grant_refusal(users.street, "department", tree.meiyuan)
    assert "只能授予在区划上" in grant_refusal(users.street, "community", street_dept)


def test_grant_and_revoke_are_audited(world):
    _tree, users, _, street_dept, *_ = world
    staff = User.objects.get(username="wangwu")
    assignment = grant_role(users.street, staff, "department", department=street_dept)
    assert AuditLog.objects.filter(action="assign_role", actor=users.street, object_id=str(assignment.pk)).exists()
    withdraw_role(users.street, assignment)
    assert AuditLog.objects.filter(action="revoke_role", actor=users.street).exists()
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_a_grant_from_above_cannot_be_withdrawn_by_the_street(world, make_user):
    tree, users, *_ = world
    boss = make_user("boss", role="district_org", area=tree.xuanwu)
    assignment = boss.role_assignments.get()
    with pytest.raises(AccountError):
        withdraw_role(users.street, assignment)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


# --------------------------------------------------------------------------- who may manage which account


def test_onboarding_only_inside_the_subtree(world):
    tree, users, *_ = world
    with pytest.raises(AccountError) as refused:
        onboard_user(users.street, username="zhao", password=PASSWORD, display_name="赵", area=tree.gongyuan)
    assert refused.value.field == "area"
    with pytest.raises(AccountError) as taken:
        onboard_user(users.street, username="WANGWU", password=PASSWORD, display_name="王", area=tree.beianmen)
    assert taken.value.field == "username"
    staff = User.objects.get(username="wangwu")
    assert staff.area_path == tree.beianmen.code
    assert AuditLog.objects.filter(action="create_user", actor=users.street, object_id=str(staff.pk)).exists()


def test_an_account_holding_more_than_the_admin_is_not_theirs_to_manage(world, make_user):
    tree, users, *_ = world
    # Homed in the street, but also 区委组织部 on the district: the street may not take it over.
    senior = onboard_user(users.district, username="senior", password=PASSWORD, display_name="高", area=tree.meiyuan)
    grant_role(users.district, senior, "district_org", area=tree.xuanwu)
    assert "超出您的管理范围" in management_refusal(users.street, senior)
    for verb in (
        lambda: set_user_active(users.street, senior, False),
        lambda: reset_password(users.street, senior, "Another-Pass-88"),
        lambda: unlock_user(users.street, senior),
    ):
        with pytest.raises(AccountError):
            verb()
    senior.refresh_from_db()
    assert senior.is_active
    assert management_refusal(users.district, senior) is None
    # A superuser account is a superuser's to manage.
    root = make_user("root2", is_superuser=True, area=tree.beianmen, area_path=tree.beianmen.code)
    assert "系统管理员" in management_refusal(users.street, root)


def test_disable_unlock_and_reset_password(world, api_client):
    _tree, users, *_ = world
    staff = User.objects.get(username="wangwu")
    _, key = issue_token(None, staff)
    set_user_active(users.street, staff, False)
    staff.refresh_from_db()
    assert not staff.is_active
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/areas/").json()["error"]["code"] == "account_disabled"
    set_user_active(users.street, staff, True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        AccessAttempt.objects.update_or_create(
            username="wangwu",
            ip_address="10.0.0.1",
            user_agent="x",
            defaults={"failures_since_start": settings.AXES_FAILURE_LIMIT, "get_data": "", "post_data": ""},
        )
    assert api_client.get("/api/v1/areas/").json()["error"]["code"] == "locked_out"
    assert unlock_user(users.street, staff) == 1
    assert api_client.get("/api/v1/areas/").status_code == 200
    with pytest.raises(AccountError) as weak:
        reset_password(users.street, staff, "123")
    assert weak.value.field == "password"
    reset_password(users.street, staff, "Fresh-Pass-2026")
    assert api_client.get("/api/v1/areas/").json()["error"]["code"] == "token_revoked"
    actions = set(AuditLog.objects.filter(object_id=str(staff.pk)).values_list("action", flat=True))
    assert {"disable_user", "enable_user", "unlock_user", "reset_password"} <= actions
    with pytest.raises(AccountError):
        set_user_active(users.street, users.street, False)


# --------------------------------------------------------------------------- pages


def test_user_list_is_scoped(client, world):
    tree, users, *_ = world
    onboard_user(users.city, username="qinhuai_staff", password=PASSWORD, display_name="秦", area=tree.gongyuan)
    client.force_login(users.street)
    page = client.get("/system/users/", {"q": "", "status": ""})
    text = page.content.decode()
    assert page.status_code == 200
    assert "wangwu" in text and "qinhuai_staff" not in text
    assert client.get("/system/users/", {"status": "disabled"}).content.decode().count("wangwu") == 0
    other = User.objects.get(username="qinhuai_staff")
    assert client.get(f"/system/users/{other.pk}/").status_code == 404
    assert client.post(f"/system/users/{other.pk}/active/", {"active": "0"}).status_code == 404
    client.force_login(users.grid)
    assert client.get("/system/users/").status_code == 403


def test_create_user_form_reports_every_error_at_once(client, world):
    _tree, users, *_ = world
    client.force_login(users.street)
    response = client.post(
        "/system/users/add/",
        {"username": "a b", "display_name": "", "phone": "12345", "area": "", "password1": "x", "password2": "y"},
    )
    errors = response.context["form"].errors
    assert set(errors) == {"username", "display_name", "phone", "area", "password2"}
    text = response.content.decode()
    assert "请填写姓名" in text and "11位手机号" in text and "两次输入的密码不一致" in text


def test_street_admin_onboards_a_department_handler_through_the_pages(client, world):
    tree, users, _, street_dept, district_dept, *_ = world
    client.force_login(users.street)
    form = client.get("/system/users/add/")
    assert tree.gongyuan.name not in form.content.decode()  # the picker offers only the street's areas
    created = client.post(
        "/system/users/add/",
        {
            "username": "chengguan1",
            "display_name": "执法队员",
            "phone": "13900001111",
            "area": tree.meiyuan.code,  # the area picker sends the code
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    handler = User.objects.get(username="chengguan1")
    assert created.status_code == 302 and created["Location"] == f"/system/users/{handler.pk}/"
    grant = client.post(f"/system/users/{handler.pk}/grants/add/", {"role": "department", "department": street_dept.pk})
    assert grant.status_code == 302
    assert handler.role_assignments.get().department == street_dept
    # The district's department is not offered, and refused if posted.
    page = client.get(f"/system/users/{handler.pk}/grants/add/").content.decode()
    assert district_dept.name not in page
    refused = client.post(f"/system/users/{handler.pk}/grants/add/", {"role": "street", "area": tree.xuanwu.code})
    assert refused.status_code == 200 and "area" in refused.context["form"].errors
    # Nor beside the street, nor a node of the org tree outside it.
    beside = client.post(f"/system/users/{handler.pk}/grants/add/", {"role": "street", "area": tree.fuzimiao.code})
    assert beside.status_code == 200 and "area" in beside.context["form"].errors
    assert handler.role_assignments.count() == 1
    listing = client.get("/system/departments/").content.decode()
    assert street_dept.name in listing and "chengguan1" in listing
    grants = client.get("/system/grants/", {"role": "department"}).content.decode()
    assert "chengguan1" in grants


def test_admin_lists_and_revokes_tokens_and_owner_too(client, world):
    _tree, users, *_ = world
    staff = User.objects.get(username="wangwu")
    token, _ = issue_token(None, staff, label="数据对接")
    client.force_login(users.street)
    assert "数据对接" in client.get(f"/system/users/{staff.pk}/").content.decode()
    assert client.post(f"/system/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    # The owner issues one on their page (key shown once) and revokes it; not someone else's.
    client.force_login(staff)
    page = client.post("/accounts/tokens/", {"label": "手机"})
    key = page.context["issued"]["key"]
    assert key in page.content.decode() and page["Cache-Control"].startswith("max-age=0")
    mine = ApiToken.objects.get(user=staff, label="手机")
    assert client.post(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    other, _ = issue_token(None, users.street)
    assert client.post(f"/accounts/tokens/{other.pk}/revoke/").status_code == 404
    assert client.post(f"/system/tokens/{other.pk}/revoke/").status_code == 404
