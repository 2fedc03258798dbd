"""The accounts' permission names (who holds them: registry.py)."""

AUDIT_VIEW = "accounts.view_auditlog"
