"""The one comment kit, the same on diary entries, community topics and off-kai (and on what
comes next): what every comment is (``CommentBase``), how its text is cleaned
(``comment_body_clean``), each comment with its author as the viewer may see them and
whether the viewer may delete it (``comment_cards``), and the text of a refused comment,
kept for its form (drafts). The thread's partial is templates/partials/comment.html."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import Refused
from .people import shown_author
from .text import without_controls
from .visibility import Relation, relations_to

COMMENT_MAX_LENGTH = 5000


class CommentBase(models.Model):
    """What every comment is: its author (NULL once they left the site: the comment stays,
    shown as by "deleted member"), its text, when it was written, and whether a moderator
    hid it. Each app's model adds what it is on, its indexes, and names the author's
    reverse relation (``author`` again, with its own ``related_name``)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    hidden_at = models.DateTimeField(
        _("hidden by a moderator"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


def comment_body_clean(body: str) -> str:
    """A comment's text as a service keeps it: control characters out, stripped; Refused
    when empty or past COMMENT_MAX_LENGTH. The comment views hand the request's text
    straight to the services, past any form field."""
    body = without_controls(body or "").strip()
    if not body:
        raise Refused(_("Write something before posting a comment."), code="empty")
    if len(body) > COMMENT_MAX_LENGTH:
        raise Refused(
            _("A comment can be at most %(limit)d characters long (it has %(length)d).")
            % {"limit": COMMENT_MAX_LENGTH, "length": len(body)},
            code="too_long",
        )
    return body


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
