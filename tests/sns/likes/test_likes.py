"""イイネ!: one per member and thing, undo, the count and the viewer's own, who liked it (as the
viewer may see them), the gathered notification, and what goes when the thing goes."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.services import block_create
from albums.services import album_delete
from diary import services as diary_services
from sns import moderation
from sns.errors import Refused
from sns.likes import like_states
from sns.liking import services
from sns.models import Like, Notification
from sns.notifications.items import items_for
from sns.visibility import Level
from tests import factories

pytestmark = pytest.mark.django_db


def likes_of(thing):
    return Like.objects.filter(
        target_type=ContentType.objects.get_for_model(thing), target_id=thing.pk
    )


def like_notifications(recipient):
    return Notification.objects.filter(recipient=recipient, kind=Notification.Kind.LIKE)


def text_of(notification, viewer) -> str:
    notification = Notification.objects.select_related("actor__profile").get(pk=notification.pk)
    return items_for(viewer, [notification])[0].text


# --- the service -------------------------------------------------------------------------------

def test_a_like_is_one_per_member_and_thing_and_can_be_undone(owner, friend):
    entry = factories.entry(owner, title="Spring")
    assert services.like_add(member=friend, target=entry) is True
    assert services.like_add(member=friend, target=entry) is False
    assert likes_of(entry).count() == 1
    state = like_states(friend, [entry])[("entry", entry.pk)]
    assert (state.count, state.liked) == (1, True)
    assert entry.like is state
    assert like_states(owner, [entry])[("entry", entry.pk)].liked is False
    assert services.like_remove(member=friend, target=entry) is True
    assert services.like_remove(member=friend, target=entry) is False
    assert likes_of(entry).count() == 0
    assert like_states(friend, [entry])[("entry", entry.pk)].count == 0


def test_the_counts_of_a_list_of_things_of_several_kinds_take_one_query(
    owner, friend, fof, django_assert_num_queries
):
    entries = [factories.entry(owner, title=f"E{i}") for i in range(4)]
    comment = factories.entry_comment(entries[0], friend)
    community = factories.community(owner)
    topic = factories.topic(community, owner)
    for i, entry in enumerate(entries):
        for liker in [friend, fof][: i % 3]:
            services.like_add(member=liker, target=entry)
    services.like_add(member=owner, target=comment)
    services.like_add(member=friend, target=topic)
    things = [*entries, comment, topic]
    with django_assert_num_queries(1):
        states = like_states(friend, things)
    assert [states[("entry", e.pk)].count for e in entries] == [0, 1, 2, 0]
    assert states[("entry-comment", comment.pk)].count == 1
    assert states[("topic", topic.pk)].liked is True
    assert states[("entry", entries[2].pk)].liked is True


def test_the_author_hears_of_likes_gathered_in_one_notification(owner, friend, fof, member):
    entry = factories.entry(owner, title="Spring")
    services.like_add(member=friend, target=entry)
    (notification,) = like_notifications(owner)
    assert text_of(notification, owner) == "Friend Person liked your diary entry “Spring”"
    services.like_add(member=fof, target=entry)
    services.like_add(member=member, target=entry)
    (notification,) = like_notifications(owner)
    assert notification.actor == member and notification.gathered == 3
    assert text_of(notification, owner) == (
        "Plain Member and 2 others liked your diary entry “Spring”")
    # Undone by the one it names: it names the latest who still like it.
    services.like_remove(member=member, target=entry)
    (notification,) = like_notifications(owner)
    assert notification.actor == fof and notification.gathered == 2
    # Once read, the next like makes a new notification.
    like_notifications(owner).update(read_at=notification.created_at)
    services.like_add(member=member, target=entry)
    assert like_notifications(owner).count() == 2
    assert like_notifications(owner).filter(read_at__isnull=True).get().gathered == 1


def test_the_notification_goes_when_every_like_is_undone(owner, friend):
    entry = factories.entry(owner)
    services.like_add(member=friend, target=entry)
    services.like_remove(member=friend, target=entry)
    assert not like_notifications(owner).exists()


def test_a_member_liking_their_own_thing_is_not_notified(owner):
    entry = factories.entry(owner)
    assert services.like_add(member=owner, target=entry) is True
    assert not like_notifications(owner).exists()


@pytest.mark.parametrize("kind", ["entry-comment", "topic", "topic-comment", "offkai",
                                  "offkai-comment"])
def test_every_kind_notifies_its_author_with_what_was_liked(owner, friend, kind):
    entry = factories.entry(owner, title="Spring")
    community = factories.community(owner)
    factories.join(community, [friend])
    topic = factories.topic(community, owner, title="Books")
    event = factories.event(owner, title="Picnic")
    thing = {
        "entry-comment": lambda: factories.entry_comment(entry, owner),
        "topic": lambda: topic,
        "topic-comment": lambda: factories.topic_comment(topic, owner),
        "offkai": lambda: event,
        "offkai-comment": lambda: event.comments.create(author=owner, body="See you"),
    }[kind]()
    services.like_add(member=friend, target=thing)
    (notification,) = like_notifications(owner)
    expected = {
        "entry-comment": "your comment on “Spring”", "topic": "your topic “Books”",
        "topic-comment": "your comment on “Books”", "offkai": "your off-kai “Picnic”",
        "offkai-comment": "your comment on “Picnic”",
    }[kind]
    assert text_of(notification, owner) == f"Friend Person liked {expected}"


def test_likes_per_hour_are_limited(owner, friend, settings):
    settings.LIKES_PER_HOUR = 2
    entries = [factories.entry(owner) for _ in range(3)]
    services.like_add(member=friend, target=entries[0])
    services.like_add(member=friend, target=entries[1])
    # A second click on one already liked takes nothing.
    services.like_add(member=friend, target=entries[1])
    with pytest.raises(Refused, match="at most 2 things an hour"):
        services.like_add(member=friend, target=entries[2])
    assert not likes_of(entries[2]).exists()


def test_deleting_an_entry_takes_its_likes_and_their_notifications(owner, friend):
    entry = factories.entry(owner)
    comment = factories.entry_comment(entry, owner)
    services.like_add(member=friend, target=entry)
    services.like_add(member=friend, target=comment)
    diary_services.entry_delete(entry=entry)
    assert not Like.objects.exists()
    assert not like_notifications(owner).exists()


def test_deleting_a_comment_takes_its_likes(owner, friend):
    entry = factories.entry(owner)
    comment = factories.entry_comment(entry, friend)
    services.like_add(member=owner, target=comment)
    services.like_add(member=owner, target=entry)
    diary_services.comment_delete(user=friend, comment_id=comment.pk)
    assert list(Like.objects.values_list("target_id", flat=True)) == [entry.pk]


# --- the pages ---------------------------------------------------------------------------------

def test_the_button_works_without_javascript(owner, friend, as_user):
    entry = factories.entry(owner, title="Spring")
    client = as_user(friend)
    page = client.get(entry.get_absolute_url()).content.decode()
    assert reverse("likes:like", args=["entry", entry.pk]) in page
    response = client.post(reverse("likes:like", args=["entry", entry.pk]))
    assert response.status_code == 302 and response.url == entry.get_absolute_url()
    page = client.get(entry.get_absolute_url()).content.decode()
    assert ">Undo Like!</button>" in page and "1 like" in page
    response = client.post(reverse("likes:unlike", args=["entry", entry.pk]),
                           {"next": f"{entry.get_absolute_url()}?x=1"})
    assert response.url == f"{entry.get_absolute_url()}?x=1"
    assert not likes_of(entry).exists()


def test_the_script_gets_the_new_state_as_json(owner, friend, fof, as_user):
    entry = factories.entry(owner)
    services.like_add(member=fof, target=entry)
    response = as_user(friend).post(reverse("likes:like", args=["entry", entry.pk]),
                                    HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "liked": True, "count": 2, "count_label": "2 likes", "error": ""}


def test_a_refused_like_says_why_both_ways(owner, friend, as_user, settings):
    settings.LIKES_PER_HOUR = 1
    first, second = factories.entry(owner), factories.entry(owner)
    client = as_user(friend)
    client.post(reverse("likes:like", args=["entry", first.pk]))
    response = client.post(reverse("likes:like", args=["entry", second.pk]),
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert "at most 1 thing an hour" in json.loads(response.content)["error"]
    response = client.post(reverse("likes:like", args=["entry", second.pk]), follow=True)
    assert "at most 1 thing an hour" in response.content.decode()
    assert not likes_of(second).exists()


def test_a_next_elsewhere_goes_back_to_the_thing(owner, friend, as_user):
    entry = factories.entry(owner)
    response = as_user(friend).post(reverse("likes:like", args=["entry", entry.pk]),
                                    {"next": "https://evil.example/"})
    assert response.url == entry.get_absolute_url()


@pytest.mark.parametrize("url", [
    "/likes/nothing/1/", "/likes/photo/1/", "/likes/entry/999999/",
])
def test_an_unknown_thing_is_not_found(owner, as_user, url):
    assert as_user(owner).get(url).status_code == 404
    assert as_user(owner).post(url + "like/").status_code == 404


def test_what_a_member_may_not_see_they_may_not_like(owner, friend, member, blocked, as_user):
    private = factories.entry(owner, Level.FRIENDS)
    for persona in (member, blocked):
        client = as_user(persona)
        assert client.post(reverse("likes:like", args=["entry", private.pk])).status_code == 404
        assert client.get(reverse("likes:list", args=["entry", private.pk])).status_code == 404
    open_entry = factories.entry(owner, Level.MEMBERS)
    client = as_user(blocked)
    assert client.post(reverse("likes:like", args=["entry", open_entry.pk])).status_code == 404
    # A comment by someone in a block with the viewer is not shown, so not likeable.
    comment = factories.entry_comment(open_entry, blocked)
    assert as_user(owner).post(
        reverse("likes:like", args=["entry-comment", comment.pk])).status_code == 404
    assert not Like.objects.exists()


def test_who_liked_lists_only_those_the_viewer_may_see(owner, friend, fof, member, as_user,
                                                      moderator):
    entry = factories.entry(owner, Level.MEMBERS)
    hidden_by_block = factories.member("Blocker Person")
    suspended = factories.member("Suspended Person")
    for liker in (friend, fof, member, hidden_by_block, suspended):
        services.like_add(member=liker, target=entry)
    block_create(blocker=hidden_by_block, blocked=friend)
    moderation.member_suspend(member=suspended, by=moderator)
    page = as_user(friend).get(reverse("likes:list", args=["entry", entry.pk]))
    text = page.content.decode()
    assert "Fof Person" in text and "Plain Member" in text and "Friend Person" in text
    assert "Blocker Person" not in text and "Suspended Person" not in text
    text = as_user(owner).get(reverse("likes:list", args=["entry", entry.pk])).content.decode()
    assert "Blocker Person" in text and "Suspended Person" not in text


def test_who_liked_pages_through_many(owner, as_user):
    entry = factories.entry(owner, Level.MEMBERS)
    likers = [factories.member(f"Liker {i:02}") for i in range(53)]
    for liker in likers:
        services.like_add(member=liker, target=entry)
    client = as_user(owner)
    first = client.get(reverse("likes:list", args=["entry", entry.pk]))
    assert first.context["next_cursor"] and len(first.context["people"]) == 50
    second = client.get(reverse("likes:list", args=["entry", entry.pk]),
                        {"before": first.context["next_cursor"]})
    assert len(second.context["people"]) == 3
    shown = {m.pk for m, _s in first.context["people"] + second.context["people"]}
    assert shown == {liker.pk for liker in likers}


def test_comments_topics_and_offkai_pages_have_buttons(owner, friend, as_user):
    entry = factories.entry(owner)
    comment = factories.entry_comment(entry, friend)
    community = factories.community(owner)
    factories.join(community, [friend])
    topic = factories.topic(community, owner)
    topic_comment = factories.topic_comment(topic, owner)
    event = factories.event(owner)
    event_comment = event.comments.create(author=owner, body="See you")
    client = as_user(friend)
    for page, kinds in [
        (entry.get_absolute_url(), [("entry", entry), ("entry-comment", comment)]),
        (topic.get_absolute_url(), [("topic", topic), ("topic-comment", topic_comment)]),
        (event.get_absolute_url(), [("offkai", event), ("offkai-comment", event_comment)]),
    ]:
        html = client.get(page).content.decode()
        for kind, thing in kinds:
            assert reverse("likes:like", args=[kind, thing.pk]) in html, (page, kind)


def test_a_visitor_sees_counts_but_no_button(owner, friend, client, settings):
    settings.SITE_PUBLIC_PAGES = True
    entry = factories.entry(owner, Level.PUBLIC)
    services.like_add(member=friend, target=entry)
    html = client.get(entry.get_absolute_url()).content.decode()
    assert "1 like" in html and reverse("likes:like", args=["entry", entry.pk]) not in html


def test_the_data_download_lists_what_the_member_liked(owner, friend, as_user):
    import io
    import zipfile

    entry = factories.entry(owner)
    services.like_add(member=friend, target=entry)
    response = as_user(friend).post(reverse("leaving:data"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    (liked,) = json.loads(archive.read("likes.json"))
    assert (liked["kind"], liked["id"]) == ("entry", entry.pk)


def test_an_album_photo_is_liked_on_its_page_and_its_uploader_hears_of_it(owner, friend,
                                                                         as_user):
    album = factories.album(owner, Level.FRIENDS, title="Hike", photos=1)
    photo = album.photos.get()
    client = as_user(friend)
    assert reverse("likes:like", args=["photo", photo.pk]) in client.get(
        photo.get_absolute_url()).content.decode()
    assert client.post(reverse("likes:like", args=["photo", photo.pk])).url == (
        photo.get_absolute_url())
    (notification,) = like_notifications(owner)
    assert text_of(notification, owner) == "Friend Person liked your photo in “Hike”"
    # Deleting the album takes the photo's likes and the notification.
    album_delete(album_id=album.pk, editor=owner)
    assert not Like.objects.exists() and not like_notifications(owner).exists()
