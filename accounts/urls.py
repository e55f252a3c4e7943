from django.urls import path

from .views import blocks, footprints, friends, introductions, profiles

app_name = "accounts"

urlpatterns = [
    path("members/<int:pk>/", profiles.profile, name="profile"),
    path("members/<int:pk>/photo/<str:size>/", profiles.photo, name="photo"),
    path("members/<int:pk>/friends/", friends.friend_list, name="friends"),
    path("members/<int:pk>/circle/", friends.circle_page, name="circle"),
    path("members/<int:pk>/circle.svg", friends.circle_svg, name="circle_svg"),
    path("me/edit/", profiles.profile_edit, name="edit"),
    path("me/settings/", profiles.member_settings, name="settings"),
    path("friends/requests/", friends.friend_requests, name="friend_requests"),
    path("friends/requests/<int:pk>/accept/", friends.friend_request_accept,
         name="friend_request_accept"),
    path("friends/requests/<int:pk>/decline/", friends.friend_request_decline,
         name="friend_request_decline"),
    path("friends/requests/<int:pk>/cancel/", friends.friend_request_cancel,
         name="friend_request_cancel"),
    path("members/<int:pk>/friend-request/", friends.friend_request_send,
         name="friend_request_send"),
    path("members/<int:pk>/unfriend/", friends.unfriend, name="unfriend"),
    path("members/<int:pk>/block/", blocks.block, name="block"),
    path("blocks/", blocks.blocks, name="blocks"),
    path("blocks/<int:pk>/remove/", blocks.unblock, name="unblock"),
    path("footprints/", footprints.footprints, name="footprints"),
    path("members/<int:pk>/introductions/", introductions.introduction_list,
         name="introductions"),
    path("members/<int:pk>/introduce/", introductions.introduction_write,
         name="introduce"),
    path("introductions/<int:pk>/delete/", introductions.introduction_delete,
         name="introduction_delete"),
]
