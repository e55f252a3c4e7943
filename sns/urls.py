from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("sns.home.urls")),
    path("", include("sns.policy.urls")),
    path("", include("sns.moderation.urls")),
    path("", include("sns.search.urls")),
    path("", include("sns.suggestions.urls")),
    path("health/", views.health, name="health"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("invite/", include("invites.urls")),
    path("", include("accounts.urls")),
    path("", include("diary.urls")),
    path("", include("communities.urls")),
    path("", include("offkai.urls")),
    path("", include("conversations.urls")),
    path("", include("albums.urls")),
    path("", include("sns.notifications.urls")),
    path("", include("sns.leaving.urls")),
    path("", include("sns.liking.urls")),
    path("", include("sns.dailynews.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "sns.views.bad_request"
handler403 = "sns.views.permission_denied"
handler404 = "sns.views.page_not_found"
handler500 = "sns.views.server_error"
# Uploads are never served from MEDIA_URL, not even in development: each image has a view
# that checks who may see it (accounts:photo, diary:photo, communities:image).
