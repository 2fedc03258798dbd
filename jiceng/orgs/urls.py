from django.urls import path, re_path

from jiceng.orgs import views

app_name = "orgs"

CODE = r"(?P<code>[0-9]{3,48})"

urlpatterns = [
    path("", views.org_tree, name="org_tree"),
    path("add/", views.org_add_root, name="org_add_root"),
    path("checks/", views.check_list, name="check_list"),
    path("pick/", views.org_pick, name="org_pick"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
    path("part-time/<int:pk>/end/", views.part_time_end, name="part_time_end"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/add/", views.unit_add, name="unit_add"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/add/", views.department_add, name="department_add"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    re_path(rf"^{CODE}/$", views.org_detail, name="org_detail"),
    re_path(rf"^{CODE}/checks/$", views.org_checks, name="org_checks"),
    re_path(rf"^{CODE}/edit/$", views.org_edit, name="org_edit"),
    re_path(rf"^{CODE}/add/$", views.org_add, name="org_add"),
    re_path(rf"^{CODE}/move/$", views.org_move, name="org_move"),
    re_path(rf"^{CODE}/election/$", views.org_election, name="org_election"),
    re_path(rf"^{CODE}/posts/add/$", views.post_add, name="post_add"),
    re_path(rf"^{CODE}/vacancy/add/$", views.vacancy_add, name="vacancy_add"),
    re_path(rf"^{CODE}/part-time/add/$", views.part_time_add, name="part_time_add"),
]
