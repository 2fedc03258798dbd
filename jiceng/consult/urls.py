from django.urls import path

from jiceng.consult import views

app_name = "consult"

urlpatterns = [
    path("", views.consultation_list, name="consultation_list"),
    path("add/", views.consultation_add, name="consultation_add"),
    path("<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("<int:pk>/item/<str:kind>/", views.consultation_item, name="consultation_item"),
]
