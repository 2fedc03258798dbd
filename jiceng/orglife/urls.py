from django.urls import path

from . import exemption_views, views

app_name = "orglife"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("add/", views.meeting_add, name="meeting_add"),
    path("backfill/", views.meeting_backfill, name="meeting_backfill"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("exemptions/", exemption_views.exemption_list, name="exemption_list"),
    path("exemptions/<int:pk>/decide/", exemption_views.exemption_decide, name="exemption_decide"),
    path("plans/add/", views.plan_add, name="plan_add"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/act/<slug:action>/", views.meeting_act, name="meeting_act"),
    path("<int:pk>/qr/", views.meeting_qr, name="meeting_qr"),
    path("<int:pk>/qr/code/", views.meeting_qr_code, name="meeting_qr_code"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("groups/<str:code>/", views.group_members, name="group_members"),
    path("my/", views.my_meetings, name="my_meetings"),
    path("my/<int:pk>/", views.my_meeting, name="my_meeting"),
    path("my/code/", views.my_code, name="my_code"),
    path("my/code/qr/", views.my_code_qr, name="my_code_qr"),
    path("my/makeup/", views.my_makeup, name="my_makeup"),
    path("my/makeup/<int:pk>/", views.makeup_detail, name="makeup_detail"),
    path("s/<str:code>/", views.signin_page, name="signin"),
]
