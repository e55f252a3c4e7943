"""Album URLs: /albums/… for albums and photos, /members/<id>/albums/ for a member's,
/communities/<id>/albums/ for a community's."""

from django.urls import path

from .views import albums, photos

app_name = "albums"

urlpatterns = [
    # albums (albums.views.albums)
    path("albums/", albums.mine, name="mine"),
    path("albums/new/", albums.new, name="new"),
    path("albums/<int:pk>/", albums.detail, name="detail"),
    path("albums/<int:pk>/edit/", albums.edit, name="edit"),
    path("albums/<int:pk>/delete/", albums.delete, name="delete"),
    path("albums/<int:pk>/upload/", albums.upload, name="upload"),
    path("members/<int:pk>/albums/", albums.member_albums, name="member"),
    path("communities/<int:pk>/albums/", albums.community_albums, name="community"),
    # photos and their comments (albums.views.photos)
    path("albums/photos/<int:pk>/", photos.photo, name="photo"),
    path("albums/photos/<int:pk>/image/<str:size>/", photos.photo_file, name="photo_file"),
    path("albums/photos/<int:pk>/caption/", photos.caption, name="caption"),
    path("albums/photos/<int:pk>/cover/", photos.cover, name="cover"),
    path("albums/photos/<int:pk>/move/", photos.move, name="move"),
    path("albums/photos/<int:pk>/delete/", photos.delete, name="photo_delete"),
    path("albums/photos/<int:pk>/comments/", photos.comment_create, name="comment_create"),
    path("albums/comments/<int:pk>/delete/", photos.comment_delete, name="comment_delete"),
]
