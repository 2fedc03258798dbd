from django.urls import path

from jiceng.areas import views

app_name = "areas"

urlpatterns = [
    path("", views.area_tree, name="area_tree"),
    path("search/", views.area_search, name="area_search"),
    path("pick/", views.area_pick, name="area_pick"),
    path("<str:code>/", views.area_detail, name="area_detail"),
    path("<str:code>/edit/", views.area_edit, name="area_edit"),
    path("<str:code>/add/", views.area_add, name="area_add"),
    path("<str:code>/move/", views.area_move, name="area_move"),
]
