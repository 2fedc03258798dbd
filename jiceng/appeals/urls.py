from django.urls import path

from jiceng.appeals import views

app_name = "appeals"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("new/", views.submit, name="submit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("workbench/", views.workbench, name="workbench"),
    path("queue/", views.queue, name="queue"),
    path("department/", views.department_desk, name="department_desk"),
    path("summons/<int:pk>/<str:action>/", views.summons_act, name="summons_act"),
    path("rates/", views.rates, name="rates"),
]
