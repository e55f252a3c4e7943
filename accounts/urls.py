from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("members/<int:pk>/", views.profile, name="profile"),
    path("members/<int:pk>/friends/", views.friend_list, name="friends"),
    path("me/edit/", views.profile_edit, name="edit"),
    path("me/settings/", views.member_settings, name="settings"),
]
