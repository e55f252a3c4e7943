"""Starting, editing and closing a community. Each runs in one transaction; the image is
stored before it commits and removed again if it does not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sns import cache, images, limits

from ..models import Category, Community, JoinRequest, Membership, Role
from .memberships import drop_requests
from .rules import NameTaken, locked_community, require_admin, require_open

if TYPE_CHECKING:
    from accounts.models import User


def _name_taken() -> NameTaken:
    return NameTaken(_("A community with this name already exists."))



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

    return images.removed_on_failure(stored, work)


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
        locked = locked_community(community)
        require_admin(locked, by)
        require_open(locked)
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

    return images.removed_on_failure(stored, work)


@transaction.atomic
def community_close(*, community: Community, by: User) -> Community:
    """The admin (or a site moderator, from the site's admin) closes the community: it leaves
    every list and takes no new members. Pending join requests go (with their
    notifications)."""
    locked = locked_community(community)
    if not by.is_staff:
        require_admin(locked, by)
    if locked.closed_at is None:
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at"])
        cache.bump(cache.community(locked))
    drop_requests(JoinRequest.objects.filter(community=locked))
    return locked
