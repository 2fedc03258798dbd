from django.contrib.auth import views as auth_views
from django.urls import path

from jiceng.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", views.my_tokens, name="my_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.my_token_revoke, name="my_token_revoke"),
    path("audit/", views.audit_list, name="audit_list"),
]
