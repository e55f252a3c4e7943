"""Friendships (one row each way), pending friend requests and the stored ranking of people
you may know."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .members import User


class FriendshipQuerySet(models.QuerySet):
    def between(self, a: User, b: User) -> FriendshipQuerySet:
        return self.filter(
            models.Q(user=a, friend=b) | models.Q(user=b, friend=a)
        )


class Friendship(models.Model):
    """One row each way, written together by ``accounts.services.friendship_create``.

    Storing both directions keeps "friends of X" and the friend-of-a-friend joins plain
    index lookups; the services are the only writers and keep the pair whole.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="friendships", verbose_name=_("member")
    )
    friend = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("friend")
    )
    created_at = models.DateTimeField(_("friends since"), default=timezone.now)

    objects = FriendshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("friendship")
        verbose_name_plural = _("friendships")
        constraints = [
            models.UniqueConstraint(fields=["user", "friend"], name="friendship_once_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(user=models.F("friend")), name="friendship_not_self"
            ),
        ]
        indexes = [
            # "X's friends, newest first": a member's friend list walks this to its first page.
            models.Index(
                fields=["friend", "-created_at", "user"], name="friendship_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.friend_id}"


class FriendRequestQuerySet(models.QuerySet):
    def between(self, a: User, b: User) -> FriendRequestQuerySet:
        """Requests either way between ``a`` and ``b``."""
        return self.filter(
            models.Q(from_user=a, to_user=b) | models.Q(from_user=b, to_user=a)
        )

    def received_by(self, user: User) -> FriendRequestQuerySet:
        """Requests waiting for ``user``'s answer, newest first, from members still here."""
        return (
            self.filter(to_user=user, from_user__is_active=True)
            .select_related("from_user__profile")
            .order_by("-created_at", "-pk")
        )

    def sent_by(self, user: User) -> FriendRequestQuerySet:
        """Requests ``user`` sent that are still waiting, newest first."""
        return (
            self.filter(from_user=user, to_user__is_active=True)
            .select_related("to_user__profile")
            .order_by("-created_at", "-pk")
        )


class FriendRequest(models.Model):
    """A pending request; it is deleted when accepted, declined or cancelled.

    Only pending requests exist, so "one pending request per pair and direction" is a plain
    unique constraint. Written only by the services in ``accounts.services``.
    """

    from_user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="friend_requests_sent",
        verbose_name=_("from"),
    )
    to_user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="friend_requests_received",
        verbose_name=_("to"),
    )
    message = models.TextField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    objects = FriendRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("friend request")
        verbose_name_plural = _("friend requests")
        constraints = [
            models.UniqueConstraint(
                fields=["from_user", "to_user"], name="friend_request_once_per_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_user=models.F("to_user")), name="friend_request_not_self"
            ),
        ]
        indexes = [
            # The requests page and the nav count read "waiting for me, newest first".
            models.Index(fields=["to_user", "-created_at"], name="friend_request_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.from_user_id} → {self.to_user_id}"


class Suggestion(models.Model):
    """A ranked friend of a friend of ``member``, kept by
    ``sns.suggestions.services.suggestions_refresh``.

    Ranking counts every friend of a friend, which for a member with thousands of friends
    is tens of thousands of rows; it is done ahead (by a task) and read back in rank order.
    Friends, blocks and pending requests made since are left out when read.
    """

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(User, on_delete=models.CASCADE, related_name="suggested_to")
    mutual_count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [
            models.UniqueConstraint(fields=["member", "candidate"], name="suggestion_once"),
        ]
        indexes = [
            models.Index(
                fields=["member", "-mutual_count", "candidate"], name="suggestion_rank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} ? {self.candidate_id} ({self.mutual_count})"
