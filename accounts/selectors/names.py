"""A member's shown name read along in another query: the columns it is made of, as a JSON
object (``name_columns``, for a ``JSONObject`` in an ``ArraySubquery``), and the member made
again from them (``member_from_names``), whose ``display_name`` follows the site's rule."""

from __future__ import annotations

from django.db.models.functions import JSONObject

from ..models import Profile, User


def name_columns(path: str) -> JSONObject:
    """The member at ``path`` (``"friend__"``, ``"owner__"``; ``""`` for the row itself):
    their id, address and the profile fields their shown name is made of."""
    return JSONObject(
        id=f"{path}id" if path else "id", email=f"{path}email",
        real_name=f"{path}profile__real_name", nickname=f"{path}profile__nickname",
        shown_name_choice=f"{path}profile__shown_name_choice",
    )


def member_from_names(names: dict) -> User:
    """The member of a ``name_columns`` object, with the profile fields of their name."""
    member = User(pk=names["id"], email=names["email"])
    member.profile = Profile(
        user=member, real_name=names["real_name"] or "", nickname=names["nickname"] or "",
        shown_name_choice=names["shown_name_choice"] or "",
    )
    return member
