"""The pages that show likes are kept as HTML per viewer (sns.cache.rendered), on a real Redis
(tests/warm.py): a like or an undo, on the thing or on one of its comments, shows on the
next look, and the viewer's own button follows their own clicks."""

import pytest
from django.urls import reverse

from sns.liking import services
from tests import factories, warm

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts():
    with warm.parts_on_redis() as parts:
        yield parts


def look(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def things(owner, friend):
    entry = factories.entry(owner, title="Kept")
    comment = factories.entry_comment(entry, owner)
    community = factories.community(owner)
    factories.join(community, [friend])
    topic = factories.topic(community, owner)
    topic_comment = factories.topic_comment(topic, owner)
    event = factories.event(owner)
    event_comment = event.comments.create(author=owner, body="See you")
    return [(entry.get_absolute_url(), entry, comment),
            (topic.get_absolute_url(), topic, topic_comment),
            (event.get_absolute_url(), event, event_comment)]


def test_likes_show_on_the_next_look_at_each_kept_page(owner, friend, fof, as_user, parts):
    with warm.committed():
        pages = things(owner, friend)
    client = as_user(friend)
    for url, thing, comment in pages:
        assert "1 like" not in look(client, url)
        assert warm.filled(parts)
        with warm.committed():
            services.like_add(member=fof if thing.__class__.__name__ == "Entry" else owner,
                              target=thing)
        html = look(client, url)
        assert "1 like" in html, url
        # The viewer's own like of a comment: their button says so on the next look.
        with warm.committed():
            services.like_add(member=friend, target=comment)
        html = look(client, url)
        assert html.count(">Undo Like!</button>") == 1, url
        with warm.committed():
            services.like_remove(member=friend, target=comment)
        assert ">Undo Like!</button>" not in look(client, url), url


def test_another_viewers_kept_page_counts_a_new_like(owner, friend, fof, as_user, parts):
    with warm.committed():
        entry = factories.entry(owner)
        factories.befriend(owner, fof)
    owner_client = as_user(owner)
    look(owner_client, entry.get_absolute_url())
    with warm.committed():
        as_user(friend).post(reverse("likes:like", args=["entry", entry.pk]))
    assert "1 like" in look(owner_client, entry.get_absolute_url())
    with warm.committed():
        as_user(fof).post(reverse("likes:like", args=["entry", entry.pk]))
    assert "2 likes" in look(owner_client, entry.get_absolute_url())


def test_a_diary_list_counts_likes_through_a_hole(owner, friend, fof, as_user, parts):
    with warm.committed():
        entries = [factories.entry(owner, title=f"Row {i}") for i in range(3)]
    client = as_user(friend)
    url = reverse("diary:member", args=[owner.pk])
    assert "like" not in look(client, url).split("<main", 1)[1].replace("Like!", "")
    with warm.committed():
        services.like_add(member=fof, target=entries[1])
        services.like_add(member=friend, target=entries[1])
    html = look(client, url)
    assert html.count('<span class="like-tally">2 likes</span>') == 1
    with warm.committed():
        services.like_remove(member=fof, target=entries[1])
    html = look(client, url)
    assert html.count('<span class="like-tally">') == 1
    assert '<span class="like-tally">1 like</span>' in html



def test_who_liked_this_is_kept_and_follows_likes_and_blocks(owner, friend, fof, as_user,
                                                              parts):
    from accounts.services.blocks import block_create

    with warm.committed():
        entry = factories.entry(owner)
        services.like_add(member=fof, target=entry)
    client = as_user(friend)
    url = reverse("likes:list", args=["entry", entry.pk])
    html = look(client, url)
    assert f'href="{fof.get_absolute_url()}"' in html and ">Like!</button>" in html
    assert warm.filled(parts)
    # Another like shows on the next look, and the viewer's own click on their button.
    with warm.committed():
        services.like_add(member=owner, target=entry)
        services.like_add(member=friend, target=entry)
    html = look(client, url)
    assert f'href="{owner.get_absolute_url()}"' in html and ">Undo Like!</button>" in html
    # A liker who blocks the viewer is gone from the viewer's list at once.
    with warm.committed():
        block_create(blocker=fof, blocked=friend)
    assert f'href="{fof.get_absolute_url()}"' not in look(client, url)
