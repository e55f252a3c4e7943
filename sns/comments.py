"""Comment threads, the same on diary entries, community topics and off-kai: each comment
with its author as the viewer may see them, and whether the viewer may delete it; the text
of a refused comment, kept for its form."""

from __future__ import annotations

from dataclasses import dataclass

from .people import shown_author
from .visibility import Relation, relations_to


@dataclass
class CommentCard:
    comment: object
    shown: object  # sns.people.ShownProfile of the author for the viewer (or DELETED_MEMBER)
    deletable: bool


def comment_cards(viewer, comments, *, deletes_any: bool, relations=None) -> list[CommentCard]:
    """Cards for ``comments`` (with ``author__profile``): comments by members in a block
    with ``viewer`` (either way) are left out; ``deletes_any`` says whether the viewer may
    delete every comment (the entry's author, a community's admins, an event's hosts) or
    only their own. ``relations`` (from ``relations_to``) when the page has them already;
    else one query for all the authors."""
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


# --- drafts: a refused comment's text, kept for its page --------------------------------------
# Comment forms post and redirect back to the thread's page; when a comment is refused (empty,
# too long, past COMMENTS_PER_HOUR…) its text waits here, read once, for that page to put back
# in the form with the reason: what a member wrote is never lost to the redirect.

DRAFT_SESSION_KEY = "comment_draft"


def draft_keep(request, *, thread: str, body: str, error: str) -> None:
    """Keep ``body``, refused for ``error``, for the page of ``thread`` ("diary:12")."""
    request.session[DRAFT_SESSION_KEY] = {"thread": thread, "body": body, "error": error}


def draft_take(request, thread: str) -> dict | None:
    """The draft kept for ``thread`` ({"body", "error"}), forgotten once read; else None."""
    session = getattr(request, "session", None)
    draft = session.get(DRAFT_SESSION_KEY) if session is not None else None
    if not draft or draft.get("thread") != thread:
        return None
    del session[DRAFT_SESSION_KEY]
    return draft


def draft_form(request, thread: str, form_class):
    """An empty ``form_class`` (its text field named ``body``) for the page of ``thread``, or
    one holding the draft kept for it, the reason shown on the field."""
    draft = draft_take(request, thread)
    if draft is None:
        form = form_class()
        # The same for every member: a page may keep it as HTML (``{% part … keep= %}``).
        form.keepable = True
        return form
    form = form_class({"body": draft["body"]})
    form.is_valid()
    if "body" not in form.errors:
        form.add_error("body", draft["error"])
    return form
