from django.urls import path

from jiceng.wishes import views

app_name = "wishes"

urlpatterns = [
    path("", views.wish_list, name="wish_list"),
    path("add/", views.wish_add, name="wish_add"),
    path("<int:pk>/", views.wish_detail, name="wish_detail"),
    path("<int:pk>/deliver/", views.wish_deliver, name="wish_deliver"),
    path("<int:pk>/photo/", views.wish_photo, name="wish_photo"),
    path("<int:pk>/<slug:action>/", views.wish_act, name="wish_act"),
]
