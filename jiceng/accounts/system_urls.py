"""系统管理 pages (mounted at system/ by the accounts registry)."""

from django.urls import path

from jiceng.accounts import system_views as views

app_name = "system"

urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/add/", views.user_add, name="user_add"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/grants/add/", views.grant_add, name="grant_add"),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("departments/", views.department_users, name="department_users"),
]
