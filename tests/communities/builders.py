"""Builders for community tests."""

import itertools

from communities import services
from communities.models import Category, Community, JoinPolicy, TopicPolicy

_seq = itertools.count(1)


def category(name: str = "Books") -> Category:
    return Category.objects.create(name_ja=f"{name}（日本語）", name_en=name)


def community(
    creator, *, policy: str = JoinPolicy.OPEN, name: str | None = None, cat: Category | None = None,
    description: str = "We read **books**.",
) -> Community:
    return services.community_create(
        creator=creator, name=name or f"Community {next(_seq)}", description=description,
        category=cat or category(), join_policy=policy, topic_policy=TopicPolicy.MEMBERS,
    )


def with_members(community: Community, members) -> Community:
    for m in members:
        services.membership_join(community=community, user=m)
    return community


def topic(community: Community, author, *, title: str | None = None, body: str = "Hello **all**."):
    return services.topic_create(
        community=community, author=author, title=title or f"Topic {next(_seq)}", body=body
    )


def comment(topic, author, body: str = "A reply."):
    return services.topic_comment_create(topic_id=topic.pk, author=author, body=body)
