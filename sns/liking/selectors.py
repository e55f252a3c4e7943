"""Who liked a thing, as a viewer may see them."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from accounts.models import User
from sns.models import Like
from sns.paging import cursor_decode, cursor_encode
from sns.people import ShownProfile
from sns.visibility import relations_to, without_hidden_people

LIKERS_PAGE = 50


def likes_of(target) -> QuerySet[Like]:
    return Like.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )


def likers_page(viewer: User, target, before: str | None, *, size: int = LIKERS_PAGE
                ) -> tuple[list[tuple[User, ShownProfile]], str | None]:
    """One page of the members who liked ``target``, newest first (keyset: ``before`` names
    the last of the previous page), each with their name and photo as ``viewer`` may see
    them, and the cursor of the next page. Members who left or were suspended, and those in
    a block with ``viewer`` either way, are not listed (the count on the thing still counts
    them until they leave). Three queries whatever the page's size."""
    likes = without_hidden_people(likes_of(target), "member_id", viewer)
    cursor = cursor_decode(before)
    if cursor is not None:
        at, pk = cursor
        likes = likes.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    found = list(
        likes.select_related("member__profile").order_by("-created_at", "-pk")[: size + 1]
    )
    next_cursor = None
    if len(found) > size:
        found = found[:size]
        next_cursor = cursor_encode(found[-1].created_at, found[-1].pk)
    members = [like.member for like in found]
    relations = relations_to(viewer, members)
    return [
        (member, member.profile.shown_to(relations[member.pk])) for member in members
    ], next_cursor
