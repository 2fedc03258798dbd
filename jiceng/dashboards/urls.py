from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("share/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("<str:tree>/<str:code>/", views.dashboard, name="dashboard"),
    path("<str:tree>/<str:code>/screen/", views.kiosk, name="kiosk"),
    path("<str:tree>/<str:code>/screen.json", views.kiosk_json, name="kiosk_data"),
    path("<str:tree>/<str:code>/share/", views.share_list, name="share"),
    path("<str:tree>/<str:code>/choice/", views.choice, name="choice"),
    path("<str:tree>/<str:code>/snapshot/", views.snapshot_create, name="snapshot"),
    path("<str:tree>/<str:code>/report.pdf", views.report_pdf, name="report"),
    path("<str:tree>/<str:code>/export.xlsx", views.export_xlsx, name="export"),
]
