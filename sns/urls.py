from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("policy/", views.policy, name="policy"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("invite/", include("invites.urls")),
    path("", include("accounts.urls")),
    path("", include("diary.urls")),
    path("", include("communities.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "sns.views.bad_request"
handler403 = "sns.views.permission_denied"
handler404 = "sns.views.page_not_found"
handler500 = "sns.views.server_error"

if settings.DEBUG and settings.MEDIA_STORAGE == "filesystem":
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
