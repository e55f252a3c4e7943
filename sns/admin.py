from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import SitePolicy

admin.site.site_header = _("Tsunagari moderation")
admin.site.site_title = _("Tsunagari moderation")


@admin.register(SitePolicy)
class SitePolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at"]

    def has_add_permission(self, request):
        # One policy per site.
        return not SitePolicy.objects.exists()
