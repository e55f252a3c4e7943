"""What a notification says to its recipient: one sentence per kind, in the active language,
with the actor's shown name and a link to what it is about, or no link when that is gone or
no longer visible to them. Reads only; a fixed number of queries per list: one for the
actors' relations and one per kind of target (GenericPrefetch, each through the target's
own ``visible_to``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Q, prefetch_related_objects
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Introduction, User
from albums.models import AlbumPhoto, AlbumPhotoComment
from communities.models import Community, JoinRequest, Role, Topic, TopicComment
from conversations.models import Conversation, Message
from conversations.selectors import preference_of
from diary.models import Comment, Entry
from offkai.models import Event, EventComment
from sns.likes import kind_of
from sns.models import Announcement, Notification
from sns.people import ShownProfile
from sns.visibility import Relation, relations_to

from .selectors import announcements_visible_to

Kind = Notification.Kind

# Sentences naming what the notification is about (its title); %(actor)s is who did it.
_WITH_TITLE = {
    Kind.DIARY_COMMENT: lambda: _("%(actor)s commented on your diary entry “%(title)s”"),
    Kind.DIARY_COMMENT_AFTER: lambda: _(
        "%(actor)s also commented on the diary entry “%(title)s”"
    ),
    Kind.COMMUNITY_JOIN_REQUEST: lambda: _("%(actor)s asks to join the community “%(title)s”"),
    Kind.COMMUNITY_JOIN_APPROVED: lambda: _(
        "%(actor)s approved your request to join the community “%(title)s”"
    ),
    Kind.COMMUNITY_TOPIC_COMMENT: lambda: _("%(actor)s commented on the topic “%(title)s”"),
    Kind.COMMUNITY_INVITATION: lambda: _("%(actor)s invited you to the community “%(title)s”"),
    Kind.EVENT_NEW: lambda: _("%(actor)s plans a new off-kai, “%(title)s”"),
    Kind.EVENT_CHANGED: lambda: _("The time or place of the off-kai “%(title)s” changed"),
    Kind.EVENT_CANCELLED: lambda: _("The off-kai “%(title)s” was cancelled"),
    Kind.EVENT_PROMOTED: lambda: _("A place freed up for you at the off-kai “%(title)s”"),
    Kind.EVENT_REMINDER: lambda: _("The off-kai “%(title)s” is tomorrow"),
    Kind.EVENT_COMMENT: lambda: _("%(actor)s commented on the off-kai “%(title)s”"),
    Kind.ANNOUNCEMENT: lambda: _("Announcement: “%(title)s”"),
    Kind.MESSAGE: lambda: _("%(actor)s sent you a message: “%(title)s”"),
    Kind.ALBUM_COMMENT: lambda: _("%(actor)s commented on a photo in the album “%(title)s”"),
}

# The same without a title (the target is gone or hidden from the recipient), and the kinds
# that never have one. %(person)s is the invitee the inviter hears about.
_PLAIN = {
    Kind.FRIEND_REQUEST_RECEIVED: lambda: _("%(actor)s sent you a friend request"),
    Kind.FRIEND_REQUEST_ACCEPTED: lambda: _("%(actor)s accepted your friend request"),
    Kind.INTRODUCTION_WRITTEN: lambda: _("%(actor)s wrote an introduction about you"),
    Kind.DIARY_COMMENT: lambda: _("%(actor)s commented on your diary entry"),
    Kind.DIARY_COMMENT_AFTER: lambda: _("%(actor)s also commented on a diary entry"),
    Kind.COMMUNITY_JOIN_REQUEST: lambda: _("%(actor)s asked to join your community"),
    Kind.COMMUNITY_JOIN_APPROVED: lambda: _("Your request to join a community was approved"),
    Kind.COMMUNITY_TOPIC_COMMENT: lambda: _("%(actor)s commented on a topic"),
    Kind.COMMUNITY_INVITATION: lambda: _("%(actor)s invited you to a community"),
    Kind.EVENT_NEW: lambda: _("%(actor)s planned a new off-kai"),
    Kind.EVENT_CHANGED: lambda: _("The time or place of an off-kai changed"),
    Kind.EVENT_CANCELLED: lambda: _("An off-kai was cancelled"),
    Kind.EVENT_PROMOTED: lambda: _("A place freed up for you at an off-kai"),
    Kind.EVENT_REMINDER: lambda: _("An off-kai you attend is tomorrow"),
    Kind.EVENT_COMMENT: lambda: _("%(actor)s commented on an off-kai"),
    Kind.INVITEE_JOINED: lambda: _("%(person)s, whom you invited, joined the site"),
    Kind.MEMBER_INVITED: lambda: _(
        "%(actor)s wanted to invite you to the site, where you already are. Add them as a "
        "friend?"
    ),
    Kind.MODERATION_WARNING: lambda: _(
        "The moderators sent you a warning. Please read the site's rules again."
    ),
    Kind.INVITEE_WARNED: lambda: _("%(person)s, whom you invited, was warned by the moderators"),
    Kind.INVITEE_SUSPENDED: lambda: _("%(person)s, whom you invited, was suspended"),
    Kind.INVITE_RIGHT_REMOVED: lambda: _(
        "You can no longer send invitations: too many of the members you invited were "
        "suspended. A moderator can give the right back."
    ),
    Kind.ANNOUNCEMENT: lambda: _("An announcement from the operator"),
    Kind.MESSAGE: lambda: _("%(actor)s sent you a message"),
    Kind.LIKE: lambda: _("%(actor)s liked something of yours"),
    Kind.BIRTHDAY: lambda: _("Tomorrow is %(actor)s's birthday"),
    Kind.ALBUM_COMMENT: lambda: _("%(actor)s commented on a photo in your album"),
}

# What a like notification says was liked, by the kind of thing (sns.likes); %(title)s is its
# title, or its entry's, topic's or off-kai's for a comment.
_LIKED = {
    "entry": lambda: _("your diary entry “%(title)s”"),
    "entry-comment": lambda: _("your comment on “%(title)s”"),
    "topic": lambda: _("your topic “%(title)s”"),
    "topic-comment": lambda: _("your comment on “%(title)s”"),
    "offkai": lambda: _("your off-kai “%(title)s”"),
    "offkai-comment": lambda: _("your comment on “%(title)s”"),
    "photo": lambda: _("your photo in “%(title)s”"),
}

# Kinds that always lead to the same page, whatever their target.
_FIXED_URLS = {
    Kind.FRIEND_REQUEST_RECEIVED: "accounts:friend_requests",
    Kind.MODERATION_WARNING: "policy",
    Kind.INVITE_RIGHT_REMOVED: "invites:mine",
}


@dataclass
class Item:
    """One notification as its recipient sees it."""

    notification: Notification
    text: str
    url: str | None  # where it leads; None when what it is about is gone or hidden
    actor_shown: ShownProfile | None
    # The member a button on the item sends a friend request to (None: no button).
    befriend: User | None = None
    # The start of a message, quoted where the member lets mail quote messages.
    quote: str = ""

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None

    @property
    def pk(self) -> int:
        return self.notification.pk


def target_querysets(viewer) -> list:
    """A queryset per kind of target, each holding only what ``viewer`` may still see."""

    # The content types in one query (then cached for the process), not one per model.
    ContentType.objects.get_for_models(
        Comment, TopicComment, EventComment, Event, Community, JoinRequest, Introduction, User,
        Announcement, Message, Entry, Topic, AlbumPhotoComment, AlbumPhoto,
    )
    # Comments of members who left stay (author NULL, "deleted member").
    kept_author = Q(author__isnull=True) | Q(author__is_active=True)
    visible_entries = Entry.objects.visible_to(viewer).filter(hidden_at__isnull=True)
    visible_topics = Topic.objects.visible_to(viewer).filter(hidden_at__isnull=True)
    return [
        # Liked (a like notification).
        visible_entries,
        visible_topics,
        Comment.objects.filter(
            hidden_at__isnull=True, entry__in=visible_entries
        ).filter(kept_author).select_related("entry"),
        TopicComment.objects.filter(
            hidden_at__isnull=True, topic__in=visible_topics
        ).filter(kept_author).select_related("topic"),
        EventComment.objects.filter(
            hidden_at__isnull=True,
            event__in=Event.objects.visible_to(viewer),
        ).filter(kept_author).select_related("event"),
        Event.objects.visible_to(viewer),
        Community.objects.visible_to(viewer),
        # A request waits on the requests page, which only the admins and sub-admins open.
        JoinRequest.objects.filter(
            community__memberships__user=viewer,
            community__memberships__role__in=[Role.ADMIN, Role.SUBADMIN],
        ).select_related("community"),
        Introduction.objects.filter(subject=viewer, author__is_active=True),
        # Named even when they left (an inviter hears their invitee was suspended); linked
        # only when their page is there for the viewer (see _describe).
        User.objects.select_related("profile"),
        announcements_visible_to(viewer),
        # A message only while its reader is in the conversation and may see it.
        Message.objects.filter(
            hidden_at__isnull=True, conversation__in=Conversation.objects.visible_to(viewer)
        ).select_related("conversation"),
        # A comment on an album photo while the viewer may see the photo.
        AlbumPhotoComment.objects.filter(
            hidden_at__isnull=True, photo__in=AlbumPhoto.objects.visible_to(viewer),
        ).filter(kept_author).select_related("photo__album"),
        # A photo liked.
        AlbumPhoto.objects.visible_to(viewer).select_related("album"),
    ]


def items_for(viewer, notifications) -> list[Item]:
    """``notifications`` (``viewer``'s, fetched with ``actor__profile``) as ``viewer`` sees
    them, in the active language."""
    notifications = list(notifications)
    prefetch_related_objects(
        notifications, GenericPrefetch("target", target_querysets(viewer))
    )
    people = [n.actor for n in notifications if n.actor_id is not None]
    people += [n.target for n in notifications if _is_member(n.target)]
    relations = relations_to(viewer, people)
    return [_describe(viewer, n, relations) for n in notifications]


def _is_member(obj) -> bool:

    return isinstance(obj, User)


def _describe(viewer, notification: Notification, relations: dict) -> Item:

    kind, actor, target = notification.kind, notification.actor, notification.target
    actor_shown = None
    if actor is not None:
        actor_shown = actor.profile.shown_to(relations.get(actor.pk, Relation.MEMBER))
    title, url = "", None
    if isinstance(target, Entry | Topic):
        title, url = target.title, target.get_absolute_url()
    elif isinstance(target, Comment):
        title = target.entry.title
        url = f"{target.entry.get_absolute_url()}#comment-{target.pk}"
    elif isinstance(target, TopicComment):
        title = target.topic.title
        url = f"{target.topic.get_absolute_url()}#comment-{target.pk}"
    elif isinstance(target, EventComment):
        title = target.event.title
        url = f"{target.event.get_absolute_url()}#comment-{target.pk}"
    elif isinstance(target, AlbumPhotoComment):
        title, url = target.photo.album.title, target.get_absolute_url()
    elif isinstance(target, AlbumPhoto):
        title, url = target.album.title, target.get_absolute_url()
    elif isinstance(target, JoinRequest):
        title = target.community.name
        url = reverse("communities:requests", args=[target.community_id])
    elif isinstance(target, Community | Event):
        title, url = str(target), target.get_absolute_url()
    elif isinstance(target, Message):
        title, url = target.conversation.subject, target.get_absolute_url()
    elif isinstance(target, Announcement):
        title, url = target.title, reverse("notifications:announcement", args=[target.pk])
    elif isinstance(target, Introduction):
        url = reverse("accounts:introductions", args=[viewer.pk])
    elif (
        isinstance(target, User) and target.is_active
        and relations.get(target.pk) is not Relation.BLOCKED
    ):
        url = target.get_absolute_url()
    # The invitee is the target when it is a member, else the actor.
    person = target if isinstance(target, User) else actor
    if kind in _FIXED_URLS:
        url = reverse(_FIXED_URLS[kind])
    elif notification.target_type_id is None:
        # Without a target, it is about the actor (a friend request accepted, an invitee).
        url = person.get_absolute_url() if person is not None and person.is_active else None
    values = {
        "actor": actor_shown.name if actor_shown else _("A member"),
        "person": person.display_name if person is not None else _("A member"),
        "title": title,
    }
    sentence = _WITH_TITLE.get(kind) if title else None
    sentence = sentence or _PLAIN.get(kind)
    text = sentence() % values if sentence else notification.get_kind_display()
    if kind == Kind.LIKE and title:
        text = _liked(kind_of(target), notification.gathered, values)
    befriend = None
    if (
        kind == Kind.MEMBER_INVITED and actor is not None and actor.is_active
        and relations.get(actor.pk) not in (Relation.FRIEND, Relation.BLOCKED)
    ):
        # An inviter who did not know the recipient is here: one click asks to be friends
        # (gone once they are, as on a profile).
        befriend = actor
    return Item(
        notification=notification, text=text, url=url, actor_shown=actor_shown,
        befriend=befriend,
    )


def _liked(kind: str, gathered: int, values: dict) -> str:
    """"Aki liked your diary entry “…”", or "Aki and 2 others liked …": the notification
    gathers the likes of the thing until it is read (sns.notify.notify_gathered)."""
    what = _LIKED[kind]() % values
    others = gathered - 1
    if not others:
        return _("%(actor)s liked %(what)s") % {**values, "what": what}
    return ngettext(
        "%(actor)s and %(others)d other liked %(what)s",
        "%(actor)s and %(others)d others liked %(what)s", others,
    ) % {**values, "what": what, "others": others}


QUOTE_CHARS = 200


def private_for_mail(member, items: list[Item]) -> list[Item]:
    """``items`` as the notification mail may tell them: a message says only who wrote (no
    subject, no text), unless ``member`` lets mail quote messages: then its subject and the
    start of its text. A private message should not sit in a mailbox by default."""
    quoting = None
    for item in items:
        if item.notification.kind != Kind.MESSAGE:
            continue
        if quoting is None:
            quoting = preference_of(member).text_in_mail
        target = item.notification.target
        if quoting and target is not None:
            item.quote = Truncator(" ".join(target.body.split())).chars(QUOTE_CHARS)
        else:
            item.text = _PLAIN[Kind.MESSAGE]() % {
                "actor": item.actor_shown.name if item.actor_shown else _("A member")
            }
    return items
