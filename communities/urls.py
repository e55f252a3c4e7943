"""Community URLs: /communities/…"""

from django.urls import path

from . import views

app_name = "communities"

urlpatterns: list = [
    path("communities/", views.community_list, name="list"),
    path("communities/category/<int:category>/", views.community_list, name="category"),
    path("communities/friends/", views.friends_communities, name="friends"),
    path("communities/new/", views.community_new, name="new"),
    path("communities/<int:pk>/", views.community_detail, name="detail"),
    path("communities/<int:pk>/image/<str:size>/", views.image, name="image"),
    path("communities/<int:pk>/edit/", views.community_edit, name="edit"),
    path("communities/<int:pk>/close/", views.community_close, name="close"),
    path("communities/<int:pk>/members/", views.members, name="members"),
    path("communities/<int:pk>/requests/", views.requests, name="requests"),
    path("communities/<int:pk>/join/", views.join, name="join"),
    path("communities/<int:pk>/leave/", views.leave, name="leave"),
    path("communities/<int:pk>/invite/", views.invite, name="invite"),
    path("communities/<int:pk>/requests/<int:request_id>/", views.decide, name="decide"),
    path("communities/<int:pk>/members/<int:user_id>/role/", views.role, name="role"),
    path("communities/new-topics/", views.new_topics, name="new_topics"),
    path("communities/<int:pk>/topics/", views.topic_list, name="topics"),
    path("communities/<int:pk>/topics/new/", views.topic_new, name="topic_new"),
    path("communities/<int:pk>/topics/<int:topic_id>/", views.topic_detail, name="topic"),
    path("communities/<int:pk>/topics/<int:topic_id>/edit/", views.topic_edit,
         name="topic_edit"),
    path("communities/<int:pk>/topics/<int:topic_id>/delete/", views.topic_delete,
         name="topic_delete"),
    path("communities/<int:pk>/topics/<int:topic_id>/pin/", views.topic_pin, name="topic_pin"),
    path("communities/<int:pk>/topics/<int:topic_id>/comments/", views.topic_comment_create,
         name="topic_comment"),
    path("communities/<int:pk>/topics/<int:topic_id>/comments/<int:comment_id>/delete/",
         views.topic_comment_delete, name="topic_comment_delete"),
]
