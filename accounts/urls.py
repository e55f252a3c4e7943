from django.urls import path

from . import views, views_blocks, views_footprints, views_introductions, views_suggestions
from .leaving import views as leaving_views

app_name = "accounts"

urlpatterns = [
    path("members/<int:pk>/", views.profile, name="profile"),
    path("members/<int:pk>/photo/<str:size>/", views.photo, name="photo"),
    path("members/<int:pk>/friends/", views.friend_list, name="friends"),
    path("members/<int:pk>/circle/", views.circle_page, name="circle"),
    path("members/<int:pk>/circle.svg", views.circle_svg, name="circle_svg"),
    path("me/edit/", views.profile_edit, name="edit"),
    path("me/settings/", views.member_settings, name="settings"),
    path("me/data/", leaving_views.data_download, name="data"),
    path("me/leave/", leaving_views.leave, name="leave"),
    path("friends/requests/", views.friend_requests, name="friend_requests"),
    path("friends/suggestions/", views_suggestions.suggestions, name="suggestions"),
    path("friends/requests/<int:pk>/accept/", views.friend_request_accept,
         name="friend_request_accept"),
    path("friends/requests/<int:pk>/decline/", views.friend_request_decline,
         name="friend_request_decline"),
    path("friends/requests/<int:pk>/cancel/", views.friend_request_cancel,
         name="friend_request_cancel"),
    path("members/<int:pk>/friend-request/", views.friend_request_send,
         name="friend_request_send"),
    path("members/<int:pk>/unfriend/", views.unfriend, name="unfriend"),
    path("members/<int:pk>/block/", views_blocks.block, name="block"),
    path("blocks/", views_blocks.blocks, name="blocks"),
    path("blocks/<int:pk>/remove/", views_blocks.unblock, name="unblock"),
    path("footprints/", views_footprints.footprints, name="footprints"),
    path("members/<int:pk>/introductions/", views_introductions.introduction_list,
         name="introductions"),
    path("members/<int:pk>/introduce/", views_introductions.introduction_write,
         name="introduce"),
    path("introductions/<int:pk>/delete/", views_introductions.introduction_delete,
         name="introduction_delete"),
]
