"""What the likes feature needs of each kind of thing: which of them a member may see (and
so like), whose it is, where it is shown, and which page's kept HTML a like makes stale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from albums.models import AlbumPhoto
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


def _thing(model, kind: str, *, owner: str = "author_id") -> Spec:
    """A thing with a page of its own (an entry, a topic, an off-kai)."""
    return Spec(
        visible=lambda viewer: model.objects.visible_to(viewer),
        owner_id=lambda thing: getattr(thing, owner),
        url=lambda thing: thing.get_absolute_url(),
        title=lambda thing: thing.title,
        page=(kind, "pk"),
    )


def _comment(model, parent: str, parent_model, page_kind: str) -> Spec:
    """A comment on ``parent`` (a thing of ``parent_model``), shown on its page."""

    def visible(viewer) -> QuerySet:
        comments = model.objects.select_related(parent).filter(
            _KEPT_AUTHOR, hidden_at__isnull=True,
            **{f"{parent}__in": parent_model.objects.visible_to(viewer)},
        )
        return without_blocked(comments, "author", viewer)

    return Spec(
        visible=visible,
        owner_id=lambda comment: comment.author_id,
        url=lambda comment: f"{getattr(comment, parent).get_absolute_url()}#comment-{comment.pk}",
        title=lambda comment: _("A comment on “%(title)s”") % {
            "title": getattr(comment, parent).title
        },
        page=(page_kind, f"{parent}_id"),
    )


SPECS: dict[str, Spec] = {
    "entry": _thing(Entry, "entry"),
    "entry-comment": _comment(Comment, "entry", Entry, "entry"),
    "topic": _thing(Topic, "topic"),
    "topic-comment": _comment(TopicComment, "topic", Topic, "topic"),
    "offkai": _thing(Event, "offkai", owner="created_by_id"),
    "offkai-comment": _comment(EventComment, "event", Event, "offkai"),
    "photo": Spec(
        visible=lambda viewer: AlbumPhoto.objects.visible_to(viewer).select_related("album"),
        owner_id=lambda photo: photo.uploader_id,
        url=lambda photo: photo.get_absolute_url(),
        title=lambda photo: photo.caption or photo.album.title,
        page=("photo", "pk"),
    ),
}


def spec_of(kind: str) -> Spec | None:
    """The spec of a kind name, or None (unknown, or its app is not installed)."""
    return SPECS.get(kind) if model_of(kind) is not None else None


def page_scope(thing: models.Model):
    """The scope (sns.cache.likes) of the page ``thing`` is on: a like makes it stale."""
    page_kind, field = SPECS[kind_of(thing)].page
    return cache.likes(page_kind, getattr(thing, field))

