"""Topics and their comments: who may start, edit, delete and pin; secret communities' topics
a 404 to non-members; blocks; rate limits; notifications; ordering; comment paging; "new in
my communities"; bounded queries; well-formed HTML; Japanese."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from communities import selectors, services
from communities.models import (
    CommunityPreference,
    JoinPolicy,
    Topic,
    TopicComment,
    TopicPolicy,
)
from sns.models import LimitedAction, Notification
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

NEW_TOPICS = reverse("communities:new_topics")


def url(name, topic, *args):
    return reverse(f"communities:{name}", args=[topic.community_id, topic.pk, *args])


def page(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status
    body = response.content.decode()
    if status == 200:
        assert_well_formed(body)
    return body


@pytest.fixture
def club(owner, friend, member):
    return factories.community(owner, members=[friend, member])


# --- rules -----------------------------------------------------------------------------------

def test_members_start_topics_and_outsiders_cannot(club, friend, fof):
    topic = factories.topic(club, friend, title="First")
    assert topic.comment_count == 0 and topic.last_activity_at
    with pytest.raises(services.CommunityError):
        factories.topic(club, fof)


def test_admins_only_policy(club, owner, friend, member):
    club.topic_policy = TopicPolicy.ADMINS
    club.save()
    services.subadmin_set(community=club, by=owner, user=friend, on=True)
    factories.topic(club, owner)
    factories.topic(club, friend)
    with pytest.raises(services.CommunityError):
        factories.topic(club, member)


def test_empty_topic_is_refused(club, friend):
    with pytest.raises(ValidationError):
        services.topic_create(community=club, author=friend, title=" ", body="x")


def test_author_and_admins_edit_and_delete_others_cannot(club, owner, friend, member):
    topic = factories.topic(club, friend)
    services.topic_update(topic=topic, by=friend, title="New", body="Body")
    services.topic_update(topic=topic, by=owner, title="Newer", body="Body")
    assert Topic.objects.get().title == "Newer" and Topic.objects.get().edited_at
    with pytest.raises(services.CommunityError):
        services.topic_update(topic=topic, by=member, title="Mine", body="x")
    with pytest.raises(services.CommunityError):
        services.topic_delete(topic=topic, by=member)
    services.topic_delete(topic=topic, by=owner)
    assert not Topic.objects.exists()


def test_only_admins_pin(club, owner, friend):
    topic = factories.topic(club, friend)
    with pytest.raises(services.CommunityError):
        services.topic_pin(topic=topic, by=friend, pinned=True)
    services.topic_pin(topic=topic, by=owner, pinned=True)
    assert Topic.objects.get().pinned


def test_comment_counts_and_last_poster_follow_comments(club, owner, friend, member):
    topic = factories.topic(club, friend)
    factories.topic_comment(topic, owner)
    second = factories.topic_comment(topic, member)
    topic.refresh_from_db()
    assert topic.comment_count == 2 and topic.last_commenter == member
    with pytest.raises(services.CommunityError):
        services.topic_comment_delete(comment_id=second.pk, by=friend)
    services.topic_comment_delete(comment_id=second.pk, by=member)
    topic.refresh_from_db()
    assert topic.comment_count == 1 and topic.last_commenter == owner


def test_admins_delete_any_comment(club, owner, friend):
    topic = factories.topic(club, friend)
    comment = factories.topic_comment(topic, friend)
    services.topic_comment_delete(comment_id=comment.pk, by=owner)
    assert not TopicComment.objects.exists()


def test_non_members_cannot_comment(club, friend, fof):
    topic = factories.topic(club, friend)
    with pytest.raises(services.CommunityError):
        factories.topic_comment(topic, fof)


# --- notifications -----------------------------------------------------------------------------

def test_earlier_participants_are_notified_not_the_commenter(club, owner, friend, member):
    topic = factories.topic(club, friend)
    factories.topic_comment(topic, owner)
    factories.topic_comment(topic, member)
    kind = Notification.Kind.COMMUNITY_TOPIC_COMMENT
    got = sorted(
        (n.recipient_id, n.actor_id) for n in Notification.objects.filter(kind=kind)
    )
    assert got == sorted([(friend.pk, owner.pk), (friend.pk, member.pk), (owner.pk, member.pk)])
    factories.topic_comment(topic, member)  # nobody twice per comment, never the commenter
    assert Notification.objects.filter(kind=kind, recipient=member).count() == 0


def test_deleting_a_comment_withdraws_its_notifications(club, owner, friend):
    topic = factories.topic(club, friend)
    comment = factories.topic_comment(topic, owner)
    assert Notification.objects.filter(recipient=friend).count() == 1
    services.topic_comment_delete(comment_id=comment.pk, by=owner)
    assert Notification.objects.filter(recipient=friend).count() == 0


def test_blocked_participants_are_not_notified(owner, blocked, friend):
    club = factories.community(friend, members=[owner, blocked])
    topic = factories.topic(club, friend)
    factories.topic_comment(topic, blocked)
    factories.topic_comment(topic, owner)
    assert not Notification.objects.filter(recipient=blocked).exists()
    with pytest.raises(Topic.DoesNotExist):  # a blocked member's topic is not there for owner
        factories.topic_comment(factories.topic(club, blocked), owner)


# --- rate limits -------------------------------------------------------------------------------

def test_communities_per_day(settings, owner, as_user):
    settings.COMMUNITY_CREATE_PER_DAY = 2
    factories.community(owner)
    factories.community(owner)
    with pytest.raises(services.RateLimited):
        factories.community(owner)
    # The day has passed (sns.limits counts its own log of uses).
    LimitedAction.objects.update(at=timezone.now() - timedelta(days=2))
    factories.community(owner)
    factories.community(owner)
    response = as_user(owner).post(reverse("communities:new"), {
        "name": "One more", "description": "", "category": factories.category().pk,
        "join_policy": JoinPolicy.OPEN, "topic_policy": "members",
    })
    assert response.status_code == 200
    assert "at most 2 communities a day" in response.content.decode()


def test_topics_per_hour(settings, club, friend, as_user):
    settings.TOPIC_CREATE_PER_HOUR = 2
    factories.topic(club, friend)
    factories.topic(club, friend)
    with pytest.raises(services.RateLimited):
        factories.topic(club, friend)
    response = as_user(friend).post(reverse("communities:topic_new", args=[club.pk]), {
        "title": "Third", "body": "x",
    })
    assert response.status_code == 200
    assert "at most 2 topics an hour" in response.content.decode()
    LimitedAction.objects.update(at=timezone.now() - timedelta(hours=2))
    factories.topic(club, friend)


def test_the_title_of_a_topic_is_not_a_job_title_in_japanese(club, friend, as_user):
    friend.language = "ja"
    friend.save(update_fields=["language"])
    body = as_user(friend).get(reverse("communities:topic_new", args=[club.pk])).content.decode()
    assert '<label for="id_title">タイトル' in body
    assert "役職" not in body


# --- visibility --------------------------------------------------------------------------------

def test_secret_community_topics_are_404_to_non_members(owner, friend, member, as_user):
    secret = factories.community(owner, policy=JoinPolicy.SECRET)
    topic = factories.topic(secret, owner, title="Hidden plans")
    outsider = as_user(member)
    assert outsider.get(reverse("communities:topics", args=[secret.pk])).status_code == 404
    assert outsider.get(topic.get_absolute_url()).status_code == 404
    response = outsider.post(url("topic_comment", topic), {"body": "hi"})
    assert response.status_code == 404
    assert not TopicComment.objects.exists()
    assert not Topic.objects.visible_to(member).exists()
    assert "Hidden plans" in page(as_user(owner), topic.get_absolute_url())
    assert Topic.objects.visible_to(owner).count() == 1


def test_blocks_hide_topics_and_comments_both_ways(owner, blocked, friend, as_user):
    club = factories.community(friend, members=[owner, blocked])
    theirs = factories.topic(club, blocked, title="Blocked topic")
    mine = factories.topic(club, friend, title="Friend topic")
    factories.topic_comment(mine, blocked, "from the blocked one")
    assert list(Topic.objects.visible_to(owner)) == [mine]
    assert as_user(owner).get(theirs.get_absolute_url()).status_code == 404
    body = page(as_user(owner), mine.get_absolute_url())
    assert "from the blocked one" not in body
    listing = page(as_user(owner), reverse("communities:topics", args=[club.pk]))
    assert "Blocked topic" not in listing and "Blocked Person" not in listing


# --- pages -------------------------------------------------------------------------------------

def test_list_orders_pinned_first_then_latest_activity(club, owner, friend, as_user):
    old = factories.topic(club, friend, title="Old")
    new = factories.topic(club, friend, title="New")
    pinned = factories.topic(club, friend, title="Pinned one")
    Topic.objects.filter(pk=pinned.pk).update(last_activity_at=timezone.now() - timedelta(days=9))
    services.topic_pin(topic=pinned, by=owner, pinned=True)
    factories.topic_comment(old, owner)  # old is now the latest activity
    assert list(selectors.community_topics(owner, club)) == [pinned, old, new]
    body = page(as_user(owner), reverse("communities:topics", args=[club.pk]))
    assert body.index("Pinned one") < body.index(">Old<") < body.index(">New<")
    assert "1 comment" in body and "last by Owner Person" in body


def test_the_journey_through_the_pages(club, owner, friend, as_user):
    client = as_user(friend)
    response = client.post(reverse("communities:topic_new", args=[club.pk]), {
        "title": "Meetup", "body": "Let's **meet**.",
    })
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert "Meetup" in page(as_user(owner), club.get_absolute_url())
    response = as_user(owner).post(url("topic_comment", topic), {"body": "Count me in"})
    assert response.status_code == 302
    body = page(client, topic.get_absolute_url())
    assert "<strong>meet</strong>" in body and "Count me in" in body
    page(client, url("topic_edit", topic))
    edited = client.post(url("topic_edit", topic), {"title": "Meetup!", "body": "x"})
    assert edited.status_code == 302
    assert as_user(owner).post(url("topic_pin", topic), {"pinned": "1"}).status_code == 302
    assert Topic.objects.get().pinned and Topic.objects.get().title == "Meetup!"
    comment = TopicComment.objects.get()
    as_user(owner).post(url("topic_comment_delete", topic, comment.pk))
    assert not TopicComment.objects.exists()
    client.post(url("topic_delete", topic))
    assert not Topic.objects.exists()


def test_others_get_no_edit_page(club, friend, member, as_user):
    topic = factories.topic(club, friend)
    assert as_user(member).get(url("topic_edit", topic)).status_code == 404


def test_comment_paging_shows_the_latest_fifty_and_walks_back(club, owner, friend, as_user):
    topic = factories.topic(club, friend)
    base = timezone.now() - timedelta(hours=1)
    TopicComment.objects.bulk_create([
        TopicComment(
            topic=topic, author=owner, body=f"c{i:03}", created_at=base + timedelta(seconds=i)
        )
        for i in range(60)
    ])
    shown, earlier = selectors.topic_comments_page(topic, None)
    assert [c.body for c in shown] == [f"c{i:03}" for i in range(10, 60)]
    body = page(as_user(friend), topic.get_absolute_url())
    assert "c059" in body and "c009" not in body and "Earlier comments" in body
    rest, none = selectors.topic_comments_page(topic, earlier)
    assert [c.body for c in rest] == [f"c{i:03}" for i in range(10)] and none is None
    body = page(as_user(friend), f"{topic.get_absolute_url()}?comments_before={earlier}")
    assert "c009" in body and "c010" not in body


def test_new_in_my_communities_and_the_last_look(club, owner, friend, member, as_user):
    other = factories.community(member, members=[friend])
    mine = factories.topic(club, owner, title="Owner's topic")
    elsewhere = factories.topic(other, member, title="Not owner's community")
    quiet = factories.topic(club, owner, title="Quiet topic")
    factories.topic_comment(mine, friend)
    factories.topic_comment(elsewhere, friend)
    factories.topic_comment(quiet, owner)  # own comments are not new
    client = as_user(owner)
    body = page(client, NEW_TOPICS)
    assert "Owner&#x27;s topic" in body or "Owner's topic" in body
    assert "Not owner&#x27;s community" not in body and "Quiet topic" not in body
    assert "1 new comment" in body
    assert CommunityPreference.objects.get(user=owner).topics_seen_at
    assert "Nothing new in your communities." in page(client, NEW_TOPICS)
    factories.topic_comment(mine, member)
    assert "1 new comment" in page(client, NEW_TOPICS)


def test_new_topics_leave_out_blocked_commenters(owner, blocked, friend, as_user):
    club = factories.community(friend, members=[owner, blocked])
    topic = factories.topic(club, friend)
    factories.topic_comment(topic, blocked)
    assert selectors.new_topics_page(owner, timezone.now() - timedelta(days=1), 1).object_list == []


@pytest.mark.parametrize("n", [5, 50])
def test_pages_have_bounded_queries(owner, as_user, django_assert_max_num_queries, n):
    people = [factories.member() for _ in range(3)]
    club = factories.community(owner, members=people)
    for i in range(n):
        topic = factories.topic(club, people[i % 3], title=f"T{i}")
        factories.topic_comment(topic, people[(i + 1) % 3])
    for i in range(n):
        factories.topic_comment(topic, people[i % 3], f"comment {i}")
    client = as_user(owner)
    for path in [
        club.get_absolute_url(), reverse("communities:topics", args=[club.pk]),
        topic.get_absolute_url(), NEW_TOPICS,
    ]:
        # 15: the community page also lists its next off-kai (offkai's template tag).
        with django_assert_max_num_queries(15):
            page(client, path)


def test_pages_in_japanese(club, owner, friend, as_user, settings):
    settings.LANGUAGE_CODE = "ja"
    topic = factories.topic(club, friend, title="猫の話")
    factories.topic_comment(topic, owner, "かわいい")
    client = as_user(owner)
    client.cookies["django_language"] = "ja"
    assert "トピック" in page(client, club.get_absolute_url())
    body = page(client, topic.get_absolute_url())
    assert "猫の話" in body and "かわいい" in body and "コメント" in body
    assert "トピックを立てる" in page(client, reverse("communities:topics", args=[club.pk]))
    assert "新着トピック" in page(as_user(friend), NEW_TOPICS)
