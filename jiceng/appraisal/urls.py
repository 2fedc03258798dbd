from django.urls import path

from . import views

app_name = "appraisal"

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("add/", views.round_add, name="round_add"),
    path("<int:pk>/", views.round_detail, name="round_detail"),
    path("<int:pk>/act/<slug:action>/", views.round_act, name="round_act"),
    path("my/", views.my_rounds, name="my_rounds"),
    path("my/<int:pk>/", views.my_round, name="my_round"),
]
