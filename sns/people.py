"""How a member is shown to a viewer (kernel): the fields of their profile the viewer may see
(``ShownProfile``, made by ``accounts.models.Profile.shown_to``), their photo's address, and
what a comment or topic of a member who left the site shows in place of its author. Every
app's pages show members through these; the kernel imports no app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def photo_url(member_id: int | None, key: str, size: str) -> str:
    """Where a member's profile photo is served: through ``accounts.views.profiles.photo``, which
    checks the photo's visibility for each viewer (never straight from MEDIA_URL, where a
    former friend who kept the address would still load it). The key's random tail in the
    query string gives a new photo a new address, so browsers may keep each one."""
    if not key or member_id is None:
        return ""
    version = key.rsplit("/", 1)[-1][:12]
    return f"{reverse('accounts:photo', args=[member_id, size])}?v={version}"


@dataclass(frozen=True)
class ShownProfile:
    name: str
    name_kana: str
    other_name: str
    company: str
    title: str
    photo: str
    introduction: str
    interests: list[str]
    member_id: int | None = None
    # The birthday the viewer may see (None: none, or hidden); its year counts only when
    # ``birth_year_shown`` (else it is 2000, a leap year, so that 29 February is a date).
    birthday: date | None = None
    birth_year_shown: bool = False

    def photo_url(self, size: str = "medium") -> str:
        return photo_url(self.member_id, self.photo, size)

    @property
    def photo_small(self) -> str:
        return self.photo_url("small")

    @property
    def photo_medium(self) -> str:
        return self.photo_url("medium")


# What a comment or topic of a member who left shows in place of its author: a name, no
# photo, no link (templates test ``author_id``).
DELETED_MEMBER = ShownProfile(
    name=_("deleted member"), name_kana="", other_name="", company="", title="", photo="",
    introduction="", interests=[],
)


def shown_author(thing, relations: dict, default):
    """``thing.author`` as the viewer may see them (``relations`` from
    ``sns.visibility.relations_to``), or DELETED_MEMBER when the author left the site."""
    if thing.author_id is None:
        return DELETED_MEMBER
    return thing.author.profile.shown_to(relations.get(thing.author_id, default))
