"""Diary URLs: /diary/… for the feeds and entries, /members/<id>/diary/… for one member's."""

from django.urls import path

from .views import comments, entries, feeds

app_name = "diary"

urlpatterns: list = [
    # entries (diary.views.entries)
    path("diary/new/", entries.entry_new, name="new"),
    path("diary/<int:pk>/", entries.entry_detail, name="entry"),
    path("diary/<int:pk>/edit/", entries.entry_edit, name="edit"),
    path("diary/<int:pk>/delete/", entries.entry_delete, name="delete"),
    path("diary/<int:pk>/photos/<int:position>/<str:size>/", entries.photo, name="photo"),
    path("members/<int:pk>/diary/", entries.member_diary, name="member"),
    path("members/<int:pk>/diary/<int:year>/<int:month>/", entries.archive, name="archive"),
    # comments and feeds (diary.views.comments, diary.views.feeds)
    path("diary/", feeds.friends, name="friends"),
    path("diary/comments/", feeds.new_comments, name="new_comments"),
    path("diary/<int:pk>/comments/", comments.comment_create, name="comment_create"),
    path("diary/comments/<int:pk>/delete/", comments.comment_delete, name="comment_delete"),
]
