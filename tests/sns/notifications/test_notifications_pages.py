"""The notification list, opening one, "mark all read" and the unread count in the header."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import Profile
from accounts.services import block_create
from communities import services as community_services
from diary import services as diary_services
from diary.models import Entry
from sns import images
from sns.models import Notification
from sns.notifications import views as notification_views
from sns.notify import Kind, notify
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed, avatar_sizes

LIST = "/notifications/"


def page(client, path: str = LIST) -> str:
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    return body


def opened(pk: int) -> str:
    return f'href="/notifications/{pk}/"'


def suspend(member) -> None:
    type(member).objects.filter(pk=member.pk).update(is_active=False, suspended_at=timezone.now())


# --- the list --------------------------------------------------------------------------------

def test_a_comment_reads_as_a_sentence_with_a_link(owner, friend, as_user):
    diary_entry = factories.entry(owner, Level.FRIENDS, title="Sunday at the sea")
    comment = diary_services.comment_create(entry_id=diary_entry.pk, author=friend, body="Nice")
    notification = Notification.objects.get(recipient=owner)

    body = page(as_user(owner))

    assert "Friend Person commented on your diary entry “Sunday at the sea”" in body
    assert opened(notification.pk) in body
    assert 'class="badge badge-pending">New<' in body
    response = as_user(owner).get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/diary/{diary_entry.pk}/#comment-{comment.pk}"


def test_newest_first(owner, friend, as_user):
    first = notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    second = notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=friend)
    body = page(as_user(owner))
    assert body.index(opened(second.pk)) < body.index(opened(first.pk))


@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_says_something_without_a_target(owner, friend, as_user, kind):
    notify(recipient=owner, kind=kind, actor=friend)
    body = page(as_user(owner))
    item = re.search(r'<li class="entry-row notification unread">(.*?)</li>', body, re.S)
    assert item is not None
    assert "%(" not in item.group(1)
    assert "{" not in item.group(1)


@pytest.mark.parametrize(("make", "expected_link"), [
    ("friend_request", "/friends/requests/"),
    ("accepted", "/members/{friend}/"),
    ("introduction", "/members/{owner}/introductions/"),
    ("topic_comment", "/communities/{community}/topics/{topic}/#comment-{comment}"),
    ("join_request", "/communities/{community}/requests/"),
    ("event", "/offkai/{event}/"),
])
def test_each_kind_leads_to_its_page(owner, friend, member, as_user, make, expected_link):
    ids = {"owner": owner.pk, "friend": friend.pk}
    if make == "friend_request":
        accounts_services.friend_request_send(sender=member, recipient=owner)
    elif make == "accepted":
        notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    elif make == "introduction":
        accounts_services.introduction_write(author=friend, subject=owner, body="Kind.")
    elif make in ("topic_comment", "join_request"):
        community = factories.community(owner)
        ids["community"] = community.pk
        if make == "topic_comment":
            factories.join(community, [friend])
            topic = factories.topic(community, owner, title="Reading list")
            comment = factories.topic_comment(topic, friend)
            ids.update(topic=topic.pk, comment=comment.pk)
        else:
            community.join_policy = "approval"
            community.save()
            community_services.membership_join(community=community, user=friend)
    else:
        event = factories.event(friend, title="Beer garden")
        ids["event"] = event.pk
        notify(recipient=owner, kind=Kind.EVENT_NEW, actor=friend, target=event)
    notification = Notification.objects.get(recipient=owner)
    body = page(as_user(owner))
    assert opened(notification.pk) in body
    response = as_user(owner).get(f"/notifications/{notification.pk}/")
    assert response["Location"] == expected_link.format(**ids)


def test_names_are_shown_as_the_site_shows_them(owner, friend, as_user, settings):
    settings.IDENTITY_POLICY = "nickname"
    friend.profile.nickname = "Frieda"
    friend.profile.save()
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    body = page(as_user(owner))
    assert "Frieda accepted your friend request" in body
    assert "Friend Person" not in body


def test_member_text_is_escaped(owner, friend, as_user):
    diary_entry = factories.entry(owner, Level.FRIENDS, title="<script>alert(1)</script>")
    diary_services.comment_create(entry_id=diary_entry.pk, author=friend, body="x")
    body = page(as_user(owner))
    assert "<script>alert" not in body
    assert "&lt;script&gt;" in body


def test_an_empty_list_says_what_will_come(owner, as_user):
    assert "No notifications yet" in page(as_user(owner))


def test_the_page_needs_a_login(owner, as_user):
    response = as_user(None).get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_pages_by_cursor(owner, friend, as_user):
    start = timezone.now() - timedelta(hours=1)
    made = [
        Notification.objects.create(
            recipient=owner, actor=friend, kind=Kind.FRIEND_REQUEST_ACCEPTED,
            created_at=start + timedelta(seconds=i // 2),  # ties broken by pk
        )
        for i in range(notification_views.PAGE_SIZE + 5)
    ]
    client = as_user(owner)
    first = page(client)
    cursor = re.search(r'href="\?before=([^"]+)"', first).group(1)
    second = page(client, f"{LIST}?before={cursor}")
    shown_first = set(map(int, re.findall(r'href="/notifications/(\d+)/"', first)))
    shown_second = set(map(int, re.findall(r'href="/notifications/(\d+)/"', second)))
    assert len(shown_first) == notification_views.PAGE_SIZE
    assert shown_first | shown_second == {n.pk for n in made}
    assert not shown_first & shown_second
    assert "Older notifications" not in second
    assert 'href="/notifications/">Newest' in second


# --- who and what is left out ----------------------------------------------------------------

def test_actors_who_left_or_were_suspended_or_blocked_are_left_out(owner, friend, fof, as_user):
    diary_entry = factories.entry(owner, Level.MEMBERS)
    stranger = factories.member("Stranger Person")
    for author in (friend, fof, stranger):
        diary_services.comment_create(entry_id=diary_entry.pk, author=author, body="Hi")
    suspend(fof)
    block_create(blocker=stranger, blocked=owner)  # a block either way hides
    reminder = notify(recipient=owner, kind=Kind.EVENT_REMINDER)  # no actor: kept

    client = as_user(owner)
    body = page(client)

    assert "Friend Person" in body
    assert "Fof Person" not in body
    assert "Stranger Person" not in body
    assert opened(reminder.pk) not in body  # its target is gone...
    assert "An off-kai you attend is tomorrow" in body  # ...but it is listed
    hidden = Notification.objects.filter(recipient=owner, actor__in=[fof, stranger])
    assert hidden.count() == 2
    for notification in hidden:
        assert client.get(f"/notifications/{notification.pk}/").status_code == 404
    # The header counts what the list shows.
    assert '<span class="nav-count" title="unread">2</span>' in body


def test_a_target_no_longer_visible_is_text_without_a_link(owner, friend, as_user):
    diary_entry = factories.entry(friend, Level.FRIENDS, title="Only for friends")
    diary_services.comment_create(entry_id=diary_entry.pk, author=owner, body="First")
    diary_services.comment_create(entry_id=diary_entry.pk, author=friend, body="Reply")
    notification = Notification.objects.get(recipient=owner, kind=Kind.DIARY_COMMENT_AFTER)
    Entry.objects.filter(pk=diary_entry.pk).update(visibility=Level.PRIVATE)

    client = as_user(owner)
    body = page(client)

    assert "Friend Person also commented on a diary entry" in body
    assert "Only for friends" not in body
    assert opened(notification.pk) not in body
    assert "no longer available" in body
    response = client.get(f"/notifications/{notification.pk}/")
    assert response["Location"] == LIST
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_hidden_or_deleted_target_is_gone(owner, friend, as_user):
    hidden, deleted = factories.entry(owner, Level.FRIENDS), factories.entry(owner, Level.FRIENDS)
    for diary_entry in (hidden, deleted):
        diary_services.comment_create(entry_id=diary_entry.pk, author=friend, body="Hi")
    Entry.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    Entry.objects.filter(pk=deleted.pk).delete()
    body = page(as_user(owner))
    assert body.count("Friend Person commented on your diary entry") == 2
    assert hidden.title not in body
    assert body.count("no longer available") == 2


def test_a_secret_community_left_is_no_longer_named(owner, friend, as_user):
    club = factories.community(friend, policy="secret", name="Hidden club")
    notify(recipient=owner, kind=Kind.COMMUNITY_JOIN_APPROVED, actor=friend, target=club)
    body = page(as_user(owner))
    assert "Hidden club" not in body
    assert "Your request to join a community was approved" in body


# --- read marks ------------------------------------------------------------------------------

def test_opening_marks_only_that_one_read(owner, friend, as_user):
    first = notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    second = notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=friend)
    client = as_user(owner)
    client.get(f"/notifications/{first.pk}/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    read_at = first.read_at
    client.get(f"/notifications/{first.pk}/")
    first.refresh_from_db()
    assert first.read_at == read_at  # the first reading stays


def test_another_members_notification_is_not_found(owner, friend, member, as_user):
    notification = notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    assert as_user(member).get(f"/notifications/{notification.pk}/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(owner, friend, member, as_user):
    for kind in (Kind.FRIEND_REQUEST_ACCEPTED, Kind.INTRODUCTION_WRITTEN):
        notify(recipient=owner, kind=kind, actor=friend)
    others = notify(recipient=member, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    client = as_user(owner)
    assert "Mark all read" in page(client)
    assert client.get("/notifications/read/").status_code == 405
    response = client.post("/notifications/read/", follow=True)
    assert not owner.notifications.filter(read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None
    body = response.content.decode()
    assert "All your notifications are marked read." in body
    assert "Mark all read" not in body
    assert 'class="badge badge-pending"' not in body


# --- the count in the header -----------------------------------------------------------------

def nav_count(body: str) -> str | None:
    found = re.search(r'href="/notifications/"[^>]*>Notifications(?: <span class="nav-count"'
                      r' title="unread">([^<]+)</span>)?</a>', body)
    assert found, "no Notifications link in the header"
    return found.group(1)


def test_the_header_counts_unread_on_every_page(owner, friend, as_user):
    client = as_user(owner)
    assert nav_count(page(client, "/")) is None
    first = notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    notify(recipient=owner, kind=Kind.INTRODUCTION_WRITTEN, actor=friend)
    for path in ("/", "/diary/", f"/members/{owner.pk}/", "/me/settings/"):
        assert nav_count(page(client, path)) == "2"
    client.get(f"/notifications/{first.pk}/")
    assert nav_count(page(client, "/")) == "1"


def test_the_header_stops_counting_at_99(owner, friend, as_user):
    Notification.objects.bulk_create([
        Notification(recipient=owner, actor=friend, kind=Kind.FRIEND_REQUEST_ACCEPTED)
        for _ in range(120)
    ])
    assert nav_count(page(as_user(owner), "/")) == "99+"


def test_visitors_have_no_count(db, as_user):
    body = as_user(None).get("/").content.decode()
    assert "nav-count" not in body


def test_both_header_counts_are_one_query(owner, friend, member, rf, django_assert_num_queries):
    from sns.context_processors import header_counts

    for _ in range(3):
        notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    accounts_services.friend_request_send(sender=member, recipient=owner)
    request = rf.get("/")
    request.user = owner
    context = header_counts(request)
    with django_assert_num_queries(1):
        assert str(context["NOTIFICATIONS_UNREAD"]) == "4"
        assert context["FRIEND_REQUESTS_WAITING"] == 1


def test_the_friend_request_count_is_still_shown(owner, member, as_user):
    accounts_services.friend_request_send(sender=member, recipient=owner)
    body = page(as_user(owner), "/")
    assert '>Friend requests <span class="nav-count">1</span></a>' in body


# --- one avatar size (issue 15) ----------------------------------------------------------------

def test_members_with_and_without_a_photo_have_one_avatar_size(owner, friend, member, as_user):
    """A photo and a placeholder initial are one box, so the rows line up (they were a 72 px
    square beside a 44 px circle)."""
    Profile.objects.filter(user=friend).update(
        photo=images.store(images.process(factories.image_file()), prefix="profiles"))
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=friend)
    notify(recipient=owner, kind=Kind.FRIEND_REQUEST_ACCEPTED, actor=member)
    body = page(as_user(owner))
    listing = body[body.index('<ul class="entries notification-list">'):]
    listing = listing[:listing.index("</ul>")]

    sizes = avatar_sizes(listing)

    assert sorted(tag for tag, _size in sizes) == ["img", "span"]
    assert {size for _tag, size in sizes} == {(44, 44)}


# --- bounded queries -------------------------------------------------------------------------

@pytest.mark.parametrize("count", [5, 50])
def test_the_list_takes_a_bounded_number_of_queries(
    owner, friend, as_user, django_assert_max_num_queries, count
):
    """Every kind of target at once: the session, the member, the page, one per kind of
    target (four here), the actors' relations, the header's counts (9), the site policy
    from the cache (+1), and the content types when the process has not cached them yet
    (+1)."""
    from django.contrib.contenttypes.models import ContentType

    people = [factories.member() for _ in range(5)]
    club = factories.community(owner, members=people)
    topic = factories.topic(club, owner)
    event = factories.event(friend)
    diary_entry = factories.entry(owner, Level.MEMBERS)
    for i in range(count):
        actor = people[i % 5]
        step = i % 5
        if step == 0:
            diary_services.comment_create(entry_id=diary_entry.pk, author=actor, body="x")
        elif step == 1:
            factories.topic_comment(topic, actor)
        elif step == 2:
            notify(recipient=owner, kind=Kind.EVENT_NEW, actor=friend, target=event)
        elif step == 3:
            notify(recipient=owner, kind=Kind.COMMUNITY_JOIN_APPROVED, actor=actor, target=club)
        else:
            notify(recipient=owner, kind=Kind.FRIEND_REQUEST_RECEIVED, actor=actor)
    client = as_user(owner)
    client.get("/")  # the site policy is cached by the first page of all
    ContentType.objects.clear_cache()
    with django_assert_max_num_queries(11):
        body = page(client)
    assert len(re.findall(r'href="/notifications/\d+/"', body)) == min(
        owner.notifications.count(), notification_views.PAGE_SIZE
    )


def test_in_japanese(owner, friend, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    diary_entry = factories.entry(owner, Level.FRIENDS, title="海へ行った")
    diary_services.comment_create(entry_id=diary_entry.pk, author=friend, body="いいね")
    body = page(as_user(owner))
    assert "Friend Personさんがあなたの日記「海へ行った」にコメントしました" in body
    assert "お知らせ" in body
    assert "commented" not in body


# --- what the moderators' notices say ----------------------------------------------------------

def test_an_inviter_hears_about_their_invitee(owner, friend, as_user):
    joined = notify(recipient=owner, kind=Kind.INVITEE_JOINED, target=friend)
    suspended_member = factories.member("Suspended Person")
    suspended = notify(recipient=owner, kind=Kind.INVITEE_SUSPENDED, target=suspended_member)
    suspend(suspended_member)
    client = as_user(owner)
    body = page(client)
    assert "Friend Person, whom you invited, joined the site" in body
    assert opened(joined.pk) in body
    # Named, since the inviter vouched for them, but their page is gone.
    assert "Suspended Person, whom you invited, was suspended" in body
    assert opened(suspended.pk) not in body
    assert client.get(f"/notifications/{joined.pk}/")["Location"] == f"/members/{friend.pk}/"


def test_a_warning_leads_to_the_rules(owner, moderator, as_user):
    warning = notify(recipient=owner, kind=Kind.MODERATION_WARNING, target=moderator)
    right = notify(recipient=owner, kind=Kind.INVITE_RIGHT_REMOVED)
    client = as_user(owner)
    body = page(client)
    assert "The moderators sent you a warning." in body
    assert client.get(f"/notifications/{warning.pk}/")["Location"] == "/policy/"
    assert client.get(f"/notifications/{right.pk}/")["Location"] == "/invite/"
