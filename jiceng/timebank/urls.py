from django.urls import path

from . import picker, views

app_name = "timebank"

urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("movements/<int:pk>/reverse/", views.movement_reverse, name="movement_reverse"),
    path("redeem/", views.redeem, name="redeem"),
    path("donate/", views.donate, name="donate"),
    path("pick/beneficiary/", picker.pick_beneficiary, name="pick_beneficiary"),
    path("pick/server/", picker.pick_server, name="pick_server"),
]
