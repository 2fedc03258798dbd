from django.urls import path

from jiceng.members import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("add/", views.member_add, name="member_add"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/print/", views.member_sheet_pdf, name="member_sheet_pdf"),
    path("<int:pk>/pii/", views.member_pii, name="member_pii"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/advance/", views.member_advance, name="member_advance"),
    path("<int:pk>/branch-vote/", views.member_branch_vote, name="member_branch_vote"),
    path("<int:pk>/extend/", views.member_extend, name="member_extend"),
    path("<int:pk>/exit/", views.member_exit, name="member_exit"),
    path("<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("<int:pk>/transfer/orgs/", views.transfer_org_search, name="transfer_org_search"),
    path("<int:pk>/dues/", views.member_dues, name="member_dues"),
    path("pipeline/", views.pipeline_home, name="pipeline"),
    path("pipeline/<str:code>/", views.pipeline_board, name="pipeline_board"),
    path("dues/", views.dues_home, name="dues"),
    path("dues/<str:code>/", views.dues_ledger, name="dues_ledger"),
    path("dues/<str:code>/print/", views.dues_list_pdf, name="dues_list_pdf"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/incoming/add/", views.transfer_incoming_add, name="transfer_incoming_add"),
    path("transfers/accept/", views.transfer_bulk_accept, name="transfer_bulk_accept"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/print/", views.transfer_letter_pdf, name="transfer_letter_pdf"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/reject/", views.transfer_reject, name="transfer_reject"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("transfers/<int:pk>/receipt/", views.transfer_receipt, name="transfer_receipt"),
]
