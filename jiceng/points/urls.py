from django.urls import path

from jiceng.points import views

app_name = "points"

urlpatterns = [
    path("me/", views.mine, name="mine"),
    path("awards/", views.award_list, name="award_list"),
    path("rules/", views.rules, name="rules"),
]
