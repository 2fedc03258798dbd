"""argon2 password hashing; every write through the services leaves an audit record."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher

from jiceng.accounts.models import AuditLog, RoleAssignment, User
from jiceng.accounts.services import assign_role, create_user, revoke_role
from jiceng.areas.models import Level
from jiceng.areas.services import AreaError, create_area, move_area, update_area


def test_argon2_is_the_password_hasher(db):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert get_hasher().algorithm == "argon2"
    user = create_user(None, username="wangwu", password="a-long-pass-phrase")
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert "a-long-pass-phrase" not in user.password
    assert user.check_password("a-long-pass-phrase")
    assert not user.check_password("a-long-pass-phrasE")


def test_old_pbkdf2_hash_is_upgraded_to_argon2_on_login(client, db, cheap_argon2):
    from django.contrib.auth.hashers import make_password

    user = User.objects.create(username="legacy", password=make_password("legacy-pass-123", hasher="pbkdf2_sha256"))
    assert user.password.startswith("pbkdf2_sha256$")
    response = client.post("/accounts/login/", {"username": "legacy", "password": "legacy-pass-123"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def logs(action):
    return list(AuditLog.objects.filter(action=action).order_by("id"))


def test_create_area_is_audited(db, make_user):
    actor = make_user("editor", is_superuser=True)
    city = create_area(actor, parent=None, level=Level.CITY, code="3201", name="南京市")
    (log,) = logs("create_area")
    assert log.actor == actor
    assert log.object_type == "areas.area"
    assert log.object_id == str(city.pk)
    assert log.object_repr == "南京市（3201）"
    assert log.area_path == "3201"
    assert log.before is None
    assert log.after["code"] == "3201" and log.after["name"] == "南京市" and log.after["level"] == "city"
    assert log.at is not None


def test_update_area_is_audited_with_before_and_after(tree, make_user):
    actor = make_user("editor")
    update_area(actor, tree.grid1, name="一网格", households=120)
    (log,) = logs("update_area")
    assert log.actor == actor
    assert log.before["name"] == "北安门社区第一网格" and log.after["name"] == "一网格"
    assert log.before["households"] == 100 and log.after["households"] == 120
    assert log.area_path == tree.grid1.code


def test_noop_update_writes_no_audit(tree):
    update_area(None, tree.grid1, name="北安门社区第一网格", households=100)
    assert logs("update_area") == []


def test_failed_writes_leave_no_audit(tree):
    count = AuditLog.objects.count()
    with pytest.raises(AreaError):
        update_area(None, tree.grid1, households=-1)
    with pytest.raises(AreaError):
        create_area(None, parent=tree.city, level=Level.DISTRICT, code="320102", name="重复")
    with pytest.raises(AreaError):
        move_area(None, tree.beianmen, tree.grid1, new_code="320102002099")
    assert AuditLog.objects.count() == count


def test_move_is_audited(tree):
    move_area(None, tree.grid2, tree.meiyuan_cm)
    (log,) = logs("move_area")
    assert log.actor is None  # a system write is recorded as such
    assert (log.before["code"], log.after["code"]) == ("320102002011002", "320102002001002")


def test_account_writes_are_audited(tree, make_user):
    admin = make_user("admin1", is_superuser=True)
    user = create_user(admin, username="zhaoliu", password="pass-phrase-1", display_name="赵六")
    (created,) = logs("create_user")
    assert created.actor == admin
    assert created.after == {
        "username": "zhaoliu",
        "display_name": "赵六",
        "phone": "",
        "area_path": "",
        "is_superuser": False,
    }
    assert "pass-phrase-1" not in str(created.after)
    assignment = assign_role(admin, user, "community", tree.beianmen)
    (assigned,) = logs("assign_role")
    assert assigned.actor == admin
    assert assigned.after == {"role": "community", "area": "320102002011"}
    assert assigned.area_path == "320102002011"
    # Assigning the same role again is not a second write.
    assign_role(admin, user, "community", tree.beianmen)
    assert len(logs("assign_role")) == 1
    revoke_role(admin, assignment)
    (revoked,) = logs("revoke_role")
    assert revoked.before == {"role": "community", "area": "320102002011"}
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_audit_page_is_scoped(client, tree, users):
    update_area(users.city, tree.gongyuan, households=301)
    update_area(users.city, tree.grid1, households=101)
    client.force_login(users.district)
    response = client.get("/audit/")
    assert response.status_code == 200
    paths = {log.area_path for log in response.context["rows"]}
    assert tree.grid1.code in paths
    assert all(p.startswith("320102") for p in paths)
    client.force_login(users.city)
    paths = {log.area_path for log in client.get("/audit/").context["rows"]}
    assert tree.gongyuan.code in paths and tree.grid1.code in paths
    client.force_login(users.grid)
    assert list(client.get("/audit/").context["rows"]) == []
