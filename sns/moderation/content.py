"""Hiding content: a moderator's ``hidden_at`` on a diary entry, a comment, a topic or a topic
comment. Hidden content is gone for every member, its author too (each ``visible_to`` and
comment query leaves it out); the admin still shows it, and it can be shown again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from albums import services as albums_services
from albums.models import Album, AlbumPhoto, AlbumPhotoComment
from communities.models import Topic, TopicComment
from conversations.models import Message
from diary import services as diary_services
from diary.models import Comment, Entry
from offkai.models import Event, EventComment
from sns import cache
from sns.models import Report
from sns.visibility import without_hidden_people

from . import targets
from .log import Action, ModerationError, log, require_moderator

if TYPE_CHECKING:
    from accounts.models import User


def _hideable(target: models.Model) -> targets.Target:
    kind = targets.for_thing(target)
    if kind is None or not kind.hideable:
        raise ModerationError(
            _("Only content can be hidden: warn or suspend the member instead.")
        )
    return kind


@transaction.atomic
def content_hide(
    *, target: models.Model, by: User, reason: str = "", report: Report | None = None
) -> bool:
    """Hide ``target`` from everyone and log it; False if it was hidden already."""
    require_moderator(by)
    kind = _hideable(target)
    now = timezone.now()
    # Conditional, so that two moderators hiding at once log it once.
    if not kind.model.objects.filter(pk=target.pk, hidden_at__isnull=True).update(hidden_at=now):
        return False
    target.hidden_at = now
    _after_visibility_change(target)
    log(action=Action.HIDE, by=by, member=kind.owner_of(target), target=target, report=report,
        reason=reason)
    return True


@transaction.atomic
def content_unhide(*, target: models.Model, by: User, reason: str = "") -> bool:
    """Show hidden ``target`` again and log it; False if it was not hidden."""
    require_moderator(by)
    kind = _hideable(target)
    if not kind.model.objects.filter(pk=target.pk, hidden_at__isnull=False).update(
        hidden_at=None
    ):
        return False
    target.hidden_at = None
    _after_visibility_change(target)
    log(action=Action.UNHIDE, by=by, member=kind.owner_of(target), target=target, reason=reason)
    return True


def _after_visibility_change(target: models.Model) -> None:

    # Home's HTML is kept under the entries and off-kai it shows (sns.cache.rendered).
    if isinstance(target, Entry):
        cache.bump(cache.entry(target), cache.diary(target.author_id))
    elif isinstance(target, Comment):
        # Its entry's comments (its page, the count lists show).
        cache.bump(cache.comments(target.entry_id))
        # Shown again, it counts as new on home once more (hidden, home's check drops it).
        diary_services.participants_tell(entry=target.entry)
    elif isinstance(target, TopicComment):
        topic_comment_counts_refresh(topic_ids=[target.topic_id])
        # "New in my communities" on home is cached per community (sns.cache).
        cache.bump(cache.community(target.topic.community_id))
    elif isinstance(target, Topic):
        cache.bump(cache.community(target.community_id))
    elif isinstance(target, EventComment):
        # On its off-kai's page (kept as HTML: sns.cache.rendered).
        cache.bump(cache.event(target.event_id))
    elif isinstance(target, Message):
        # On its conversation's page (kept as HTML per reader).
        cache.bump(cache.conversation(target.conversation_id))
    elif isinstance(target, Album | AlbumPhoto | AlbumPhotoComment):
        albums_services.album_shown_again_or_hidden(target=target)
    elif isinstance(target, Event):
        cache.bump(cache.event(target))
        if target.hidden_at is None:
            # Shown again, it comes back into home's upcoming off-kai (hidden, the check
            # drops it).
            cache.bump(cache.EVENTS)


def topic_comment_counts_refresh(*, topic_ids: Iterable[int]) -> None:
    """Count again the comments each topic shows: not hidden, by members still active.

    A topic stores its count (communities.services keeps it as comments come and go), so
    hiding a comment or suspending (or reinstating) its author changes the number listed.
    Counting afresh, rather than adding or taking away, leaves it right whatever happened
    before. The topics are locked first, as the comment services lock them, so that no
    comment is written between the count and its storing.
    """

    ids = sorted(set(topic_ids))
    if not ids:
        return
    list(Topic.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    shown = (
        without_hidden_people(
            TopicComment.objects.filter(topic=OuterRef("pk"), hidden_at__isnull=True),
            "author_id", None,
        )
        .order_by().values("topic").annotate(n=Count("pk")).values("n")
    )
    Topic.objects.filter(pk__in=ids).update(comment_count=Coalesce(Subquery(shown), 0))


def topics_commented_by(member: User) -> list[int]:
    """The topics ``member`` commented in (their counts change with the member's standing)."""

    return list(
        TopicComment.objects.filter(author=member).order_by().values_list("topic", flat=True)
        .distinct()
    )
