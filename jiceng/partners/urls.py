from django.urls import path

from jiceng.partners import views

app_name = "partners"

urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("add/", views.agreement_add, name="agreement_add"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/resources/", views.agreement_resources, name="agreement_resources"),
    path("<int:pk>/review/", views.agreement_review, name="agreement_review"),
    path("duties/<int:pk>/done/", views.duty_done, name="duty_done"),
]
