"""Communities, their members, topics and topic comments, made through the communities'
services (a test of a refusal calls the service itself)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from accounts.models import User
from communities import services
from communities.models import Category, Community, JoinPolicy, Topic, TopicComment, TopicPolicy

_seq = itertools.count(1)


def category(name: str = "Books") -> Category:
    return Category.objects.create(name_ja=f"{name}（日本語）", name_en=name)


def community(
    creator: User, *, members: Iterable[User] = (), policy: str = JoinPolicy.OPEN,
    name: str | None = None, description: str = "We read **books**.",
    category: Category | None = None,
) -> Community:
    """A community started by ``creator`` (its admin), in a new category unless given, which
    ``members`` then join (an open community takes them at once)."""
    made = services.community_create(
        creator=creator, name=name or f"Community {next(_seq)}", description=description,
        category=category or _new_category(), join_policy=policy,
        topic_policy=TopicPolicy.MEMBERS,
    )
    return join(made, members)


def join(community: Community, members: Iterable[User]) -> Community:
    """Each of ``members`` joins ``community`` as the join button would."""
    for person in members:
        services.membership_join(community=community, user=person)
    return community


def topic(community: Community, author: User, *, title: str | None = None,
          body: str = "Hello **all**.") -> Topic:
    return services.topic_create(
        community=community, author=author, title=title or f"Topic {next(_seq)}", body=body
    )


def topic_comment(topic: Topic, author: User, body: str = "A reply.") -> TopicComment:
    return services.topic_comment_create(topic_id=topic.pk, author=author, body=body)


# ``community`` takes ``category`` as an argument, which hides the builder of that name.
_new_category = category
