"""The one comment kit, the same on diary entries, community topics and off-kai (and on what
comes next):

- what every comment is (``CommentBase``) and how its text is cleaned (``comment_body_clean``);
- who takes part in a thread, to be told of a new comment (``comment_participants``);
- each comment with its author as the viewer may see them and whether the viewer may delete
  it (``comment_cards``);
- the form (``CommentForm``), the text of a refused comment kept for it (drafts), and the two
  views' bodies (``comment_post``, ``comment_remove``): one way to post, refuse and delete;
- the partials: templates/partials/comments.html (the thread), partials/comment.html (one
  comment) and partials/comment_form.html (the form that closes the thread's section).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import OuterRef, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import Refused
from .people import shown_author
from .text import body_clean
from .visibility import Relation, block_either_way, relations_to

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
    """A comment's text as a service keeps it (``sns.text.body_clean``): Refused when empty
    or past COMMENT_MAX_LENGTH."""
    return body_clean(
        body, max_length=COMMENT_MAX_LENGTH,
        empty=_("Write something before posting a comment."),
        too_long=_("A comment can be at most %(limit)d characters long (it has %(length)d)."),
    )


def comment_participants(
    earlier: QuerySet, *, commenter, also: Iterable[int] | QuerySet | None = None
) -> QuerySet:
    """The members taking part in a thread, to be told of ``commenter``'s new comment: the
    authors of the ``earlier`` comments and the members ``also`` names (ids: the entry's or
    topic's author, an off-kai's hosts), who are still here, other than ``commenter``, in no
    block with them either way. Each thread narrows it further (who may still see the entry,
    who is still a member of the community)."""
    taking_part = Q(pk__in=earlier.values("author"))
    if also is not None:
        taking_part |= Q(pk__in=also)
    return (
        get_user_model().objects.filter(taking_part, is_active=True)
        .exclude(pk=commenter.pk)
        .exclude(block_either_way(commenter, OuterRef("pk")))
    )


@dataclass
class CommentCard:
    comment: object
    shown: object  # sns.people.ShownProfile of the author for the viewer (or DELETED_MEMBER)
    deletable: bool
    delete_url: str = ""  # where its delete button posts, when deletable


def comment_cards(
    viewer, comments, *, deletes_any: bool, delete_url: Callable[[Any], str], relations=None
) -> list[CommentCard]:
    """Cards for ``comments`` (with ``author__profile``): comments by members in a block
    with ``viewer`` (either way) are left out; ``deletes_any`` says whether the viewer may
    delete every comment (the entry's author, a community's admins, an event's hosts) or
    only their own, ``delete_url(comment)`` where the delete button of one they may delete
    posts. ``relations`` (from ``relations_to``) when the page has them already; else one
    query for all the authors."""
    comments = list(comments)
    if relations is None:
        relations = relations_to(viewer, [c.author for c in comments if c.author_id is not None])
    viewer_pk = viewer.pk if viewer is not None and viewer.is_authenticated else None
    cards = []
    for comment in comments:
        if relations.get(comment.author_id) is Relation.BLOCKED:
            continue
        deletable = viewer_pk is not None and (deletes_any or comment.author_id == viewer_pk)
        cards.append(CommentCard(
            comment=comment,
            shown=shown_author(comment, relations, Relation.MEMBER),
            deletable=deletable,
            delete_url=delete_url(comment) if deletable else "",
        ))
    return cards


# --- the form and the views' bodies -----------------------------------------------------------

class CommentForm(forms.Form):
    """The comment form under every thread. Its text goes to the thread's service as posted
    (``comment_body_clean`` there is the one rule); the form shows the field and a refused
    draft."""

    body = forms.CharField(
        label=_("Write a comment"), max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown: **bold**, *italic*, [links](https://…), lists."),
    )


def comment_post(
    request, *, thread: str, page_url: str, create: Callable[[str], models.Model]
) -> HttpResponse:
    """The body of every "post a comment" view: ``create(text)`` (the thread's service)
    with the posted text; back to the new comment on ``page_url``. A refusal (empty, too
    long, past the rate limit, closed) goes back to the form with the reason and the text
    kept (drafts, under ``thread``); a thread the member may not see is a 404."""
    body = request.POST.get("body", "")
    try:
        comment = create(body)
    except ObjectDoesNotExist:
        raise Http404 from None
    except Refused as error:
        reason = str(error)
        draft_keep(request, thread=thread, body=body, error=reason)
        messages.error(
            request, gettext("Your comment was not posted: %(reason)s") % {"reason": reason}
        )
        return redirect(f"{page_url}#comment-form")
    messages.success(request, gettext("Your comment was posted."))
    return redirect(f"{page_url}#comment-{comment.pk}")


def comment_remove(
    request, *, delete: Callable[[], Any], page_url: str | Callable[[Any], str]
) -> HttpResponse:
    """The body of every "delete a comment" view: ``delete()`` (the thread's service); back
    to the thread's comments on ``page_url`` (or ``page_url(what delete returned)``). A
    comment that is not there, or not the member's to delete, is the same 404."""
    try:
        deleted = delete()
    except (ObjectDoesNotExist, Refused):
        raise Http404 from None
    messages.success(request, gettext("The comment was deleted."))
    url = page_url(deleted) if callable(page_url) else page_url
    return redirect(f"{url}#comments")


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
