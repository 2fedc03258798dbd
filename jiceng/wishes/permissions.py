"""The 微心愿 permission names (who holds them: registry.py)."""

WISH_VIEW = "wishes.view_wish"  # browse the wishes of the communities in scope (names masked)
WISH_ADD = "wishes.add_wish"  # publish, cancel, confirm for the beneficiary: the community and its grid workers
BENEFICIARY_VIEW = "wishes.view_beneficiary_wish"  # the beneficiary's name, phone and address in full
WISH_CLAIM = "wishes.claim_wish"  # claim and deliver: party members and resident units' contacts
WISH_EXPORT = "wishes.export_wish"
WISH_IMPORT = "wishes.import_wish"  # no importer yet: held by no role, so the Excel page offers export only
