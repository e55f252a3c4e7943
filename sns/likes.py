"""イイネ! as every page reads it (kernel): the likes of the things a page shows, counted in one
query per page, and the viewer's own among them; and the removal of a thing's likes when the
thing goes. Liking and unliking, "who liked this" and the notification are the likes feature
(sns/liking/), which knows the apps' models; this module knows them only by label.

A thing's kind is a short name in URLs (``/likes/entry/12/``); ``KINDS`` maps it to the model's
label, so the kernel imports no app.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import Like

# Kind (in URLs and templates) → the model's label. Order: how the data download lists them.
KINDS: dict[str, str] = {
    "entry": "diary.entry",
    "entry-comment": "diary.comment",
    "topic": "communities.topic",
    "topic-comment": "communities.topiccomment",
    "offkai": "offkai.event",
    "offkai-comment": "offkai.eventcomment",
    "photo": "albums.albumphoto",
}
_KIND_OF_LABEL = {label: kind for kind, label in KINDS.items()}


def kind_of(thing: models.Model) -> str:
    """The kind name of ``thing``'s model (KeyError for a model that cannot be liked)."""
    return _KIND_OF_LABEL[thing._meta.label_lower]


def model_of(kind: str) -> type[models.Model] | None:
    """The model of a kind name, or None (an unknown kind, or an app not installed)."""
    label = KINDS.get(kind)
    if label is None:
        return None
    try:
        return apps.get_model(label)
    except LookupError:
        return None


@dataclass(frozen=True)
class LikeState:
    """What a like button shows: the thing's kind and id (its URLs), how many liked it, and
    whether the viewer is one of them."""

    kind: str
    pk: int
    count: int = 0
    liked: bool = False


def like_states(viewer, things: Iterable[models.Model]) -> dict[tuple[str, int], LikeState]:
    """The likes of ``things`` (of any kinds), in one query: each thing gets its ``like``
    attribute (a LikeState) for the templates, and the states are returned by (kind, pk).
    ``viewer`` None or anonymous: nobody's own."""
    things = [t for t in things if t is not None]
    states: dict[tuple[str, int], LikeState] = {}
    if things:
        types = ContentType.objects.get_for_models(*{type(t) for t in things})
        by_type = {types[type(t)].pk: kind_of(t) for t in things}
        viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else 0
        pairs = [(types[type(t)].pk, t.pk) for t in things]
        with connection.cursor() as cursor:
            # Counted along the like_once index (type, id, member): an index-only scan.
            cursor.execute(
                "SELECT target_type_id, target_id, count(*), bool_or(member_id = %s) "
                "FROM sns_like WHERE (target_type_id, target_id) IN "
                "(SELECT * FROM unnest(%s::integer[], %s::bigint[])) GROUP BY 1, 2",
                [viewer_id, [pair[0] for pair in pairs], [pair[1] for pair in pairs]],
            )
            for type_id, pk, count, liked in cursor.fetchall():
                kind = by_type[type_id]
                states[(kind, pk)] = LikeState(kind, pk, count, bool(liked))
    for thing in things:
        kind = kind_of(thing)
        thing.like = states.setdefault((kind, thing.pk), LikeState(kind, thing.pk))
    return states


def likes_withdraw(*, model: type[models.Model], ids) -> int:
    """Delete the likes of these things (they are being deleted); return how many."""
    deleted, _by_model = Like.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in=list(ids)
    ).delete()
    return deleted



def like_count(model: type[models.Model]) -> Coalesce:
    """An annotation: how many liked each row of ``model`` (a subquery along the like_once
    index, so that a list's counts come with the list, not one query per row). Counted as
    ``count(*)``: the like's id is in no index with the thing, so ``count(id)`` would read
    every like's row from the table (5,000 for a popular entry) instead of the index alone."""
    counts = (
        Like.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id=OuterRef("pk")
        ).order_by().values("target_id").annotate(n=Count("*")).values("n")
    )
    return Coalesce(Subquery(counts), 0)


def counts_by_id(model: type[models.Model], ids) -> dict[int, dict]:
    """How many liked each of ``ids`` (things of ``model``), as a hole's values (``n``): one
    query. For ``cache.holes`` of the lists that show counts."""
    rows = (
        Like.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id__in=list(ids)
        ).order_by().values("target_id").annotate(n=Count("*")).values_list("target_id", "n")
    )
    found = dict(rows)
    return {pk: {"n": found.get(pk, 0)} for pk in ids}
