"""What every app's admin pages share (kernel): staff may look at what members wrote, and an
edit made here passes by the services' bumps of the cached parts. Hiding content is the
moderation feature's (``sns.moderation.admin.ModeratedContentAdmin``).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import cache


def is_moderator(request) -> bool:
    return request.user.is_active and request.user.is_staff


class ModeratorsMayView:
    """Staff see these pages whatever their permissions: moderating is what staff do."""

    def has_module_permission(self, request):
        return is_moderator(request)

    def has_view_permission(self, request, obj=None):
        return is_moderator(request)


EXCERPT_CHARS = 60


def excerpt(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(EXCERPT_CHARS)


class HiddenFilter(admin.SimpleListFilter):
    title = _("hidden by a moderator")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("yes", _("Hidden")), ("no", _("Shown"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(hidden_at__isnull=self.value() == "no")
        return queryset


class StalesCachedParts:
    """For rows the site's services write (members' standing, friendships, friend requests,
    blocks, notifications, and every member's content: ``ReadOnlyAdmin`` below): an edit or a
    deletion here passes by the services' bumps, so every cached page part is made stale
    (sns.cache). Rare enough that computing them all once again is the simple, sound
    answer."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        cache.bump(cache.PEOPLE)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        cache.bump(cache.PEOPLE)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        cache.bump(cache.PEOPLE)


class ReadOnlyAdmin(StalesCachedParts, ModeratorsMayView, admin.ModelAdmin):
    """Rows members write through the site's services; admin only shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
