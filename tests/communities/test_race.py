"""Concurrent approvals, joins and topic comments, as real transactions in threads."""

import pytest

from communities import services
from communities.models import (
    Community,
    CommunityInvitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    TopicComment,
)
from sns.notify import Kind
from tests import factories
from tests.invites.test_race import failures, run_at_once, successes

THREADS = 20


def _approval_community(owner, subadmin):
    community = factories.community(owner, members=[subadmin])
    services.subadmin_set(community=community, by=owner, user=subadmin, on=True)
    community.join_policy = JoinPolicy.APPROVAL
    community.save()
    return community


@pytest.mark.django_db(transaction=True)
def test_many_approvals_of_one_request_make_one_membership(owner, friend, member):
    community = _approval_community(owner, friend)
    join_request = services.membership_join(community=community, user=member)

    results = run_at_once(THREADS, lambda i: services.join_request_decide(
        request_id=join_request.pk, by=owner if i % 2 else friend, approve=True
    ))

    assert len(successes(results)) == 1
    errors = failures(results)
    assert all(isinstance(e, JoinRequest.DoesNotExist) for e in errors), errors
    assert Membership.objects.filter(community=community, user=member).count() == 1
    assert not JoinRequest.objects.exists()
    assert member.notifications.filter(kind=Kind.COMMUNITY_JOIN_APPROVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_approvals_and_refusals_of_one_request_at_once_decide_it_once(owner, friend, member):
    community = _approval_community(owner, friend)
    join_request = services.membership_join(community=community, user=member)

    results = run_at_once(THREADS, lambda i: services.join_request_decide(
        request_id=join_request.pk, by=(owner, friend)[i % 2], approve=i % 4 < 2
    ))

    # One moderator decided; the others found the request gone.
    assert len(successes(results)) == 1
    assert all(isinstance(e, JoinRequest.DoesNotExist) for e in failures(results))
    [decision] = successes(results)
    joined = Membership.objects.filter(community=community, user=member).count()
    assert joined == (0 if decision is None else 1)
    assert member.notifications.filter(kind=Kind.COMMUNITY_JOIN_APPROVED).count() == joined
    assert not JoinRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_one_member_asking_to_join_many_times_at_once_makes_one_request(owner, friend, member):
    community = _approval_community(owner, friend)

    results = run_at_once(
        THREADS, lambda i: services.membership_join(community=community, user=member)
    )

    assert not failures(results)
    assert JoinRequest.objects.filter(community=community, user=member).count() == 1
    # Each moderator heard of it once.
    for moderator in (owner, friend):
        assert moderator.notifications.filter(kind=Kind.COMMUNITY_JOIN_REQUEST).count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_requests_then_many_approvals_at_once_count_every_member_once(owner, friend):
    community = _approval_community(owner, friend)
    people = [factories.member() for _ in range(THREADS)]

    asked = run_at_once(
        THREADS, lambda i: services.membership_join(community=community, user=people[i])
    )

    assert not failures(asked)
    requests = {r.user_id: r.pk for r in successes(asked)}
    assert len(requests) == THREADS == JoinRequest.objects.filter(community=community).count()
    for moderator in (owner, friend):
        assert moderator.notifications.filter(
            kind=Kind.COMMUNITY_JOIN_REQUEST).count() == THREADS

    approved = run_at_once(THREADS, lambda i: services.join_request_decide(
        request_id=requests[people[i].pk], by=(owner, friend)[i % 2], approve=True
    ))

    assert not failures(approved)
    assert Membership.objects.filter(community=community).count() == THREADS + 2
    assert Community.objects.with_member_count().get(pk=community.pk).member_count == THREADS + 2
    assert not JoinRequest.objects.exists()
    # The moderators' notices of requests went with the requests; each newcomer was told once.
    assert not owner.notifications.filter(kind=Kind.COMMUNITY_JOIN_REQUEST).exists()
    for person in people:
        assert person.notifications.filter(kind=Kind.COMMUNITY_JOIN_APPROVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_joins_at_once_make_one_membership(owner, member):
    community = factories.community(owner)
    results = run_at_once(
        THREADS, lambda i: services.membership_join(community=community, user=member)
    )
    assert not failures(results)
    assert Membership.objects.filter(community=community, user=member).count() == 1


@pytest.mark.django_db(transaction=True)
def test_comments_at_once_are_all_counted(owner):
    people = [factories.member() for _ in range(THREADS)]
    club = factories.community(owner, members=people)
    topic = factories.topic(club, owner)

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
    club = factories.community(owner, members=people)
    topic = factories.topic(club, owner)
    early = [factories.topic_comment(topic, person) for person in people]

    def act(i):
        if i % 2:
            return services.topic_comment_delete(comment_id=early[i].pk, by=owner)
        return services.topic_comment_create(topic_id=topic.pk, author=people[i], body="again")

    results = run_at_once(THREADS, act)

    assert not failures(results)
    topic.refresh_from_db()
    assert topic.comment_count == TopicComment.objects.filter(topic=topic).count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_a_friend_invited_by_many_at_once_is_invited_and_told_once(owner, friend, member):
    community = factories.community(owner, policy=JoinPolicy.SECRET)
    inviters = [owner]
    for i in range(3):
        inviter = factories.member(f"Inviter {i}")
        factories.befriend(inviter, friend)
        factories.befriend(owner, inviter)
        services.community_invite(community=community, inviter=owner, invitee=inviter)
        services.membership_join(community=community, user=inviter)
        inviters.append(inviter)
    results = run_at_once(THREADS, lambda i: services.community_invite(
        community=community, inviter=inviters[i % len(inviters)], invitee=friend
    ))

    assert failures(results) == []
    assert CommunityInvitation.objects.filter(community=community, invitee=friend).count() == 1
    assert friend.notifications.filter(kind=Kind.COMMUNITY_INVITATION).count() == 1
