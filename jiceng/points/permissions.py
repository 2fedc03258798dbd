"""The 党员积分 permission names (who holds them: registry.py)."""

AWARD_VIEW = "points.view_award"  # the award ledger of members in scope
RULE_CHANGE = "points.change_pointrule"  # the city's scheme: points per unit and yearly caps
SELF_VIEW = "points.view_own"  # 我的积分 (the member role)
