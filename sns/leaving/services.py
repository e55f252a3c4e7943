"""Deleting one's account (退会): ``member_leave``, one transaction.

What the member wrote for themselves goes (diary entries and their photos, profile and
photo, introductions, footprints, friendships, requests, blocks, answers, notifications to
and from them); what they wrote on others' pages stays, shown as "deleted member"
(diary.Comment, communities.Topic and TopicComment, offkai.EventComment: author NULL).
Communities they run pass to the next in line, events they created to a co-host or are
cancelled, their pending invitations are revoked, and the audit log keeps one MEMBER_LEFT
row. The cascades of the User row do the rest; each owner app's service is called for what
must happen on the way (promotions, notices, files).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from albums.services import albums_delete_all
from communities import services as community_services
from communities.models import ROLE_RANK, Membership, Role
from conversations.services import messages_delete_all
from diary.services import entries_delete_all
from invites.services import invitations_revoke_all_from
from offkai.services import events_creator_leave, rsvps_leave
from sns import cache, images
from sns.errors import Refused
from sns.moderation.log import Action, log


class LeaveError(Refused):
    """A member-facing reason why the account cannot be deleted; nothing was changed."""


def _check(member: User, password: str) -> None:
    if not password or not member.check_password(password):
        raise LeaveError(_("The password is not correct. Your account was not deleted."))
    if member.is_superuser and not User.objects.filter(
        is_superuser=True, is_active=True
    ).exclude(pk=member.pk).exists():
        raise LeaveError(_(
            "You are the site's last superuser: make another member a superuser before "
            "deleting your account."
        ))


def _communities_hand_over(member: User) -> None:
    """Each community ``member`` is the admin of passes to its longest-standing sub-admin,
    else its longest-standing member (active ones); one with nobody else is closed."""

    for membership in (
        Membership.objects.filter(user=member, role=Role.ADMIN).select_related("community")
    ):
        community = membership.community
        successor = (
            Membership.objects.filter(community=community, user__is_active=True)
            .exclude(user=member).select_related("user")
            .order_by(ROLE_RANK, "joined_at", "pk").first()
        )
        if successor is None:
            community_services.community_close(community=community, by=member)
        else:
            community_services.admin_hand_over(
                community=community, by=member, to=successor.user
            )


@transaction.atomic
def member_leave(*, member: User, password: str, delete_messages: bool = False) -> None:
    """Delete ``member``'s account after checking ``password`` (LeaveError, and nothing
    changes, when it is wrong or when they are the last superuser). The messages they sent
    stay for the others (from "a member who is no longer here") unless ``delete_messages``."""

    # Lock the member, since a second leave (another tab) or a login-time write must wait
    # and then find the member gone. No key update: a host saving one of the member's events
    # (holding its lock) adds rows that refer to the member, whose check at commit takes a
    # share of this row; it must get it, since leaving locks those events next (a deadlock
    # otherwise). The row is deleted at the end all the same.
    member = (
        User.objects.select_for_update(of=("self",), no_key=True).select_related("profile")
        .get(pk=member.pk)
    )
    _check(member, password)

    _communities_hand_over(member)
    events_creator_leave(member=member)
    rsvps_leave(member=member)
    entries_delete_all(author=member)
    albums_delete_all(member=member)
    invitations_revoke_all_from(inviter=member)
    if delete_messages:
        messages_delete_all(author=member)
    photo = member.profile.photo if hasattr(member, "profile") else ""
    if photo:
        transaction.on_commit(lambda: images.delete(photo))
    log(action=Action.MEMBER_LEFT, by=None, member=member)
    # The cascades take the profile, friendships both ways, friend requests, blocks,
    # introductions by and about them, footprints, suggestions, memberships, notifications
    # to and from them, the likes they gave; comments and topics they wrote elsewhere keep
    # their rows (SET_NULL).
    member.delete()
    # All of that drops out of others' cached parts (circles, counts, inboxes, topics).
    cache.bump(cache.PEOPLE)
