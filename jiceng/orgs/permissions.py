"""The party organisations' permission names (who holds them: registry.py)."""

ORG_VIEW = "orgs.view_org"
ORG_CHANGE = "orgs.change_org"
ORG_ADD = "orgs.add_org"
UNIT_VIEW = "orgs.view_residentunit"
UNIT_CHANGE = "orgs.change_residentunit"
DEPARTMENT_VIEW = "orgs.view_department"
DEPARTMENT_CHANGE = "orgs.change_department"
