from django.urls import path

from jiceng.core import excel_views as views

app_name = "excel"

urlpatterns = [
    path("", views.excel_home, name="home"),
    path("template/<slug:kind>/", views.template_download, name="template"),
    path("import/<slug:kind>/", views.import_upload, name="import"),
    path("export/<slug:kind>/", views.export, name="export"),
    path("export/<slug:kind>/checked/", views.export_checked, name="export_checked"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/errors/", views.job_errors, name="job_errors"),
    path("jobs/<int:pk>/result/", views.job_result, name="job_result"),
]
