"""Comments (Q&A) on an off-kai, with the rules of diary comments: whoever may see the event
may comment (until it is cancelled); the author or a host may delete a comment."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from accounts.models import User
from sns import cache, limits
from sns.comments import comment_body_clean, comment_participants
from sns.errors import Refused
from sns.notify import Kind, notify
from sns.withdraw import about_withdraw

from ..models import Event, EventComment, EventHost
from .audience import may_see


@transaction.atomic
def event_comment_create(*, event_id: int, author: User, body: str) -> EventComment:
    """``author`` comments on event ``event_id``; the hosts and the earlier commenters are
    notified (EVENT_COMMENT), once each, never the author, nobody in a block with the
    author, only those who may still see the event.

    Raises Event.DoesNotExist when ``author`` may not see the event (a 404 for the view) and
    Refused for an empty or over-long comment or a cancelled event (RateLimited past
    COMMENTS_PER_HOUR).
    """

    limits.take(author, limits.COMMENTS)
    # Lock the event so that comments on it are written one after another: each commenter's
    # "earlier commenters" are then exactly the comments before theirs.
    event = Event.objects.visible_to(author).select_for_update(of=("self",)).get(pk=event_id)
    if event.is_cancelled:
        raise Refused(_("This off-kai was cancelled; comments are closed."),
                              code="cancelled")
    body = comment_body_clean(body)
    comment = EventComment.objects.create(event=event, author=author, body=body)
    # The off-kai's page is kept as HTML under it (sns.cache.rendered).
    cache.bump(cache.event(event))
    candidates = comment_participants(
        EventComment.objects.filter(event=event, pk__lt=comment.pk), commenter=author,
        also=EventHost.objects.filter(event=event).values("user"),
    )
    for recipient in may_see(event, candidates).order_by("pk"):
        notify(recipient=recipient, kind=Kind.EVENT_COMMENT, actor=author, target=comment)
    return comment


@transaction.atomic
def event_comment_delete(*, comment_id: int, by: User) -> int:
    """Delete comment ``comment_id`` if ``by`` wrote it or hosts its event (and may still see
    the event); else EventComment.DoesNotExist. Its notifications go with it.

    Returns the pk of the event it was on.
    """
    comment = EventComment.objects.get(
        Q(author=by) | Q(Exists(EventHost.objects.filter(event=OuterRef("event"), user=by))),
        pk=comment_id,
        # One a moderator hid is gone for its author too (the moderators' log points at it).
        hidden_at__isnull=True,
        event__in=Event.objects.visible_to(by),
    )
    about_withdraw(model=EventComment, ids=[comment.pk])
    comment.delete()
    cache.bump(cache.event(comment.event_id))
    return comment.event_id
