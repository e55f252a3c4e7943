"""What the admin pages of members' content share: staff may look, hide and show again.

Moderators do not edit what members wrote: they hide it (``sns.moderation.content_hide``,
logged in the moderation log), which every member's view then leaves out, and may show it
again. Used by diary/admin.py and communities/admin.py.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import cache, moderation
from .admin_moderation import ModeratorsMayView, is_moderator

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


class ModeratedContentAdmin(ReadOnlyAdmin):
    """A diary entry, a comment, a topic or a topic comment: staff may hide it."""

    actions = ["hide", "unhide"]

    @admin.display(boolean=True, description=_("hidden"), ordering="hidden_at")
    def is_hidden(self, obj) -> bool:
        return obj.hidden_at is not None

    def has_moderate_permission(self, request) -> bool:
        return is_moderator(request)

    @admin.action(permissions=["moderate"],
                  description=_("Hide the selected items from every member"))
    def hide(self, request, queryset):
        count = sum(moderation.content_hide(target=obj, by=request.user) for obj in queryset)
        self.message_user(
            request,
            ngettext("%(count)d item hidden.", "%(count)d items hidden.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(permissions=["moderate"], description=_("Show the selected items again"))
    def unhide(self, request, queryset):
        count = sum(moderation.content_unhide(target=obj, by=request.user) for obj in queryset)
        self.message_user(
            request,
            ngettext("%(count)d item shown again.", "%(count)d items shown again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
