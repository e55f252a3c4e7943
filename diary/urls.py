"""Diary URLs: /diary/… for the feeds and entries, /members/<id>/diary/… for one member's."""


app_name = "diary"

urlpatterns: list = [
    # entries (diary.views.entries): new/, <pk>/, <pk>/edit/, <pk>/delete/, photos, a member's
    # diary and monthly archive.
    # comments and feeds (diary.views.comments, diary.views.feeds): comment create/delete,
    # friends' diaries, new comments.
]
