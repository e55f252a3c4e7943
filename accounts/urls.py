from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("members/<int:pk>/", views.profile, name="profile"),
    path("members/<int:pk>/friends/", views.friend_list, name="friends"),
    path("members/<int:pk>/circle/", views.circle_page, name="circle"),
    path("members/<int:pk>/circle.svg", views.circle_svg, name="circle_svg"),
    path("me/edit/", views.profile_edit, name="edit"),
    path("me/settings/", views.member_settings, name="settings"),
    path("friends/requests/", views.friend_requests, name="friend_requests"),
    path("friends/requests/<int:pk>/accept/", views.friend_request_accept,
         name="friend_request_accept"),
    path("friends/requests/<int:pk>/decline/", views.friend_request_decline,
         name="friend_request_decline"),
    path("friends/requests/<int:pk>/cancel/", views.friend_request_cancel,
         name="friend_request_cancel"),
    path("members/<int:pk>/friend-request/", views.friend_request_send,
         name="friend_request_send"),
    path("members/<int:pk>/unfriend/", views.unfriend, name="unfriend"),
]
