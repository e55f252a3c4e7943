"""Daily news URLs: /daily-news/…"""

from django.urls import path

from . import views

app_name = "dailynews"

urlpatterns = [
    path("daily-news/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
