from django.urls import path

from . import views

app_name = "invites"

urlpatterns = [
    path("", views.my_invitations, name="mine"),
    path("<int:pk>/resend/", views.resend, name="resend"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<str:token>/", views.accept, name="accept"),
]
