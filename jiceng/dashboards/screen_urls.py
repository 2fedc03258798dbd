"""The 大屏 of a share link, opened without login by a wall screen's browser (``/screen/<token>/``)."""

from django.urls import path

from . import views

app_name = "screen"

urlpatterns = [
    path("<str:token>/", views.shared_screen, name="shared"),
    path("<str:token>/data.json", views.shared_json, name="shared_data"),
]
