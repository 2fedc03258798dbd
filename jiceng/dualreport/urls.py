from django.urls import path

from jiceng.dualreport import views

app_name = "dualreport"

urlpatterns = [
    path("me/", views.mine, name="mine"),
    path("me/posts/<int:pk>/sign-up/", views.mine_sign_up, name="mine_sign_up"),
    path("me/posts/<int:pk>/cancel/", views.mine_cancel_sign_up, name="mine_cancel_sign_up"),
    path("me/end/", views.mine_end, name="mine_end"),
    path("me/services/add/", views.mine_service_add, name="mine_service_add"),
    path("registrations/", views.registration_list, name="registration_list"),
    path("registrations/add/", views.registration_add, name="registration_add"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration_detail"),
    path("registrations/<int:pk>/services/add/", views.registration_service_add, name="registration_service_add"),
    path("registrations/<int:pk>/feedback/", views.registration_feedback, name="registration_feedback"),
    path("registrations/<int:pk>/<slug:action>/", views.registration_act, name="registration_act"),
    path("posts/", views.post_list, name="post_list"),
    path("posts/add/", views.post_add, name="post_add"),
    path("posts/<int:pk>/", views.post_detail, name="post_detail"),
    path("posts/<int:pk>/close/", views.post_close, name="post_close"),
    path("services/", views.service_list, name="service_list"),
    path("services/<int:pk>/", views.service_detail, name="service_detail"),
    path("services/<int:pk>/<slug:action>/", views.service_act, name="service_act"),
    path("below-target/", views.below_target, name="below_target"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/letter.pdf", views.feedback_letter, name="feedback_letter"),
]
