"""紹介文: a friend writes about a member; the subject or the author deletes it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sns import cache
from sns.errors import Refused
from sns.notify import Kind, notifications_withdraw, notify

from ..models import Friendship, Introduction, User
from .friends import pair_lock

INTRODUCTION_MAX_LENGTH = 1000


class IntroductionError(Refused):
    """A member-facing reason why an introduction cannot be written."""


@transaction.atomic
def introduction_write(*, author: User, subject: User, body: str) -> Introduction:
    """Write ``author``'s introduction of ``subject``, or rewrite it; only a friend may.

    Notifies the subject when the introduction is first written, not on later edits.
    """
    if author.pk == subject.pk:
        raise IntroductionError(_("You cannot write an introduction about yourself."))
    body = body.strip()
    if not body:
        raise IntroductionError(_("Write a few words about your friend."))
    if len(body) > INTRODUCTION_MAX_LENGTH:
        raise IntroductionError(
            _("An introduction can be at most %(max)d characters long.")
            % {"max": INTRODUCTION_MAX_LENGTH}
        )
    # The pair lock serialises this with friendship_end, so no introduction is written into
    # a friendship that is ending at the same moment.
    members = pair_lock(a=author, b=subject)
    if subject.pk not in members or not members[subject.pk].is_active:
        raise IntroductionError(_("This member is no longer on the site."))
    if not Friendship.objects.filter(user=author, friend=subject).exists():
        raise IntroductionError(_("Only friends can write an introduction."))
    introduction, created = Introduction.objects.update_or_create(
        author=author, subject=subject, defaults={"body": body}
    )
    cache.bump(cache.introductions(subject))
    if created:
        notify(
            recipient=subject, kind=Kind.INTRODUCTION_WRITTEN, actor=author, target=introduction
        )
    return introduction


@transaction.atomic
def introduction_delete(*, user: User, introduction_id: int) -> Introduction:
    """Delete an introduction: its subject may remove any about them, its author their own.

    Raises Introduction.DoesNotExist for one that is missing or neither theirs nor about
    them: all the same to the caller. Returns the deleted introduction (without its pk).
    """
    introduction = (
        Introduction.objects.select_related("author__profile", "subject__profile")
        .filter(Q(author=user) | Q(subject=user))
        .get(pk=introduction_id)
    )
    notifications_withdraw(model=Introduction, ids=[introduction.pk])
    introduction.delete()
    cache.bump(cache.introductions(introduction.subject_id))
    return introduction
