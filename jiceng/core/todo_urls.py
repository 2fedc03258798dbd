from django.urls import path

from jiceng.core import todo_views

app_name = "todo"

urlpatterns = [
    path("counts/", todo_views.counts, name="counts"),
]
