"""The 时间银行 permission names (who holds them: registry.py)."""

ACCOUNT_VIEW = "timebank.view_account"
MOVEMENT_VIEW = "timebank.view_movement"
REDEMPTION_VIEW = "timebank.view_redemption"
REDEEM = "timebank.add_redemption"  # record a redemption (兑换服务) for a resident of the community
REVERSE = "timebank.reverse_movement"  # 冲正: a correction by a reversal entry
CHECK_VIEW = "timebank.view_ledgercheck"
