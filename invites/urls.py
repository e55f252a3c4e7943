from django.urls import path

from .views import invitations

app_name = "invites"

urlpatterns = [
    path("", invitations.my_invitations, name="mine"),
    path("<int:pk>/resend/", invitations.resend, name="resend"),
    path("<int:pk>/revoke/", invitations.revoke, name="revoke"),
    path("<str:token>/", invitations.accept, name="accept"),
]
