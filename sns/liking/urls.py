"""/likes/<kind>/<id>/: who liked a thing; …/like/ and …/unlike/ (POST)."""

from django.urls import path

from . import views

app_name = "likes"

urlpatterns = [
    path("likes/<slug:kind>/<int:pk>/", views.likers, name="list"),
    path("likes/<slug:kind>/<int:pk>/like/", views.like, name="like"),
    path("likes/<slug:kind>/<int:pk>/unlike/", views.unlike, name="unlike"),
]
