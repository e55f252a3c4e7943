"""Test data for moderation: content of every reportable kind, made through the apps' own
services and builders, and reports made through ``sns.moderation``."""

from __future__ import annotations

import itertools

from communities import services as communities_services
from communities.models import Category, Community, JoinPolicy, TopicPolicy
from sns import moderation
from sns.models import Report
from sns.visibility import Level
from tests.diary import builders as diary_builders

_seq = itertools.count(1)


def entry(author, level: str = Level.MEMBERS, **kwargs):
    return diary_builders.entry(author, level, **kwargs)


def diary_comment(on_entry, author, body: str = "A comment."):
    return diary_builders.comment(on_entry, author, body)


def community(creator, members=(), *, policy: str = JoinPolicy.OPEN) -> Community:
    n = next(_seq)
    category, _created = Category.objects.get_or_create(
        name_en="Moderation tests", defaults={"name_ja": "通報テスト"}
    )
    club = communities_services.community_create(
        creator=creator, name=f"Moderated club {n}", description="A club.", category=category,
        join_policy=policy, topic_policy=TopicPolicy.MEMBERS,
    )
    for member in members:
        communities_services.membership_join(community=club, user=member)
    return club


def topic(club, author, title: str | None = None, body: str = "Let us talk."):
    return communities_services.topic_create(
        community=club, author=author, title=title or f"Topic {next(_seq)}", body=body
    )


def topic_comment(on_topic, author, body: str = "A reply."):
    return communities_services.topic_comment_create(
        topic_id=on_topic.pk, author=author, body=body
    )


def report(reporter, target, reason: str = Report.Reason.SPAM, details: str = "") -> Report:
    return moderation.report_create(
        reporter=reporter, target=target, reason=reason, details=details
    )


def report_url(kind: str, pk: int) -> str:
    return f"/report/?type={kind}&id={pk}"
