CONSULT_VIEW = "consult.view_consultation"
CONSULT_ADD = "consult.add_consultation"  # record a meeting and update its follow-up
CONSULT_EXPORT = "consult.export_consultation"
CONSULT_IMPORT = "consult.import_consultation"  # no importer yet: held by no role, so the Excel page offers export only
