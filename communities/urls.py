"""Community URLs: /communities/…"""

from django.urls import path

from .views import communities, members, topics

app_name = "communities"

urlpatterns: list = [
    # finding, starting and keeping communities (views/communities.py)
    path("communities/", communities.community_list, name="list"),
    path("communities/category/<int:category>/", communities.community_list, name="category"),
    path("communities/friends/", communities.friends_communities, name="friends"),
    path("communities/new/", communities.community_new, name="new"),
    path("communities/<int:pk>/", communities.community_detail, name="detail"),
    path("communities/<int:pk>/image/<str:size>/", communities.image, name="image"),
    path("communities/<int:pk>/edit/", communities.community_edit, name="edit"),
    path("communities/<int:pk>/close/", communities.community_close, name="close"),
    # who is in a community (views/members.py)
    path("communities/<int:pk>/members/", members.members, name="members"),
    path("communities/<int:pk>/requests/", members.requests, name="requests"),
    path("communities/<int:pk>/join/", members.join, name="join"),
    path("communities/<int:pk>/leave/", members.leave, name="leave"),
    path("communities/<int:pk>/invite/", members.invite, name="invite"),
    path("communities/<int:pk>/requests/<int:request_id>/", members.decide, name="decide"),
    path("communities/<int:pk>/members/<int:user_id>/role/", members.role, name="role"),
    # topics and their comments (views/topics.py)
    path("communities/new-topics/", topics.new_topics, name="new_topics"),
    path("communities/<int:pk>/topics/", topics.topic_list, name="topics"),
    path("communities/<int:pk>/topics/new/", topics.topic_new, name="topic_new"),
    path("communities/<int:pk>/topics/<int:topic_id>/", topics.topic_detail, name="topic"),
    path("communities/<int:pk>/topics/<int:topic_id>/edit/", topics.topic_edit,
         name="topic_edit"),
    path("communities/<int:pk>/topics/<int:topic_id>/delete/", topics.topic_delete,
         name="topic_delete"),
    path("communities/<int:pk>/topics/<int:topic_id>/pin/", topics.topic_pin, name="topic_pin"),
    path("communities/<int:pk>/topics/<int:topic_id>/comments/", topics.topic_comment_create,
         name="topic_comment"),
    path("communities/<int:pk>/topics/<int:topic_id>/comments/<int:comment_id>/delete/",
         topics.topic_comment_delete, name="topic_comment_delete"),
]
