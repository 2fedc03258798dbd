"""The accounts' permission names (who holds them: registry.py)."""

AUDIT_VIEW = "accounts.view_auditlog"
USER_VIEW = "accounts.view_user"
USER_CHANGE = "accounts.change_user"
ROLE_GRANT = "accounts.add_roleassignment"
