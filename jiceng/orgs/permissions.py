"""The party organisations' permission names (who holds them: registry.py)."""

ORG_VIEW = "orgs.view_org"
ORG_CHANGE = "orgs.change_org"
ORG_ADD = "orgs.add_org"
UNIT_VIEW = "orgs.view_residentunit"
UNIT_CHANGE = "orgs.change_residentunit"
DEPARTMENT_VIEW = "orgs.view_department"
DEPARTMENT_CHANGE = "orgs.change_department"
# No role holds these: the unit and department lists export (导出 Excel) but have no import yet.
UNIT_IMPORT = "orgs.import_residentunit"
DEPARTMENT_IMPORT = "orgs.import_department"
