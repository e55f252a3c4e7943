"""The albums' section of another app's page: a member's albums on their profile (an app that
adds a section to another app's page does it with a template tag of its own)."""

from __future__ import annotations

from django import template

from sns import cache

from .. import selectors

register = template.Library()


@register.inclusion_tag("albums/partials/profile_albums.html", takes_context=True)
def member_albums(context, member) -> dict:
    """Up to ON_PROFILE of ``member``'s albums that the viewer may see, newest first, in one
    query; declared to the profile's kept HTML (sns.cache): the member's albums as a whole and
    each album shown."""
    viewer = context["request"].user
    cache.depends_on(cache.albums(member))
    albums = list(selectors.albums_of(member, viewer)[: selectors.ON_PROFILE + 1])
    cache.depends_on(*(cache.album(album) for album in albums))
    return {
        "member": member, "albums": albums[: selectors.ON_PROFILE],
        "more": len(albums) > selectors.ON_PROFILE,
        "is_me": viewer.is_authenticated and viewer.pk == member.pk,
    }
