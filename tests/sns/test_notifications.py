"""Notifications are recorded (not yet shown or mailed) for friend requests and introductions,
through sns.notify.notify, by the services that cause them."""

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts import services
from accounts.models import FriendRequest, Introduction
from sns.models import Notification
from sns.notify import notify
from tests import factories

Kind = Notification.Kind


def recorded() -> list[tuple[str, int, int | None]]:
    """Every notification as (kind, recipient, actor), oldest first."""
    return list(
        Notification.objects.order_by("created_at", "pk")
        .values_list("kind", "recipient_id", "actor_id")
    )


# --- the one function ------------------------------------------------------------------------

def test_notify_records_the_target(owner, friend):
    introduction = Introduction.objects.create(author=friend, subject=owner, body="Hi.")
    notification = notify(
        recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=friend, target=introduction
    )
    assert notification.target == introduction
    assert notification.target_type == ContentType.objects.get_for_model(Introduction)
    assert notification.read_at is None


def test_no_one_is_notified_of_their_own_act(owner):
    assert notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=owner) is None
    assert not Notification.objects.exists()


# --- friend requests -------------------------------------------------------------------------

def test_a_request_notifies_the_recipient(owner, member):
    services.friend_request_send(sender=member, recipient=owner)
    assert recorded() == [(Kind.FRIEND_REQUEST_RECEIVED, owner.pk, member.pk)]


def test_a_refused_request_notifies_no_one(owner, friend):
    with pytest.raises(services.FriendRequestError):
        services.friend_request_send(sender=friend, recipient=owner)
    with pytest.raises(services.FriendRequestError):
        services.friend_request_send(sender=owner, recipient=owner)
    assert recorded() == []


def test_asking_back_is_an_acceptance_for_the_first_asker(owner, member):
    services.friend_request_send(sender=member, recipient=owner)
    assert services.friend_request_send(sender=owner, recipient=member) is None
    # No "request received" for the instant friendship: the first asker hears it was accepted.
    assert recorded() == [
        (Kind.FRIEND_REQUEST_RECEIVED, owner.pk, member.pk),
        (Kind.FRIEND_REQUEST_ACCEPTED, member.pk, owner.pk),
    ]


def test_accepting_notifies_the_sender(owner, member):
    friend_request = services.friend_request_send(sender=member, recipient=owner)
    services.friend_request_accept(request_id=friend_request.pk, user=owner)
    assert recorded()[-1] == (Kind.FRIEND_REQUEST_ACCEPTED, member.pk, owner.pk)
    assert Notification.objects.filter(kind=Kind.FRIEND_REQUEST_ACCEPTED).count() == 1


@pytest.mark.parametrize("answer", ["decline", "cancel"])
def test_declining_or_cancelling_notifies_no_one_more(owner, member, answer):
    friend_request = services.friend_request_send(sender=member, recipient=owner)
    if answer == "decline":
        services.friend_request_decline(request_id=friend_request.pk, user=owner)
    else:
        services.friend_request_cancel(request_id=friend_request.pk, user=member)
    assert recorded() == [(Kind.FRIEND_REQUEST_RECEIVED, owner.pk, member.pk)]


def test_accepting_when_already_friends_notifies_no_one(owner, member):
    friend_request = services.friend_request_send(sender=member, recipient=owner)
    factories.befriend(owner, member)
    services.friend_request_accept(request_id=friend_request.pk, user=owner)
    assert not Notification.objects.filter(kind=Kind.FRIEND_REQUEST_ACCEPTED).exists()


def test_nothing_is_mailed(owner, member, outbox):
    friend_request = services.friend_request_send(sender=member, recipient=owner)
    services.friend_request_accept(request_id=friend_request.pk, user=owner)
    services.introduction_write(author=owner, subject=member, body="Hello.")
    assert outbox == []


def test_the_request_page_flow_records_both(owner, member, as_user):
    as_user(member).post(f"/members/{owner.pk}/friend-request/", {"message": "Hi"})
    friend_request = FriendRequest.objects.get()
    as_user(owner).post(f"/friends/requests/{friend_request.pk}/accept/")
    assert recorded() == [
        (Kind.FRIEND_REQUEST_RECEIVED, owner.pk, member.pk),
        (Kind.FRIEND_REQUEST_ACCEPTED, member.pk, owner.pk),
    ]


# --- introductions ---------------------------------------------------------------------------

def test_a_first_introduction_notifies_the_subject_once(owner, friend):
    introduction = services.introduction_write(author=friend, subject=owner, body="First.")
    services.introduction_write(author=friend, subject=owner, body="Edited.")
    services.introduction_write(author=friend, subject=owner, body="Edited again.")
    notification = Notification.objects.get()
    assert notification.kind == Kind.INTRODUCTION_WRITTEN
    assert notification.recipient == owner
    assert notification.actor == friend
    assert notification.target == introduction


def test_a_refused_introduction_notifies_no_one(owner, member):
    with pytest.raises(services.IntroductionError):
        services.introduction_write(author=member, subject=owner, body="Hi.")
    assert not Notification.objects.exists()


def test_writing_through_the_form_notifies(owner, friend, as_user):
    as_user(friend).post(f"/members/{owner.pk}/introduce/", {"body": "Kind."})
    assert recorded() == [(Kind.INTRODUCTION_WRITTEN, owner.pk, friend.pk)]


def test_deleting_an_introduction_withdraws_its_notification(db):
    from accounts import services as accounts_services
    from sns.models import Notification
    from tests import factories

    author, subject = factories.member("author"), factories.member("subject")
    factories.befriend(author, subject)
    introduction = accounts_services.introduction_write(
        author=author, subject=subject, body="A fine person."
    )
    assert Notification.objects.filter(recipient=subject).count() == 1
    accounts_services.introduction_delete(user=subject, introduction_id=introduction.pk)
    assert not Notification.objects.filter(recipient=subject).exists()
