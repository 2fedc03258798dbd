from django.urls import path

from jiceng.appeals import views

app_name = "appeals"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("new/", views.submit, name="submit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.appeal_ticket_pdf, name="ticket_pdf"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("workbench/", views.workbench, name="workbench"),
    path("queue/", views.queue, name="queue"),
    path("queue/dispatch/", views.bulk_dispatch, name="bulk_dispatch"),
    path("queue/extensions/", views.bulk_extend, name="bulk_extend"),
    path("map/", views.appeal_map, name="map"),
    path("department/", views.department_desk, name="department_desk"),
    path("summons/<int:pk>/<str:action>/", views.summons_act, name="summons_act"),
    path("whistles/", views.whistle_list, name="whistle_list"),
    path("whistles/new/", views.whistle_new, name="whistle_new"),
    path("whistles/<int:pk>/", views.whistle_detail, name="whistle_detail"),
    path("whistles/<int:pk>/close/", views.whistle_act, {"action": "close"}, name="whistle_close"),
    path(
        "whistles/<int:pk>/summons/<int:summons_pk>/rate/",
        views.whistle_act,
        {"action": "rate"},
        name="summons_rate",
    ),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("rates/", views.rates, name="rates"),
]
