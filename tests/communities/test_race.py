"""Concurrent approvals of one join request, as real transactions in threads."""

import pytest

from communities import services
from communities.models import JoinPolicy, JoinRequest, Membership
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
