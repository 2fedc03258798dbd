"""The areas' permission names (who holds them: registry.py)."""

AREA_VIEW = "areas.view_area"
AREA_CHANGE = "areas.change_area"
AREA_ADD = "areas.add_area"
AREA_MOVE = "areas.move_area"
