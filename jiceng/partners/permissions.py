AGREEMENT_VIEW = "partners.view_agreement"
AGREEMENT_CHANGE = "partners.change_agreement"  # sign, record duties done, review: the community or street
