"""Community rules, through the services: create, edit, close, join by each policy, leave,
requests, invitations and roles."""

import pytest
from django.db import IntegrityError

from communities import services
from communities.models import (
    Community,
    CommunityInvitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    Role,
    TopicPolicy,
)
from sns.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


def role_of(community, user):
    m = Membership.objects.filter(community=community, user=user).first()
    return m.role if m else None


def test_the_creator_becomes_the_admin(owner):
    community = factories.community(owner)
    assert role_of(community, owner) == Role.ADMIN


def test_names_are_unique_whatever_the_case(owner, member):
    factories.community(owner, name="Jazz Lovers")
    with pytest.raises(services.NameTaken):
        factories.community(member, name="jazz lovers")


def test_the_database_holds_one_admin_per_community(owner, member):
    community = factories.community(owner)
    with pytest.raises(IntegrityError):
        Membership.objects.create(community=community, user=member, role=Role.ADMIN)


def test_an_image_is_stored_through_the_image_function(owner):
    from sns import images

    community = services.community_create(
        creator=owner, name="Photos", description="", category=factories.category(),
        join_policy=JoinPolicy.OPEN, topic_policy=TopicPolicy.MEMBERS,
        image=images.process(factories.image_file()),
    )
    assert community.image.startswith(f"communities/{owner.pk}/")


def test_only_the_admin_edits_and_closes(owner, member):
    community = factories.community(owner, members=[member])
    fields = {
        "name": "Renamed", "description": "New", "category": community.category,
        "join_policy": JoinPolicy.APPROVAL, "topic_policy": TopicPolicy.ADMINS,
    }
    with pytest.raises(services.CommunityError):
        services.community_update(community=community, by=member, **fields)
    with pytest.raises(services.CommunityError):
        services.community_close(community=community, by=member)
    updated = services.community_update(community=community, by=owner, **fields)
    assert (updated.name, updated.join_policy) == ("Renamed", JoinPolicy.APPROVAL)
    services.community_close(community=community, by=owner)
    community.refresh_from_db()
    assert community.is_closed
    assert not Community.objects.visible_to(owner).open_ones().filter(pk=community.pk).exists()


def test_a_closed_community_takes_no_members(owner, member):
    community = factories.community(owner)
    services.community_close(community=community, by=owner)
    with pytest.raises(services.CommunityError):
        services.membership_join(community=community, user=member)


def test_joining_an_open_community_is_immediate_and_idempotent(owner, member):
    community = factories.community(owner)
    services.membership_join(community=community, user=member)
    services.membership_join(community=community, user=member)
    assert role_of(community, member) == Role.MEMBER
    assert community.memberships.count() == 2


def test_joining_by_approval_makes_a_request_and_notifies_admins_and_subadmins(
    owner, friend, member
):
    community = factories.community(owner, policy=JoinPolicy.OPEN)
    services.membership_join(community=community, user=friend)
    services.subadmin_set(community=community, by=owner, user=friend, on=True)
    community.join_policy = JoinPolicy.APPROVAL
    community.save()
    result = services.membership_join(community=community, user=member, message="Hello")
    assert isinstance(result, JoinRequest)
    assert role_of(community, member) is None
    notified = set(Notification.objects.filter(
        kind=Notification.Kind.COMMUNITY_JOIN_REQUEST
    ).values_list("recipient", flat=True))
    assert notified == {owner.pk, friend.pk}


def test_approval_makes_a_member_and_notifies_them(owner, friend, member):
    community = factories.community(owner, policy=JoinPolicy.APPROVAL)
    factories.join(community, [member])
    join_request = JoinRequest.objects.get(community=community, user=member)
    with pytest.raises(services.CommunityError):
        services.join_request_decide(request_id=join_request.pk, by=friend, approve=True)
    services.join_request_decide(request_id=join_request.pk, by=owner, approve=True)
    assert role_of(community, member) == Role.MEMBER
    assert not JoinRequest.objects.exists()
    assert Notification.objects.filter(
        recipient=member, kind=Notification.Kind.COMMUNITY_JOIN_APPROVED
    ).exists()
    # The request's notification to the admin went with it.
    assert not Notification.objects.filter(kind=Notification.Kind.COMMUNITY_JOIN_REQUEST).exists()
    with pytest.raises(JoinRequest.DoesNotExist):
        services.join_request_decide(request_id=join_request.pk, by=owner, approve=True)


def test_a_subadmin_may_refuse(owner, friend, member):
    community = factories.community(owner, members=[friend])
    services.subadmin_set(community=community, by=owner, user=friend, on=True)
    community.join_policy = JoinPolicy.APPROVAL
    community.save()
    join_request = services.membership_join(community=community, user=member)
    assert services.join_request_decide(
        request_id=join_request.pk, by=friend, approve=False
    ) is None
    assert role_of(community, member) is None
    assert not JoinRequest.objects.exists()


def test_a_secret_community_is_joined_only_by_a_friends_invitation(owner, friend, member):
    community = factories.community(owner, policy=JoinPolicy.SECRET)
    with pytest.raises(services.CommunityError):
        services.membership_join(community=community, user=friend)
    with pytest.raises(services.CommunityError):  # not a friend of the owner
        services.community_invite(community=community, inviter=owner, invitee=member)
    with pytest.raises(services.CommunityError):  # not a member
        services.community_invite(community=community, inviter=member, invitee=owner)
    services.community_invite(community=community, inviter=owner, invitee=friend)
    services.membership_join(community=community, user=friend)
    assert role_of(community, friend) == Role.MEMBER
    assert not CommunityInvitation.objects.exists()


def test_no_invitation_across_a_block(owner, friend):
    from accounts.services import block_create

    community = factories.community(owner, policy=JoinPolicy.SECRET)
    block_create(blocker=friend, blocked=owner)
    with pytest.raises(services.CommunityError):
        services.community_invite(community=community, inviter=owner, invitee=friend)


def test_the_admin_cannot_leave_without_handing_over(owner, member):
    community = factories.community(owner, members=[member])
    with pytest.raises(services.CommunityError):
        services.membership_leave(community=community, user=owner)
    services.admin_hand_over(community=community, by=owner, to=member)
    assert role_of(community, member) == Role.ADMIN
    assert role_of(community, owner) == Role.SUBADMIN
    services.membership_leave(community=community, user=owner)
    assert role_of(community, owner) is None


def test_only_the_admin_hands_over_to_a_member(owner, friend, member):
    community = factories.community(owner, members=[friend])
    with pytest.raises(services.CommunityError):
        services.admin_hand_over(community=community, by=friend, to=friend)
    with pytest.raises(services.CommunityError):
        services.admin_hand_over(community=community, by=owner, to=member)
    assert role_of(community, owner) == Role.ADMIN


def test_sub_admins_are_set_and_unset_by_the_admin(owner, friend, member):
    community = factories.community(owner, members=[friend, member])
    with pytest.raises(services.CommunityError):
        services.subadmin_set(community=community, by=friend, user=member, on=True)
    services.subadmin_set(community=community, by=owner, user=friend, on=True)
    services.subadmin_set(community=community, by=owner, user=member, on=True)
    assert role_of(community, friend) == role_of(community, member) == Role.SUBADMIN
    services.subadmin_set(community=community, by=owner, user=member, on=False)
    assert role_of(community, member) == Role.MEMBER
    with pytest.raises(services.CommunityError):
        services.subadmin_set(community=community, by=owner, user=owner, on=True)


def test_the_admin_removes_members_but_not_themselves(owner, friend, member):
    community = factories.community(owner, members=[friend, member])
    with pytest.raises(services.CommunityError):
        services.member_remove(community=community, by=friend, user=member)
    services.member_remove(community=community, by=owner, user=member)
    assert role_of(community, member) is None
    with pytest.raises(services.CommunityError):
        services.member_remove(community=community, by=owner, user=owner)


def test_secret_communities_are_visible_to_members_and_invitees_only(owner, friend, member):
    community = factories.community(owner, policy=JoinPolicy.SECRET)
    visible = Community.objects.visible_to
    assert visible(owner).filter(pk=community.pk).exists()
    assert not visible(friend).filter(pk=community.pk).exists()
    assert not visible(member).filter(pk=community.pk).exists()
    assert not visible(None).exists()
    services.community_invite(community=community, inviter=owner, invitee=friend)
    assert visible(friend).filter(pk=community.pk).exists()
