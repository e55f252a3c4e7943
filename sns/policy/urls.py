from django.urls import path

from . import views

urlpatterns = [
    path("policy/", views.policy_page, name="policy"),
    path("policy/accept/", views.rules_accept, name="policy_accept"),
    path("policy/waiting/", views.awaiting_approval, name="policy_waiting"),
]
