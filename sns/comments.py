"""Comment threads, the same on diary entries, community topics and off-kai: each comment
with its author as the viewer may see them, and whether the viewer may delete it."""

from __future__ import annotations

from dataclasses import dataclass

from .visibility import Relation, relations_to


@dataclass
class CommentCard:
    comment: object
    shown: object  # accounts.models.ShownProfile of the author for the viewer (or "deleted")
    deletable: bool


def comment_cards(viewer, comments, *, deletes_any: bool, relations=None) -> list[CommentCard]:
    """Cards for ``comments`` (with ``author__profile``): comments by members in a block
    with ``viewer`` (either way) are left out; ``deletes_any`` says whether the viewer may
    delete every comment (the entry's author, a community's admins, an event's hosts) or
    only their own. ``relations`` (from ``relations_to``) when the page has them already;
    else one query for all the authors."""
    from accounts.leaving import shown_author

    comments = list(comments)
    if relations is None:
        relations = relations_to(viewer, [c.author for c in comments if c.author_id is not None])
    viewer_pk = viewer.pk if viewer is not None and viewer.is_authenticated else None
    cards = []
    for comment in comments:
        if relations.get(comment.author_id) is Relation.BLOCKED:
            continue
        cards.append(CommentCard(
            comment=comment,
            shown=shown_author(comment, relations, Relation.MEMBER),
            deletable=viewer_pk is not None and (deletes_any or comment.author_id == viewer_pk),
        ))
    return cards
