"""Concurrent approvals, joins and topic comments, as real transactions in threads."""

import pytest

from communities import services
from communities.models import JoinPolicy, JoinRequest, Membership, TopicComment
from tests import factories
from tests.communities import builders
from tests.invites.test_race import failures, run_at_once, successes

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_many_approvals_of_one_request_make_one_membership(owner, friend, member):
    community = builders.with_members(builders.community(owner), [friend])
    services.subadmin_set(community=community, by=owner, user=friend, on=True)
    community.join_policy = JoinPolicy.APPROVAL
    community.save()
    join_request = services.join(community=community, user=member)

    results = run_at_once(THREADS, lambda i: services.join_request_decide(
        request_id=join_request.pk, by=owner if i % 2 else friend, approve=True
    ))

    assert len(successes(results)) == 1
    errors = failures(results)
    assert all(isinstance(e, JoinRequest.DoesNotExist) for e in errors), errors
    assert Membership.objects.filter(community=community, user=member).count() == 1
    assert not JoinRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_many_joins_at_once_make_one_membership(owner, member):
    community = builders.community(owner)
    results = run_at_once(THREADS, lambda i: services.join(community=community, user=member))
    assert not failures(results)
    assert Membership.objects.filter(community=community, user=member).count() == 1


@pytest.mark.django_db(transaction=True)
def test_comments_at_once_are_all_counted(owner):
    people = [factories.member() for _ in range(THREADS)]
    club = builders.with_members(builders.community(owner), people)
    topic = builders.topic(club, owner)

    results = run_at_once(THREADS, lambda i: services.topic_comment_create(
        topic_id=topic.pk, author=people[i], body=f"comment {i}"
    ))

    assert not failures(results)
    topic.refresh_from_db()
    assert topic.comment_count == THREADS == TopicComment.objects.filter(topic=topic).count()
    last = TopicComment.objects.filter(topic=topic).order_by("-created_at", "-pk").first()
    assert topic.last_commenter_id == last.author_id
    assert topic.last_activity_at == last.created_at
    # Each commenter's notice reached the topic's author once, and earlier commenters.
    assert owner.notifications.count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_comments_and_deletions_at_once_keep_the_count(owner):
    people = [factories.member() for _ in range(THREADS)]
    club = builders.with_members(builders.community(owner), people)
    topic = builders.topic(club, owner)
    early = [builders.comment(topic, person) for person in people]

    def act(i):
        if i % 2:
            return services.topic_comment_delete(comment_id=early[i].pk, by=owner)
        return services.topic_comment_create(topic_id=topic.pk, author=people[i], body="again")

    results = run_at_once(THREADS, act)

    assert not failures(results)
    topic.refresh_from_db()
    assert topic.comment_count == TopicComment.objects.filter(topic=topic).count() == THREADS
