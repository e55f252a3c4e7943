"""Friend requests: send, accept, decline, cancel, unfriend; the requests page; the profile's
friend action; the race of two members asking each other at once."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import services
from accounts.models import FriendRequest, Friendship, User
from sns.notify import Kind
from tests import factories
from tests.html import assert_well_formed
from tests.invites.test_race import failures, run_at_once, successes

REQUESTS = reverse("accounts:friend_requests")


def profile_url(user: User) -> str:
    return reverse("accounts:profile", args=[user.pk])


def send_url(user: User) -> str:
    return reverse("accounts:friend_request_send", args=[user.pk])


def answer_url(action: str, friend_request: FriendRequest) -> str:
    return reverse(f"accounts:friend_request_{action}", args=[friend_request.pk])


def unfriend_url(user: User) -> str:
    return reverse("accounts:unfriend", args=[user.pk])


def are_friends(a: User, b: User) -> bool:
    return Friendship.objects.between(a, b).count() == 2


def ask(sender: User, recipient: User, message: str = "") -> FriendRequest:
    return services.friend_request_send(sender=sender, recipient=recipient, message=message)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- services ------------------------------------------------------------------------------

def test_send_creates_a_pending_request_with_the_message(owner, member):
    friend_request = ask(member, owner, "  We met at the Osaka meetup.  ")
    assert friend_request.from_user == member
    assert friend_request.to_user == owner
    assert friend_request.message == "We met at the Osaka meetup."
    assert not are_friends(owner, member)


def test_the_message_is_optional(owner, member):
    assert ask(member, owner).message == ""


@pytest.mark.parametrize("case", ["self", "inactive", "friends", "twice"])
def test_send_refuses(owner, friend, member, case):
    sender, recipient = member, owner
    if case == "self":
        recipient = member
    elif case == "inactive":
        owner.is_active = False
        owner.save(update_fields=["is_active"])
    elif case == "friends":
        sender, recipient = friend, owner
    elif case == "twice":
        ask(member, owner)
    before = FriendRequest.objects.count()
    with pytest.raises(services.FriendRequestError) as refused:
        ask(sender, recipient)
    assert str(refused.value)  # a member-facing reason
    assert FriendRequest.objects.count() == before


def test_asking_someone_who_asked_you_makes_friends_at_once(owner, member):
    ask(member, owner)
    assert ask(owner, member) is None
    assert are_friends(owner, member)
    assert FriendRequest.objects.count() == 0


def test_accept_makes_both_rows_and_removes_the_request(owner, member):
    friend_request = ask(member, owner)
    assert services.friend_request_accept(request_id=friend_request.pk, user=owner) == member
    assert are_friends(owner, member)
    assert not FriendRequest.objects.exists()


def test_accept_when_already_friends_just_removes_the_request(owner, member):
    friend_request = ask(member, owner)
    factories.befriend(owner, member)  # e.g. through another path meanwhile
    services.friend_request_accept(request_id=friend_request.pk, user=owner)
    assert are_friends(owner, member)
    assert not FriendRequest.objects.exists()


def test_accept_refuses_a_sender_who_left(owner, member):
    friend_request = ask(member, owner)
    User.objects.filter(pk=member.pk).update(is_active=False)
    with pytest.raises(services.FriendRequestError):
        services.friend_request_accept(request_id=friend_request.pk, user=owner)
    assert not are_friends(owner, member)


def test_decline_removes_the_request_without_friendship(owner, member):
    friend_request = ask(member, owner)
    assert services.friend_request_decline(request_id=friend_request.pk, user=owner) == member
    assert not FriendRequest.objects.exists()
    assert not are_friends(owner, member)


def test_cancel_removes_the_request(owner, member):
    friend_request = ask(member, owner)
    assert services.friend_request_cancel(request_id=friend_request.pk, user=member) == owner
    assert not FriendRequest.objects.exists()


@pytest.mark.parametrize(
    ("action", "who"),
    [
        ("accept", "sender"), ("accept", "stranger"),
        ("decline", "sender"), ("decline", "stranger"),
        ("cancel", "recipient"), ("cancel", "stranger"),
    ],
)
def test_only_the_right_member_may_answer(owner, member, fof, action, who):
    friend_request = ask(member, owner)
    user = {"sender": member, "recipient": owner, "stranger": fof}[who]
    service = getattr(services, f"friend_request_{action}")
    with pytest.raises(FriendRequest.DoesNotExist):
        service(request_id=friend_request.pk, user=user)
    assert FriendRequest.objects.filter(pk=friend_request.pk).exists()
    assert not are_friends(owner, member)


def test_an_answered_request_cannot_be_answered_again(owner, member):
    friend_request = ask(member, owner)
    services.friend_request_decline(request_id=friend_request.pk, user=owner)
    with pytest.raises(FriendRequest.DoesNotExist):
        services.friend_request_accept(request_id=friend_request.pk, user=owner)


def test_friendship_end_removes_both_rows(owner, friend):
    assert services.friendship_end(user=friend, other=owner) is True
    assert not Friendship.objects.between(owner, friend).exists()
    assert services.friendship_end(user=friend, other=owner) is False


def test_after_unfriending_one_may_ask_again(owner, friend):
    services.friendship_end(user=owner, other=friend)
    assert ask(owner, friend) is not None


# --- invariants in the database ------------------------------------------------------------

def test_the_database_refuses_a_request_to_oneself(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        FriendRequest.objects.create(from_user=member, to_user=member)


def test_the_database_refuses_a_second_pending_request(owner, member):
    FriendRequest.objects.create(from_user=member, to_user=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        FriendRequest.objects.create(from_user=member, to_user=owner)


# --- races ---------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_members_asking_each_other_at_once_become_friends_once():
    for _round in range(10):
        a, b = factories.member(), factories.member()
        pair = [(a, b), (b, a)]

        def send(i: int, pair=pair):
            sender, recipient = pair[i]
            return services.friend_request_send(sender=sender, recipient=recipient)

        results = run_at_once(2, send)

        assert failures(results) == []
        # One of them sent a request, the other found it and accepted it.
        assert sorted(r is None for r in successes(results)) == [False, True]
        assert Friendship.objects.between(a, b).count() == 2
        assert not FriendRequest.objects.between(a, b).exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_requests_both_ways_at_once_make_one_friendship():
    a, b = factories.member(), factories.member()
    pair = [(a, b), (b, a)]

    results = run_at_once(20, lambda i: services.friend_request_send(
        sender=pair[i % 2][0], recipient=pair[i % 2][1]
    ))

    # Served one after another under the pair's locks: one request made, one member asking
    # back accepted it, and every later one was told why not.
    sent = successes(results)
    assert sorted(r is None for r in sent) == [False, True], sent
    assert all(isinstance(e, services.FriendRequestError) for e in failures(results))
    assert Friendship.objects.between(a, b).count() == 2
    assert not FriendRequest.objects.between(a, b).exists()
    # The one who asked first heard once that it was accepted.
    asker = next(r for r in sent if r is not None).from_user
    assert asker.notifications.filter(kind=Kind.FRIEND_REQUEST_ACCEPTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_pairs_sharing_a_member_asking_both_ways_at_once_make_ten_friendships():
    hub = factories.member()
    others = [factories.member() for _ in range(10)]

    def send(i: int):
        other = others[i // 2]
        sender, recipient = (hub, other) if i % 2 else (other, hub)
        return services.friend_request_send(sender=sender, recipient=recipient)

    results = run_at_once(20, send)

    # Every pair locks its two members in the same order, so twenty writers over one shared
    # member queue up instead of deadlocking.
    assert failures(results) == []
    for other in others:
        assert Friendship.objects.between(hub, other).count() == 2
    assert Friendship.objects.count() == 20
    assert not FriendRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_one_request_sent_many_times_at_once_is_stored_once(owner, member):
    results = run_at_once(8, lambda i: services.friend_request_send(sender=member, recipient=owner))

    assert len(successes(results)) == 1
    assert all(isinstance(e, services.FriendRequestError) for e in failures(results))
    assert FriendRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_accept_and_cancel_at_once_leave_a_consistent_pair(owner, member):
    for _round in range(5):
        friend_request = services.friend_request_send(sender=member, recipient=owner)

        def answer(i: int, friend_request=friend_request):
            if i == 0:
                return services.friend_request_accept(request_id=friend_request.pk, user=owner)
            return services.friend_request_cancel(request_id=friend_request.pk, user=member)

        results = run_at_once(2, answer)

        assert len(successes(results)) == 1
        assert all(isinstance(e, FriendRequest.DoesNotExist) for e in failures(results))
        assert not FriendRequest.objects.exists()
        assert Friendship.objects.between(owner, member).count() in (0, 2)
        services.friendship_end(user=owner, other=member)


# --- views ---------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["send", "accept", "decline", "cancel"])
def test_post_only_endpoints_refuse_get(owner, member, as_user, action):
    friend_request = ask(member, owner)
    url = send_url(member) if action == "send" else answer_url(action, friend_request)
    assert as_user(owner).get(url).status_code == 405
    assert FriendRequest.objects.filter(pk=friend_request.pk).exists()


def test_send_from_a_profile(owner, member, as_user):
    response = as_user(member).post(
        send_url(owner), {"message": "Hello from the kite club."}, follow=True
    )
    assert response.redirect_chain[-1][0] == profile_url(owner)
    assert "Your friend request to Owner Person was sent." in messages_of(response)
    assert FriendRequest.objects.get(from_user=member, to_user=owner).message == (
        "Hello from the kite club."
    )


def test_send_to_someone_who_asked_me_makes_us_friends(owner, member, as_user):
    ask(owner, member)
    response = as_user(member).post(send_url(owner), follow=True)
    assert "You and Owner Person are now friends." in messages_of(response)
    assert are_friends(owner, member)


def test_send_with_a_too_long_message_is_refused(owner, member, as_user):
    response = as_user(member).post(send_url(owner), {"message": "x" * 501}, follow=True)
    assert response.status_code == 200
    assert messages_of(response)
    assert not FriendRequest.objects.exists()


def test_send_refusal_is_shown_as_a_message(owner, friend, as_user):
    response = as_user(friend).post(send_url(owner), follow=True)
    assert "You are already friends." in messages_of(response)


def test_send_to_oneself_is_refused(member, as_user):
    response = as_user(member).post(send_url(member), follow=True)
    assert "You cannot send a friend request to yourself." in messages_of(response)
    assert not FriendRequest.objects.exists()


def test_send_to_an_inactive_member_is_404(owner, member, as_user):
    User.objects.filter(pk=owner.pk).update(is_active=False)
    assert as_user(member).post(send_url(owner)).status_code == 404


@pytest.mark.parametrize(
    ("action", "who"),
    [("accept", "sender"), ("accept", "stranger"), ("decline", "sender"),
     ("decline", "stranger"), ("cancel", "recipient"), ("cancel", "stranger")],
)
def test_someone_elses_request_is_404(owner, member, fof, as_user, action, who):
    friend_request = ask(member, owner)
    user = {"sender": member, "recipient": owner, "stranger": fof}[who]
    assert as_user(user).post(answer_url(action, friend_request)).status_code == 404
    assert FriendRequest.objects.filter(pk=friend_request.pk).exists()


def test_a_missing_request_is_404(owner, as_user):
    assert as_user(owner).post(reverse("accounts:friend_request_accept", args=[999999])) \
        .status_code == 404


def test_accept_from_the_requests_page(owner, member, as_user):
    friend_request = ask(member, owner)
    response = as_user(owner).post(answer_url("accept", friend_request))
    assert response.status_code == 302
    assert response.url == REQUESTS
    assert are_friends(owner, member)


def test_accept_from_a_profile_goes_back_to_it(owner, member, as_user):
    friend_request = ask(member, owner)
    response = as_user(owner).post(
        answer_url("accept", friend_request), {"next": profile_url(member)}
    )
    assert response.url == profile_url(member)


def test_a_foreign_next_is_ignored(owner, member, as_user):
    friend_request = ask(member, owner)
    response = as_user(owner).post(
        answer_url("decline", friend_request), {"next": "https://evil.example.com/"}
    )
    assert response.url == REQUESTS
    assert not FriendRequest.objects.exists()


def test_cancel_through_the_view(owner, member, as_user):
    friend_request = ask(member, owner)
    response = as_user(member).post(answer_url("cancel", friend_request), follow=True)
    assert "You cancelled your friend request to Owner Person." in messages_of(response)
    assert not FriendRequest.objects.exists()


def test_unfriend_asks_for_confirmation_first(owner, friend, as_user):
    client = as_user(owner)
    response = client.get(unfriend_url(friend))
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert "Stop being friends with Friend Person?" in body
    assert are_friends(owner, friend)

    response = client.post(unfriend_url(friend), follow=True)
    assert response.redirect_chain[-1][0] == profile_url(friend)
    assert "You and Friend Person are no longer friends." in messages_of(response)
    assert not Friendship.objects.between(owner, friend).exists()


def test_unfriend_someone_who_is_not_a_friend_is_404(owner, member, as_user):
    assert as_user(owner).get(unfriend_url(member)).status_code == 404
    assert as_user(owner).post(unfriend_url(member)).status_code == 404


# --- the requests page ---------------------------------------------------------------------

def test_requests_page_lists_received_and_sent(owner, member, fof, as_user):
    received = ask(member, owner, "We met at <b>the</b> meetup.\nSee you!")
    sent = ask(owner, fof)
    response = as_user(owner).get(REQUESTS)
    body = response.content.decode()
    assert_well_formed(body)
    assert answer_url("accept", received) in body
    assert answer_url("decline", received) in body
    assert answer_url("cancel", sent) in body
    assert f'href="{profile_url(member)}"' in body
    assert f'href="{profile_url(fof)}"' in body
    # Member text is escaped, its line breaks kept.
    assert "We met at &lt;b&gt;the&lt;/b&gt; meetup.<br>See you!" in body


def test_requests_page_shows_only_what_members_may_see(owner, member, as_user):
    owner.profile.company_visibility = "friends"
    owner.profile.save()
    ask(owner, member)
    body = as_user(member).get(REQUESTS).content.decode()
    assert "Owner Person" in body
    assert "Owner K.K." not in body


def test_requests_page_empty_states(member, as_user):
    body = as_user(member).get(REQUESTS).content.decode()
    assert_well_formed(body)
    assert "No one is waiting for your answer." in body
    assert "You have no requests waiting for an answer." in body


def test_requests_from_members_who_left_are_not_listed(owner, member, as_user):
    ask(member, owner)
    User.objects.filter(pk=member.pk).update(is_active=False)
    body = as_user(owner).get(REQUESTS).content.decode()
    assert "No one is waiting for your answer." in body


def test_requests_page_is_paginated_per_list(owner, as_user):
    for n in range(25):
        ask(factories.member(f"Asker {n}"), owner)
    client = as_user(owner)
    first = client.get(REQUESTS).content.decode()
    assert first.count('class="request"') == 20
    assert "?received=2&amp;sent=1" in first
    second = client.get(REQUESTS, {"received": 2}).content.decode()
    assert_well_formed(second)
    assert second.count('class="request"') == 5


@pytest.mark.parametrize("count", [5, 50])
def test_requests_page_query_count_does_not_grow(owner, as_user, count,
                                                 django_assert_max_num_queries):
    for n in range(count):
        ask(factories.member(f"Asker {n}", company=f"Co {n}"), owner)
        ask(owner, factories.member(f"Asked {n}"))
    client = as_user(owner)
    # Session, member, the nav count, and a count and a page for each list.
    with django_assert_max_num_queries(7):
        response = client.get(REQUESTS)
    assert response.status_code == 200
    assert response.content.decode().count('class="request"') == 2 * min(count, 20)


def test_requests_page_in_japanese(owner, member, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    ask(member, owner)
    body = as_user(owner).get(REQUESTS).content.decode()
    assert_well_formed(body)
    assert '<html lang="ja">' in body
    assert "友だち申請" in body
    assert "承認する" in body
    assert "断る" in body
    assert "Waiting for your answer" not in body


# --- the profile's friend action and the nav -----------------------------------------------

def _state(owner, friend, member, state):
    """The viewer of owner's profile for each state."""
    if state == "friends":
        return friend
    if state == "sent":
        ask(member, owner)
    elif state == "received":
        ask(owner, member, "Let us be friends.")
    return member


@pytest.mark.parametrize(
    ("state", "shown", "not_shown"),
    [
        ("none", ["Add as friend", 'name="message"'], ["Cancel request", "Unfriend", "Accept"]),
        ("sent", ["Request sent", "Cancel request"], ["Add as friend", "Unfriend", "Accept"]),
        ("received", ["has asked to be your friend", "Accept", "Decline",
                      "Let us be friends."], ["Add as friend", "Unfriend", "Cancel request"]),
        ("friends", ["Friends", "Unfriend"], ["Add as friend", "Cancel request", "Accept"]),
    ],
)
def test_profile_shows_the_right_friend_action(owner, friend, member, as_user,
                                               state, shown, not_shown):
    viewer = _state(owner, friend, member, state)
    body = as_user(viewer).get(profile_url(owner)).content.decode()
    assert_well_formed(body)
    action = body[body.index('id="friend-action"'):]
    action = action[:action.index("</div>\n</div>") if "</div>\n</div>" in action else None]
    for text in shown:
        assert text in action, text
    for text in not_shown:
        assert text not in action, text


def test_my_own_profile_has_no_friend_action(owner, as_user):
    body = as_user(owner).get(profile_url(owner)).content.decode()
    assert 'id="friend-action"' not in body
    assert "Edit my profile" in body


def test_the_profile_form_sends_to_the_right_place(owner, member, as_user):
    body = as_user(member).get(profile_url(owner)).content.decode()
    assert f'action="{send_url(owner)}"' in body


@pytest.mark.parametrize("count", [5, 50])
def test_profile_with_a_pending_request_keeps_its_query_count(
    owner, member, as_user, count, django_assert_max_num_queries
):
    for n in range(count):
        factories.befriend(owner, factories.member(f"Friend {n}"))
        ask(factories.member(f"Asker {n}"), member)
    ask(owner, member)
    client = as_user(member)
    # One of these reads the introductions from friends; two record member's footprint
    # (their opt-out, then the upsert); one lists their communities, one their albums.
    with django_assert_max_num_queries(13):
        response = client.get(profile_url(owner))
    assert "has asked to be your friend" in response.content.decode()


def test_nav_shows_the_number_of_requests_waiting(owner, member, fof, as_user):
    client = as_user(owner)
    assert 'class="nav-count"' not in client.get(REQUESTS).content.decode()
    ask(member, owner)
    ask(fof, owner)
    body = client.get(profile_url(owner)).content.decode()
    assert f'href="{REQUESTS}"' in body
    assert '<span class="nav-count">2</span>' in body


# --- admin ---------------------------------------------------------------------------------

def test_admin_lists_friend_requests(owner, member, moderator, as_user):
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    friend_request = ask(member, owner)
    client = as_user(moderator)
    response = client.get(reverse("admin:accounts_friendrequest_changelist"))
    assert response.status_code == 200
    assert "Plain Member" in response.content.decode()
    change = reverse("admin:accounts_friendrequest_change", args=[friend_request.pk])
    assert client.get(change).status_code == 200
