"""Community writes: create, edit, close, and membership. Each function runs in one
transaction; those that change who is in a community or in which role lock the community
row first, so that two of them never decide on the same state at once.

A change of who belongs where, a comment written or deleted, a topic deleted (here) or
either hidden (sns.moderation) makes home's cached "new in my communities" stale:
``sns.cache``'s memberships and community scopes. (A new topic does not: the part lists
topics by their new comments.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sns import cache, images, limits, notifications
from sns.notifications import Kind, notify
from sns.visibility import blocked_between

from .models import (
    Category,
    Community,
    CommunityInvitation,
    CommunityPreference,
    JoinPolicy,
    JoinRequest,
    Membership,
    Role,
    Topic,
    TopicComment,
)
from .selectors import can_start_topic

if TYPE_CHECKING:
    from accounts.models import User


class CommunityError(ValueError):
    """A membership action that the rules do not allow; the message is for the member."""


class NameTaken(CommunityError):
    pass


# Too many communities or topics started in a short time (sns.limits).
RateLimited = limits.RateLimited


def _name_taken() -> NameTaken:
    return NameTaken(_("A community with this name already exists."))


def _locked(community: Community) -> Community:
    return Community.objects.select_for_update().get(pk=community.pk)


def _membership(community: Community, user: User) -> Membership | None:
    return Membership.objects.filter(community=community, user=user).first()


def _require_admin(community: Community, user: User) -> Membership:
    membership = _membership(community, user)
    if membership is None or not membership.is_admin:
        raise CommunityError(_("Only the community's admin can do this."))
    return membership


def _require_moderator(community: Community, user: User) -> Membership:
    membership = _membership(community, user)
    if membership is None or not membership.moderates:
        raise CommunityError(_("Only the community's admins can do this."))
    return membership


def _require_open(community: Community) -> None:
    if community.is_closed:
        raise CommunityError(_("This community is closed."))


def _cleaning_up(stored: list[str], work):
    """Run ``work``; if it fails, remove the image files it stored."""
    try:
        return work()
    except BaseException:
        for key in stored:
            images.delete(key)
        raise


# --- communities -----------------------------------------------------------------------------

def community_create(
    *,
    creator: User,
    name: str,
    description: str,
    category: Category,
    join_policy: str,
    topic_policy: str,
    image: images.ProcessedImage | None = None,
) -> Community:
    """Start a community; ``creator`` becomes its admin. At most COMMUNITY_CREATE_PER_DAY,
    and the image counts against UPLOADS_PER_DAY (RateLimited)."""
    stored: list[str] = []

    @transaction.atomic
    def work() -> Community:
        limits.take(creator, limits.COMMUNITIES)
        key = ""
        if image is not None:
            limits.take(creator, limits.UPLOADS)
            key = images.store(image, prefix=f"communities/{creator.pk}")
            stored.append(key)
        try:
            with transaction.atomic():
                community = Community.objects.create(
                    name=name.strip(), description=description, category=category,
                    join_policy=join_policy, topic_policy=topic_policy, image=key,
                    created_by=creator,
                )
        except IntegrityError:
            # The form checks the name; this is the race of two creating the same name.
            raise _name_taken() from None
        Membership.objects.create(community=community, user=creator, role=Role.ADMIN)
        cache.bump(cache.memberships(creator))
        return community

    return _cleaning_up(stored, work)


def community_update(
    *,
    community: Community,
    by: User,
    name: str,
    description: str,
    category: Category,
    join_policy: str,
    topic_policy: str,
    image: images.ProcessedImage | None = None,
    remove_image: bool = False,
) -> Community:
    """The admin changes the community's settings; a new image replaces the old one (and
    counts against the admin's UPLOADS_PER_DAY)."""
    stored: list[str] = []

    @transaction.atomic
    def work() -> Community:
        if image is not None:
            limits.take(by, limits.UPLOADS)
        locked = _locked(community)
        _require_admin(locked, by)
        _require_open(locked)
        old = locked.image
        if image is not None:
            locked.image = images.store(image, prefix=f"communities/{by.pk}")
            stored.append(locked.image)
        elif remove_image:
            locked.image = ""
        locked.name, locked.description, locked.category = name.strip(), description, category
        locked.join_policy, locked.topic_policy = join_policy, topic_policy
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise _name_taken() from None
        # Its name beside its topics and off-kai on home (kept HTML: sns.cache.rendered).
        cache.bump(cache.community(locked))
        if old and old != locked.image:
            transaction.on_commit(lambda: images.delete(old))
        return locked

    return _cleaning_up(stored, work)


@transaction.atomic
def community_close(*, community: Community, by: User) -> Community:
    """The admin (or a site moderator, from the site's admin) closes the community: it leaves
    every list and takes no new members. Pending join requests go (with their
    notifications)."""
    locked = _locked(community)
    if not by.is_staff:
        _require_admin(locked, by)
    if locked.closed_at is None:
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at"])
        cache.bump(cache.community(locked))
    _drop_requests(JoinRequest.objects.filter(community=locked))
    return locked


# --- joining ---------------------------------------------------------------------------------

@transaction.atomic
def join(*, community: Community, user: User, message: str = "") -> Membership | JoinRequest:
    """``user`` joins: an open community at once; one by approval gets a join request (and
    notifies its admins and sub-admins); a secret one only with an invitation, which the
    joining uses up."""
    locked = _locked(community)
    _require_open(locked)
    existing = _membership(locked, user)
    if existing is not None:
        return existing
    if locked.join_policy == JoinPolicy.APPROVAL:
        join_request, created = JoinRequest.objects.get_or_create(
            community=locked, user=user, defaults={"message": message.strip()}
        )
        if created:
            # Counted on its admins' home.
            cache.bump(cache.community(locked))
            for moderator in _moderators(locked):
                notify(recipient=moderator, kind=Kind.COMMUNITY_JOIN_REQUEST, actor=user,
                       target=join_request)
        return join_request
    if locked.join_policy == JoinPolicy.SECRET:
        invited = CommunityInvitation.objects.filter(community=locked, invitee=user)
        if not invited.exists():
            raise CommunityError(_("This community can be joined only by invitation."))
        invited.delete()
    membership = Membership.objects.create(community=locked, user=user, role=Role.MEMBER)
    cache.bump(cache.memberships(user))
    return membership


def _moderators(community: Community) -> list[User]:
    from accounts.models import User

    return list(User.objects.filter(
        is_active=True, community_memberships__community=community,
        community_memberships__role__in=[Role.ADMIN, Role.SUBADMIN],
    ))


@transaction.atomic
def join_request_withdraw(*, community: Community, user: User) -> None:
    _drop_requests(JoinRequest.objects.filter(community=community, user=user))


def _drop_requests(requests) -> None:
    rows = list(requests.values_list("pk", "community_id"))
    ids = [pk for pk, _community in rows]
    notifications.withdraw(model=JoinRequest, ids=ids)
    JoinRequest.objects.filter(pk__in=ids).delete()
    # No longer counted on the admins' home.
    cache.bump(*{cache.community(community) for _pk, community in rows})


@transaction.atomic
def leave(*, community: Community, user: User) -> None:
    """``user`` leaves; the admin must hand the role over first."""
    locked = _locked(community)
    membership = _membership(locked, user)
    if membership is None:
        return
    if membership.is_admin:
        raise CommunityError(
            _("As the admin you cannot leave before handing the role over to another member.")
        )
    membership.delete()
    cache.bump(cache.memberships(user))


@transaction.atomic
def join_request_decide(*, request_id: int, by: User, approve: bool) -> Membership | None:
    """An admin or sub-admin approves (the member joins and is notified) or refuses the
    request ``request_id``. Raises JoinRequest.DoesNotExist when it is already decided."""
    # Lock the request, since two admins approving at once must make one membership: the
    # second finds the request gone.
    join_request = (
        JoinRequest.objects.select_for_update(of=("self",)).select_related("community", "user")
        .get(pk=request_id)
    )
    community = join_request.community
    _require_moderator(community, by)
    _drop_requests(JoinRequest.objects.filter(pk=join_request.pk))
    if not approve:
        return None
    _require_open(community)
    membership, _created = Membership.objects.get_or_create(
        community=community, user=join_request.user, defaults={"role": Role.MEMBER}
    )
    cache.bump(cache.memberships(join_request.user))
    notify(recipient=join_request.user, kind=Kind.COMMUNITY_JOIN_APPROVED, actor=by,
           target=community)
    return membership


@transaction.atomic
def invite(*, community: Community, inviter: User, invitee: User) -> CommunityInvitation:
    """A member invites a friend (the way into a secret community); the friend is notified
    (COMMUNITY_INVITATION, about the community, whose page offers them to join) once, however
    often they are invited."""
    from accounts.models import Friendship

    # Lock the community, since a friend joining (or being removed) at the same moment must
    # not end up invited, and told so, after they became a member.
    community = _locked(community)
    _require_open(community)
    if _membership(community, inviter) is None:
        raise CommunityError(_("Only members can invite."))
    if not Friendship.objects.filter(user=inviter, friend=invitee).exists() or blocked_between(
        inviter, invitee
    ):
        raise CommunityError(_("You can invite only your friends."))
    if _membership(community, invitee) is not None:
        raise CommunityError(_("This friend is already a member."))
    invitation, created = CommunityInvitation.objects.get_or_create(
        community=community, invitee=invitee, defaults={"inviter": inviter}
    )
    if created:
        # Invited, they may see a secret community's topics.
        cache.bump(cache.memberships(invitee))
        notify(recipient=invitee, kind=Kind.COMMUNITY_INVITATION, actor=inviter,
               target=community)
    return invitation


# --- roles -----------------------------------------------------------------------------------

@transaction.atomic
def admin_hand_over(*, community: Community, by: User, to: User) -> None:
    """The admin makes member ``to`` the admin and becomes a sub-admin."""
    locked = _locked(community)
    current = _require_admin(locked, by)
    successor = _membership(locked, to)
    if successor is None:
        raise CommunityError(_("The new admin must be a member of the community."))
    if successor.pk == current.pk:
        return
    # Demote first: the database holds one admin per community at every moment.
    current.role = Role.SUBADMIN
    current.save(update_fields=["role"])
    successor.role = Role.ADMIN
    successor.save(update_fields=["role"])
    # Who counts its join requests on home.
    cache.bump(cache.community(locked))


@transaction.atomic
def subadmin_set(*, community: Community, by: User, user: User, on: bool) -> None:
    """The admin makes a member a sub-admin (``on``) or a plain member again."""
    locked = _locked(community)
    _require_admin(locked, by)
    membership = _membership(locked, user)
    if membership is None or membership.is_admin:
        raise CommunityError(_("Choose a member other than the admin."))
    membership.role = Role.SUBADMIN if on else Role.MEMBER
    membership.save(update_fields=["role"])
    # Who counts its join requests on home.
    cache.bump(cache.community(locked))


@transaction.atomic
def member_remove(*, community: Community, by: User, user: User) -> None:
    """The admin removes a member (a sub-admin too, but never themselves)."""
    locked = _locked(community)
    _require_admin(locked, by)
    membership = _membership(locked, user)
    if membership is None or membership.is_admin:
        raise CommunityError(_("Choose a member other than the admin."))
    membership.delete()
    cache.bump(cache.memberships(user))


# --- topics ----------------------------------------------------------------------------------

def _clean_text(text: str, field: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(_("Write something before posting."), code="empty")
    limit = (Topic if field != "comment" else TopicComment)._meta.get_field(
        "body" if field != "title" else "title"
    ).max_length
    if len(text) > limit:
        raise ValidationError(
            _("This can be at most %(limit)d characters long (it has %(length)d).")
            % {"limit": limit, "length": len(text)},
            code="too_long",
        )
    return text


@transaction.atomic
def topic_create(*, community: Community, author: User, title: str, body: str) -> Topic:
    """A member starts a topic (only the admins when the community says so); at most
    TOPIC_CREATE_PER_HOUR an hour."""
    title, body = _clean_text(title, "title"), _clean_text(body, "body")
    _require_open(community)
    membership = _membership(community, author)
    if membership is None:
        raise CommunityError(_("Only members can start topics."))
    if not can_start_topic(community, membership):
        raise CommunityError(_("Only the community's admins can start topics here."))
    limits.take(author, limits.TOPICS)
    now = timezone.now()
    return Topic.objects.create(
        community=community, author=author, title=title, body=body, created_at=now,
        last_activity_at=now,
    )


def _may_manage(topic: Topic, user: User) -> bool:
    if topic.author_id == user.pk:
        return True
    membership = _membership(topic.community, user)
    return membership is not None and membership.moderates


@transaction.atomic
def topic_update(*, topic: Topic, by: User, title: str, body: str) -> Topic:
    """The topic's author or the community's admins change it."""
    if not _may_manage(topic, by):
        raise CommunityError(_("Only the topic's author or the community's admins can do this."))
    topic.title, topic.body = _clean_text(title, "title"), _clean_text(body, "body")
    topic.edited_at = timezone.now()
    topic.save(update_fields=["title", "body", "edited_at"])
    # Its title on home's "new in my communities" (kept HTML: sns.cache.rendered).
    cache.bump(cache.community(topic.community_id))
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic, by: User) -> None:
    """The topic's author or the community's admins delete it, with its comments (and their
    notifications)."""
    if not _may_manage(topic, by):
        raise CommunityError(_("Only the topic's author or the community's admins can do this."))
    notifications.withdraw(
        model=TopicComment,
        ids=TopicComment.objects.filter(topic=topic).values_list("pk", flat=True),
    )
    topic.delete()
    cache.bump(cache.community(topic.community_id))


@transaction.atomic
def topic_pin(*, topic: Topic, by: User, pinned: bool) -> Topic:
    _require_moderator(topic.community, by)
    Topic.objects.filter(pk=topic.pk).update(pinned=pinned)
    topic.pinned = pinned
    # Its badge on its page (kept HTML: sns.cache.rendered) and its place in the list.
    cache.bump(cache.community(topic.community_id))
    return topic


@transaction.atomic
def topic_comment_create(*, topic_id: int, author: User, body: str) -> TopicComment:
    """A member comments on a topic; the topic's author and earlier commenters are notified
    (COMMUNITY_TOPIC_COMMENT), once each, never the commenter, nobody in a block with them.

    Raises Topic.DoesNotExist when ``author`` may not see the topic, CommunityError for
    non-members, ValidationError for an empty or over-long body (RateLimited past
    COMMENTS_PER_HOUR).
    """
    from accounts.models import Block, User

    limits.take(author, limits.COMMENTS)
    # Locked, so that comments on a topic are written one after another.
    topic = (
        Topic.objects.visible_to(author).select_related("community")
        .select_for_update(of=("self",)).get(pk=topic_id)
    )
    body = _clean_text(body, "comment")
    _require_open(topic.community)
    if _membership(topic.community, author) is None:
        raise CommunityError(_("Only members can comment."))
    now = timezone.now()
    comment = TopicComment.objects.create(topic=topic, author=author, body=body, created_at=now)
    Topic.objects.filter(pk=topic.pk).update(
        comment_count=F("comment_count") + 1, last_activity_at=now, last_commenter=author
    )
    cache.bump(cache.community(topic.community_id))
    participants = (
        User.objects.filter(is_active=True, community_memberships__community=topic.community)
        .filter(
            Q(pk=topic.author_id)
            | Q(pk__in=TopicComment.objects.filter(topic=topic, pk__lt=comment.pk).values("author"))
        )
        .exclude(pk=author.pk)
        .exclude(Exists(Block.objects.filter(
            Q(blocker=author, blocked=OuterRef("pk")) | Q(blocker=OuterRef("pk"), blocked=author)
        )))
        .distinct().order_by("pk")
    )
    for recipient in participants:
        notify(recipient=recipient, kind=Kind.COMMUNITY_TOPIC_COMMENT, actor=author,
               target=comment)
    return comment


@transaction.atomic
def topic_comment_delete(*, comment_id: int, by: User) -> Topic:
    """The commenter or the community's admins delete a comment; its notifications go."""
    comment = TopicComment.objects.select_related("topic__community").get(pk=comment_id)
    topic = Topic.objects.select_for_update().get(pk=comment.topic_id)
    if comment.author_id != by.pk:
        membership = _membership(comment.topic.community, by)
        if membership is None or not membership.moderates:
            raise CommunityError(
                _("Only the comment's author or the community's admins can do this.")
            )
    notifications.withdraw(model=TopicComment, ids=[comment.pk])
    comment.delete()
    cache.bump(cache.community(topic.community_id))
    last = TopicComment.objects.filter(topic=topic).order_by("-created_at", "-pk").first()
    Topic.objects.filter(pk=topic.pk).update(
        comment_count=F("comment_count") - 1,
        last_commenter_id=last.author_id if last else None,
        last_activity_at=last.created_at if last else topic.created_at,
    )
    topic.refresh_from_db()
    return topic


def topics_seen_mark(*, user: User, at) -> None:
    """Remember that ``user`` looked at "new in my communities" at ``at`` (never back)."""
    preference, created = CommunityPreference.objects.get_or_create(
        user=user, defaults={"topics_seen_at": at}
    )
    if not created:
        CommunityPreference.objects.filter(pk=preference.pk).filter(
            Q(topics_seen_at__isnull=True) | Q(topics_seen_at__lt=at)
        ).update(topics_seen_at=at)
    cache.bump(cache.seen(user))
