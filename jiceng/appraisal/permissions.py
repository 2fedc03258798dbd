"""The 民主评议党员 permission names (who holds them: registry.py)."""

ROUND_VIEW = "appraisal.view_round"
# Open a round, close the ballot, propose grades (支委会) and record the branch meeting's decision.
ROUND_CHANGE = "appraisal.change_round"
# A member's own pages (自评, 投票): held by the "member" role. It names no model action, so it
# widens no ``visible_to``: a member sees their own rounds through Round's own-rows rule.
ROUND_TAKE_PART = "appraisal.take_part_round"
