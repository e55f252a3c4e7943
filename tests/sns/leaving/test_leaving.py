"""Deleting one's account (/me/leave/, sns.leaving.services.member_leave)."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block, FriendRequest, Friendship, Introduction, User
from accounts.services import friend_request_send, introduction_write
from communities.models import Membership, Role, Topic, TopicComment
from diary import services as diary_services
from diary.models import Comment, Entry
from invites.models import Invitation
from offkai.models import RSVP, Answer, Event, EventComment
from sns import images
from sns.leaving.services import LeaveError, member_leave
from sns.models import ModerationLog, Notification, Report
from sns.moderation import report_create
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed

LEAVE = reverse("leaving:leave")


def leave(client, password=factories.PASSWORD, confirm=True):
    data = {"password": password}
    if confirm:
        data["confirm"] = "on"
    return client.post(LEAVE, data)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert_well_formed(html)
    return html


def test_the_page_explains_and_asks_for_the_password(owner, as_user):
    html = page(as_user(owner), LEAVE)
    assert 'type="password"' in html and 'type="checkbox"' in html


@pytest.mark.parametrize("url", [LEAVE, reverse("leaving:data")])
def test_the_leaving_pages_say_friends_as_the_site_does(owner, as_user, url):
    # The rest of the site says 友だち; these pages said マイミク.
    owner.language = "ja"
    owner.save(update_fields=["language"])
    html = page(as_user(owner), url)
    assert "友だち" in html
    assert "マイミク" not in html


def test_a_wrong_password_changes_nothing(owner, friend, as_user):
    entry = factories.entry(owner, Level.MEMBERS)
    client = as_user(owner)
    response = leave(client, password="wrong")
    assert response.status_code == 200
    assert "The password is not correct" in response.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()
    assert Entry.objects.filter(pk=entry.pk).exists()
    assert Friendship.objects.filter(user=owner).exists()
    assert not ModerationLog.objects.filter(action=ModerationLog.Action.MEMBER_LEFT).exists()
    assert SESSION_KEY in client.session


def test_the_box_must_be_ticked(owner, as_user):
    response = leave(as_user(owner), confirm=False)
    assert response.status_code == 200
    assert "Tick the box to confirm." in response.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()


def test_the_last_superuser_cannot_leave(db):
    root = User.objects.create_superuser("root@example.com", factories.PASSWORD)
    with pytest.raises(LeaveError, match="last superuser"):
        member_leave(member=root, password=factories.PASSWORD)
    assert User.objects.filter(pk=root.pk).exists()
    User.objects.create_superuser("root2@example.com", factories.PASSWORD)
    member_leave(member=root, password=factories.PASSWORD)
    assert not User.objects.filter(pk=root.pk).exists()


def test_leaving_ends_the_session_and_lands_on_the_landing_page(owner, as_user):
    client = as_user(owner)
    response = leave(client)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert SESSION_KEY not in client.session
    landing = client.get(reverse("home"))
    assert "Your account has been deleted." in landing.content.decode()
    assert not User.objects.filter(pk=owner.pk).exists()


def test_the_message_is_in_the_members_language(owner, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    client = as_user(owner)
    leave(client)
    html = client.get(reverse("home")).content.decode()
    assert "アカウントを削除しました。" in html


@pytest.fixture
def world(owner, friend, member, fof):
    """Everything a leaving member touches; ``owner`` leaves."""
    w = {}
    entry = diary_services.entry_create(
        author=owner, title="Owner diary", body="mine", visibility=Level.MEMBERS,
        photos=[images.process(factories.image_file())],
    )
    w["entry"], w["photo_key"] = entry, entry.photos.get().image
    factories.entry_comment(entry, friend, "friend on owner's entry")
    w["friend_entry"] = factories.entry(friend, Level.MEMBERS, title="Friend diary")
    w["owner_comment"] = factories.entry_comment(w["friend_entry"], owner, "OWNER-SAID-THIS")
    # A community the owner runs: the sub-admin (friend, joined later) takes over before
    # the longer-standing plain member.
    club = factories.community(owner, name="Owner club")
    factories.join(club, [member, friend])
    Membership.objects.filter(community=club, user=friend).update(role=Role.SUBADMIN)
    w["club"] = club
    w["lonely"] = factories.community(owner, name="Lonely club")
    w["topic"] = factories.topic(club, owner, title="Owner topic")
    factories.topic_comment(w["topic"], friend, "FRIEND-IN-OWNER-TOPIC")
    w["owner_topic_comment"] = factories.topic_comment(w["topic"], owner, "OWNER-IN-TOPIC")
    # Off-kai: one with a co-host, one to come without, one past without, and one by the
    # friend where the owner holds the last place and the fof waits.
    w["shared"] = factories.event(owner, co_hosts=[friend], title="Shared event")
    w["alone"] = factories.event(owner, title="Alone event")
    factories.answer(w["alone"], member)
    w["past"] = factories.event(owner, days=-3, title="Past event")
    factories.answer(w["past"], member, attended=True)
    w["full"] = factories.event(friend, capacity=1, title="Full event")
    factories.answer(w["full"], owner)
    factories.answer(w["full"], fof, Answer.WAITLISTED)
    w["event_comment"] = EventComment.objects.create(
        event=w["full"], author=owner, body="OWNER-ON-EVENT"
    )
    # Ties.
    introduction_write(author=owner, subject=friend, body="about friend")
    introduction_write(author=friend, subject=owner, body="about owner")
    friend_request_send(sender=owner, recipient=fof)
    from accounts.services import block_create

    block_create(blocker=owner, blocked=member)
    w["pending"] = factories.invitation(owner, "pending@example.com", send=False)
    w["accepted"] = factories.invitation(owner, "joined@example.com", send=False)
    factories.redeem(w["accepted"])
    return w


def test_everything_after_leaving(world, owner, friend, member, fof, as_user, outbox,
                                  django_capture_on_commit_callbacks):
    owner_pk = owner.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = leave(as_user(owner))
    assert response.status_code == 302
    assert not User.objects.filter(pk=owner_pk).exists()

    # What they wrote for themselves is gone, photo files too.
    assert not Entry.objects.filter(pk=world["entry"].pk).exists()
    assert not default_storage.exists(images.path(world["photo_key"], "medium"))
    assert not Friendship.objects.filter(friend_id=owner_pk).exists()
    assert not FriendRequest.objects.exists()
    assert not Block.objects.exists()
    assert not Introduction.objects.exists()
    assert not Notification.objects.filter(actor_id=owner_pk).exists()

    # What they wrote on others' pages stays, without an author.
    assert Comment.objects.get(pk=world["owner_comment"].pk).author_id is None
    assert TopicComment.objects.get(pk=world["owner_topic_comment"].pk).author_id is None
    assert Topic.objects.get(pk=world["topic"].pk).author_id is None
    assert TopicComment.objects.filter(topic=world["topic"], author=friend).exists()
    assert EventComment.objects.get(pk=world["event_comment"].pk).author_id is None

    # The community passes to the sub-admin; the one with nobody else is closed.
    assert Membership.objects.get(community=world["club"], role=Role.ADMIN).user == friend
    world["lonely"].refresh_from_db()
    assert world["lonely"].is_closed

    # Events: handed over, cancelled (answerers told) and kept, past kept.
    assert Event.objects.get(pk=world["shared"].pk).created_by == friend
    alone = Event.objects.get(pk=world["alone"].pk)
    assert alone.is_cancelled and alone.cancel_reason == "The host left the site"
    assert alone.created_by_id is None
    assert Notification.objects.filter(
        recipient=member, kind=Notification.Kind.EVENT_CANCELLED, target_id=alone.pk
    ).exists()
    assert any(member.email in m.to for m in outbox)
    past = Event.objects.get(pk=world["past"].pk)
    assert past.created_by_id is None and not past.is_cancelled
    assert RSVP.objects.filter(event=past, user=member).exists()

    # The waitlist is served and the promoted member told.
    assert RSVP.objects.get(event=world["full"], user=fof).answer == Answer.ATTENDING
    assert Notification.objects.filter(
        recipient=fof, kind=Notification.Kind.EVENT_PROMOTED
    ).exists()
    assert not RSVP.objects.filter(user_id=owner_pk).exists()

    # Invitations: pending revoked, rows kept without the inviter.
    pending = Invitation.objects.get(pk=world["pending"].pk)
    assert pending.revoked_at is not None and pending.inviter_id is None
    assert Invitation.objects.get(pk=world["accepted"].pk).inviter_id is None

    row = ModerationLog.objects.get(action=ModerationLog.Action.MEMBER_LEFT)
    assert row.member_id is None and row.member_label == "Owner Person <owner@example.com>"


def test_pages_show_deleted_member(world, owner, friend, member, as_user):
    member_leave(member=owner, password=factories.PASSWORD)
    client = as_user(friend)
    html = page(client, world["friend_entry"].get_absolute_url())
    assert "OWNER-SAID-THIS" in html and "deleted member" in html
    assert "Owner Person" not in html
    html = page(client, world["topic"].get_absolute_url())
    assert "OWNER-IN-TOPIC" in html and "FRIEND-IN-OWNER-TOPIC" in html
    assert "Owner topic" in html and "deleted member" in html
    html = page(client, world["full"].get_absolute_url())
    assert "OWNER-ON-EVENT" in html and "deleted member" in html
    # The community's topic list and the cancelled event (for one who answered) render too.
    page(client, reverse("communities:topics", args=[world["club"].pk]))
    html = page(as_user(member), world["alone"].get_absolute_url())
    assert "The host left the site" in html
    page(as_user(member), reverse("offkai:list"))


def test_a_deleted_members_comment_cannot_be_reported(world, owner, friend, as_user):
    member_leave(member=owner, password=factories.PASSWORD)
    client = as_user(friend)
    comment = world["owner_comment"]
    html = page(client, world["friend_entry"].get_absolute_url())
    assert f"type=comment&amp;id={comment.pk}" not in html
    assert client.get(f"{reverse('report')}?type=comment&id={comment.pk}").status_code == 404
    with pytest.raises(Comment.DoesNotExist):
        report_create(reporter=friend, target=Comment.objects.get(pk=comment.pk),
                      reason=Report.Reason.values[0])


def test_their_comments_still_count_and_notify_nobody_wrongly(world, owner, friend, fof):
    member_leave(member=owner, password=factories.PASSWORD)
    # A new comment after a deleted member's notifies the entry's author, not the gone one.
    diary_services.comment_create(
        entry_id=world["friend_entry"].pk, author=fof, body="after the gone one"
    )
    assert Entry.objects.filter(pk=world["friend_entry"].pk).with_comment_count().get() \
        .comment_count == 2


@pytest.mark.parametrize("n", [5, 50])
def test_pages_with_deleted_member_comments_keep_their_query_counts(
    owner, friend, as_user, django_assert_max_num_queries, n
):
    people = [factories.member() for _ in range(3)]
    entry = factories.entry(owner, Level.MEMBERS)
    club = factories.community(owner, members=[friend, *people])
    topic = factories.topic(club, people[0])
    event = factories.event(owner)
    base = timezone.now() - timedelta(hours=1)
    Comment.objects.bulk_create([
        Comment(entry=entry, author=people[i % 3], body=f"c{i}",
                created_at=base + timedelta(seconds=i)) for i in range(n)
    ])
    TopicComment.objects.bulk_create([
        TopicComment(topic=topic, author=people[i % 3], body=f"c{i}") for i in range(n)
    ])
    EventComment.objects.bulk_create([
        EventComment(event=event, author=people[i % 3], body=f"c{i}") for i in range(n)
    ])
    member_leave(member=people[0], password=factories.PASSWORD)
    member_leave(member=people[1], password=factories.PASSWORD)
    client = as_user(friend)
    page(client, reverse("home"))
    for url, budget in [
        (entry.get_absolute_url(), 16), (topic.get_absolute_url(), 15),
        (event.get_absolute_url(), 16),
        (reverse("communities:topics", args=[club.pk]), 15),
    ]:
        with django_assert_max_num_queries(budget):
            html = page(client, url)
        if url != reverse("communities:topics", args=[club.pk]):
            assert html.count("deleted member") >= n * 2 // 3
