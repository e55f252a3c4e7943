"""What the likes feature needs of each kind of thing: which of them a member may see (and
so like), whose it is, where it is shown, and which page's kept HTML a like makes stale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from communities.models import Topic, TopicComment
from diary.models import Comment, Entry
from offkai.models import Event, EventComment
from sns import cache
from sns.likes import kind_of, model_of
from sns.visibility import without_blocked


@dataclass(frozen=True)
class Spec:
    visible: Callable[[object], QuerySet]  # viewer → the things they may see
    owner_id: Callable[[models.Model], int | None]  # who hears of a like
    url: Callable[[models.Model], str]  # where it is shown
    title: Callable[[models.Model], str]  # what "who liked this" calls it
    # The page it is on: that page's kind and the field holding that page's id.
    page: tuple[str, str]


# Comments of members who left stay ("deleted member") and may be liked; of a suspended
# member, or one in a block with the viewer, they are not shown and so not likeable.
_KEPT_AUTHOR = Q(author__isnull=True) | Q(author__is_active=True)


def _comments(queryset: QuerySet, viewer, **parent) -> QuerySet:
    return without_blocked(
        queryset.filter(hidden_at__isnull=True, **parent).filter(_KEPT_AUTHOR), "author",
        viewer,
    )


def _comment_on(title: str) -> str:
    return _("A comment on “%(title)s”") % {"title": title}


SPECS: dict[str, Spec] = {
    "entry": Spec(
        visible=lambda viewer: Entry.objects.visible_to(viewer),
        owner_id=lambda entry: entry.author_id,
        url=lambda entry: entry.get_absolute_url(),
        title=lambda entry: entry.title,
        page=("entry", "pk"),
    ),
    "entry-comment": Spec(
        visible=lambda viewer: _comments(
            Comment.objects.select_related("entry"), viewer,
            entry__in=Entry.objects.visible_to(viewer),
        ),
        owner_id=lambda comment: comment.author_id,
        url=lambda comment: f"{comment.entry.get_absolute_url()}#comment-{comment.pk}",
        title=lambda comment: _comment_on(comment.entry.title),
        page=("entry", "entry_id"),
    ),
    "topic": Spec(
        visible=lambda viewer: Topic.objects.visible_to(viewer),
        owner_id=lambda topic: topic.author_id,
        url=lambda topic: topic.get_absolute_url(),
        title=lambda topic: topic.title,
        page=("topic", "pk"),
    ),
    "topic-comment": Spec(
        visible=lambda viewer: _comments(
            TopicComment.objects.select_related("topic"), viewer,
            topic__in=Topic.objects.visible_to(viewer),
        ),
        owner_id=lambda comment: comment.author_id,
        url=lambda comment: f"{comment.topic.get_absolute_url()}#comment-{comment.pk}",
        title=lambda comment: _comment_on(comment.topic.title),
        page=("topic", "topic_id"),
    ),
    "offkai": Spec(
        visible=lambda viewer: Event.objects.visible_to(viewer),
        owner_id=lambda event: event.created_by_id,
        url=lambda event: event.get_absolute_url(),
        title=lambda event: event.title,
        page=("offkai", "pk"),
    ),
    "offkai-comment": Spec(
        visible=lambda viewer: _comments(
            EventComment.objects.select_related("event"), viewer,
            event__in=Event.objects.visible_to(viewer),
        ),
        owner_id=lambda comment: comment.author_id,
        url=lambda comment: f"{comment.event.get_absolute_url()}#comment-{comment.pk}",
        title=lambda comment: _comment_on(comment.event.title),
        page=("offkai", "event_id"),
    ),
}


def spec_of(kind: str) -> Spec | None:
    """The spec of a kind name, or None (unknown, or its app is not installed)."""
    return SPECS.get(kind) if model_of(kind) is not None else None


def page_scope(thing: models.Model):
    """The scope (sns.cache.likes) of the page ``thing`` is on: a like makes it stale."""
    page_kind, field = SPECS[kind_of(thing)].page
    return cache.likes(page_kind, getattr(thing, field))

