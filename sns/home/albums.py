"""Home's "friends' new albums": the newest albums (with photos) of my friends that I may see.
Cold (no parts cache), read as one array column of home's counts query
(``albums.selectors.friends_albums_rows``: home has no query to spare); kept (a part of its
own in sns/home.html, built apart like friends' diaries), read by ``friends_albums`` under
what it depends on."""

from __future__ import annotations

from albums import selectors as albums_selectors
from sns import cache

SHOWN = 5
_NOT_READ = object()


def friends_albums(member) -> list:
    """My friends' newest albums, declared to the part being built: what adds to the list (a
    friend's new album, photos added, one no longer private) bumps my ``friends_albums``
    (albums.services, fanned out after commit); what removes (deleted, hidden, narrowed)
    bumps the album's own scope, which the list depends on."""
    cache.depends_on(cache.friends_albums(member), cache.friends(member),
                     cache.blocks(member), cache.PEOPLE)
    albums = list(albums_selectors.friends_albums_query(member)[:SHOWN])
    cache.depends_on(*(cache.album(a) for a in albums),
                     *(cache.member(a.owner_id) for a in albums))
    return albums


class AlbumsSection:
    """Home's sections (sns.home.selectors.Sections) take this part: ``albums``, read on
    first use; cold, what home's counts read (``albums_found``, set by home_for)."""

    albums_found: list | object | None = _NOT_READ

    @property
    def albums(self) -> list:
        if not cache.in_use() and self.albums_found is not _NOT_READ:
            return albums_selectors.albums_from_rows(self.albums_found)
        return self._once("albums", lambda: friends_albums(self.member))
