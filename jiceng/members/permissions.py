"""The members' permission names (who holds them: registry.py)."""

MEMBER_VIEW = "members.view_member"
MEMBER_CHANGE = "members.change_member"
MEMBER_ADD = "members.add_member"
# Full ID number and phone; every full view is audited. Roles without it see masked values.
MEMBER_PII = "members.view_pii_member"
MEMBER_IMPORT = "members.import_member"
MEMBER_EXPORT = "members.export_member"
TRANSFER_VIEW = "members.view_transfer"
TRANSFER_CHANGE = "members.change_transfer"
DUES_VIEW = "members.view_duespayment"
DUES_ADD = "members.add_duespayment"
