from django.urls import path

from . import views

app_name = "suggestions"

urlpatterns = [
    path("friends/suggestions/", views.suggestions, name="list"),
]
