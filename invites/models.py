"""Invitations: the only way in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User


def new_token() -> str:
    # 32 random bytes: unguessable, and URL-safe.
    return secrets.token_urlsafe(32)


def default_expiry():
    return timezone.now() + timedelta(days=settings.INVITE_EXPIRY_DAYS)


class State(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def accepted(self):
        return self.filter(accepted_at__isnull=False)

    def expired(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now()
        )

    def revoked(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=False)

    def in_state(self, state: str):
        return {
            State.PENDING: self.pending,
            State.ACCEPTED: self.accepted,
            State.EXPIRED: self.expired,
            State.REVOKED: self.revoked,
        }[state]()

    def counting_against_quota(self, now=None):
        """Pending and accepted invitations use a slot; expired and revoked give it back."""
        return self.filter(
            Q(accepted_at__isnull=False)
            | Q(revoked_at__isnull=True, expires_at__gt=now or timezone.now())
        )


class Invitation(models.Model):
    inviter = models.ForeignKey(
        # A member who leaves keeps their invitees' history: the rows stay, without them.
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="invitations_sent", verbose_name=_("inviter"),
        help_text=_("Empty when the operator invited on behalf of the site."),
    )
    email = models.EmailField(_("email address"))
    message = models.TextField(_("personal message"), max_length=2000, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), default=default_expiry)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="accepted_invitation", verbose_name=_("joined as"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["inviter", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def get_absolute_url(self) -> str:
        return reverse("invites:accept", args=[self.token])

    @property
    def state(self) -> str:
        if self.accepted_at:
            return State.ACCEPTED
        if self.revoked_at:
            return State.REVOKED
        if self.expires_at <= timezone.now():
            return State.EXPIRED
        return State.PENDING

    def get_state_display(self) -> str:
        return State(self.state).label

    @property
    def is_pending(self) -> bool:
        return self.state == State.PENDING


@dataclass
class TreeNode:
    member: object
    children: list[TreeNode] = field(default_factory=list)


def invite_tree(root, *, max_depth: int = 20) -> list[TreeNode]:
    """Whom ``root`` invited, whom they invited, and so on: one recursive query, one load."""

    table = Invitation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE tree(member_id, parent_id, depth) AS (
                SELECT accepted_user_id, inviter_id, 1 FROM {table}
                 WHERE inviter_id = %s AND accepted_user_id IS NOT NULL
                UNION ALL
                SELECT i.accepted_user_id, i.inviter_id, t.depth + 1
                  FROM {table} i JOIN tree t ON i.inviter_id = t.member_id
                 WHERE i.accepted_user_id IS NOT NULL AND t.depth < %s
            )
            SELECT member_id, parent_id FROM tree ORDER BY depth, member_id
            """,  # noqa: S608 - the table name is ours, the values are parameters
            [root.pk, max_depth],
        )
        rows = cursor.fetchall()
    members = User.objects.select_related("profile").in_bulk([m for m, _ in rows])
    nodes = {root.pk: TreeNode(root)}
    for member_id, parent_id in rows:
        node = nodes[member_id] = TreeNode(members[member_id])
        nodes[parent_id].children.append(node)
    return nodes[root.pk].children
