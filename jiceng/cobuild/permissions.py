"""The 共建清单 permission names (who holds them: registry.py). ``view_<model>`` names are the ones
``visible_to`` reads; the others are checked by the services on the item's area."""

ITEM_VIEW = "cobuild.view_item"  # offices: every item of their subtree, any status
ITEM_ADD = "cobuild.add_item"  # publish needs, resources, projects and 民生菜单 events
BOARD_VIEW = "cobuild.browse_item"  # residents, members, unit contacts: the open items shown to them
CLAIM_VIEW = "cobuild.view_claim"
CLAIM_ADD = "cobuild.add_claim"  # claim (for oneself as a member, or for a unit in one's scope)
CLAIM_CONFIRM = "cobuild.confirm_claim"  # the publishing community confirms, rejects, records
CATEGORY_CHANGE = "cobuild.change_category"  # the city edits the category tree
EVENT_VIEW = "cobuild.view_menuevent"
