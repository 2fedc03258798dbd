from django.urls import path

from jiceng.cobuild import views

app_name = "cobuild"

urlpatterns = [
    path("", views.board, name="board"),
    path("mine/", views.mine, name="mine"),
    path("items/", views.item_list, name="item_list"),
    path("items/add/", views.item_add, name="item_add"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/claim/", views.item_claim, name="item_claim"),
    path("items/<int:pk>/close/", views.item_close, name="item_close"),
    path("items/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("from-appeal/<int:appeal_pk>/", views.need_from_appeal, name="need_from_appeal"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/<slug:action>/", views.claim_act, name="claim_act"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("events/", views.event_list, name="event_list"),
    path("events/add/", views.event_add, name="event_add"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("categories/", views.category_list, name="category_list"),
]
