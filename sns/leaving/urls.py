from django.urls import path

from . import views

app_name = "leaving"

urlpatterns = [
    path("me/data/", views.data_download, name="data"),
    path("me/leave/", views.leave, name="leave"),
]
