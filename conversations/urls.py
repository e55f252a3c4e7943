from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/new/", views.compose, name="compose"),
    path("messages/search/", views.search, name="search"),
    path("messages/<int:pk>/", views.detail, name="detail"),
    path("messages/<int:pk>/reply/", views.reply, name="reply"),
    path("messages/<int:pk>/archive/", views.archive, name="archive"),
    path("messages/<int:pk>/unarchive/", views.unarchive, name="unarchive"),
    path("messages/<int:pk>/leave/", views.leave, name="leave"),
    path("messages/photos/<int:pk>/<int:position>/<str:size>/", views.photo, name="photo"),
]
