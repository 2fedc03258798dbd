from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/add/", views.activity_add, name="activity_add"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/qr/", views.activity_qr, name="activity_qr"),
    path("activities/<int:pk>/qr/code/", views.activity_qr_code, name="activity_qr_code"),
    path("hours/", views.hours_list, name="hours_list"),
    path("hours/<int:pk>/<slug:verdict>/", views.hours_decide, name="hours_decide"),
    path("my/", views.mine, name="mine"),
    path("my/sign-up/<int:pk>/", views.mine_sign_up, name="mine_sign_up"),
    path("my/cancel/<int:pk>/", views.mine_cancel, name="mine_cancel"),
    path("my/report/", views.mine_report, name="mine_report"),
    path("s/<str:code>/", views.scan, name="scan"),
]
