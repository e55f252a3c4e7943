"""Home's content kept as HTML (``{% part %}``, sns.cache.rendered; issue 16): with the parts
cache on Redis, home read twice (the second look from the kept HTML) before each change, then
the change through the services, then home again: every write that changes what home shows
bumps a generation the HTML was built under, so the next look shows it.

tests/sns/home/test_home_kept.py covers the lists below the HTML (friends' entries, new comments,
upcoming off-kai: added and removed); the access matrices, the object-reference tests and
the suspension table run warm too (tests/warm.py). Here: what the HTML shows beside them."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as accounts_services
from accounts.services import footprint_record
from communities import services as communities_services
from communities.models import JoinPolicy
from diary import services as diary
from invites import services as invites_services
from offkai import services as offkai_services
from sns import cache, moderation
from sns.comments import COMMENT_MAX_LENGTH
from sns.models import Announcement
from sns.notifications.announcements import announcement_send
from sns.visibility import Level
from tests import factories, warm
from tests.sns.home.test_home_kept import GOING, goes, plan

HOME = reverse("home")


def second_look(client, path: str = HOME, *, from_kept: bool = False, status: int = 200) -> str:
    """A page as the member sees it after a first look that kept it: the second look is read
    from the kept HTML, or built again when it is stale. ``from_kept``: checked to cost no
    query but the session's (a footprint the page leaves was written by the first look)."""
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == status
    if from_kept:
        assert len(queries) == 1, [q["sql"][:80] for q in queries]
    return response.content.decode()


def token_per_response(look, *, forms: int) -> str:
    """Two looks at a kept page (``look()``): each response has one token in all its forms
    (at least ``forms``), its own. Returns the second's."""
    tokens = [re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', look())
              for _ in range(2)]
    assert len(tokens[0]) >= forms and len(set(tokens[0])) == 1
    assert tokens[0][0] != tokens[1][0]
    return tokens[1][0]


def looked(client) -> str:
    return second_look(client)


def kept(client) -> str:
    return second_look(client, from_kept=True)


def test_home_is_kept_and_read_without_a_query(parts, owner, friend, as_user):
    with warm.committed():
        diary.entry_create(author=friend, title="Kept walk", body="…", visibility=Level.FRIENDS)
    body = kept(as_user(owner))
    assert "Kept walk" in body
    assert cache.stats()  # counted (flushed every STATS_EVERY lookups: not asserted here)


def test_a_friends_new_name_and_photo_settings_show(parts, owner, friend, as_user):
    client = as_user(owner)
    assert "Friend Person" in kept(client)
    with warm.committed():
        accounts_services.profile_update(user=friend, fields={"real_name": "Renamed Friend"})
    body = looked(client)
    assert "Renamed Friend" in body and "Friend Person" not in body


def test_my_own_name_shows(parts, owner, as_user):
    client = as_user(owner)
    assert "Welcome, Owner Person" in kept(client)
    with warm.committed():
        accounts_services.profile_update(user=owner, fields={"real_name": "Owner Renamed"})
    assert "Welcome, Owner Renamed" in looked(client)


def _diary_line(body: str, title: str) -> str:
    found = re.search(rf">{title}</a> <span class=\"muted small\">(.*?)</span>", body, re.S)
    assert found, title
    return found.group(1)


def test_an_entrys_title_and_comments_count_follow(parts, owner, friend, fof, as_user):
    with warm.committed():
        entry = diary.entry_create(author=friend, title="Walk", body="…",
                                   visibility=Level.FRIENDS)
    client = as_user(owner)
    assert "0 comments" in _diary_line(kept(client), "Walk")
    with warm.committed():
        comment = diary.comment_create(entry_id=entry.pk, author=friend, body="Hi")
    assert "1 comment" in _diary_line(looked(client), "Walk")
    with warm.committed():
        diary.comment_delete(comment_id=comment.pk, user=friend)
    assert "0 comments" in _diary_line(looked(client), "Walk")
    with warm.committed():
        diary.entry_update(entry=entry, title="Long walk", body="…", visibility=Level.FRIENDS)
    body = looked(client)
    assert ">Long walk</a>" in body and ">Walk</a>" not in body
    with warm.committed():
        diary.entry_delete(entry=entry)
    assert "Long walk" not in looked(client)


def test_an_off_kai_cancelled_or_answered_shows_on_its_card(
    parts, generous, owner, friend, member, as_user
):
    event = plan(friend, "Picnic", capacity=10)
    client = as_user(owner)
    assert "10 places left" in kept(client)
    with warm.committed():
        offkai_services.rsvp_answer(event_id=event.pk, user=friend, answer="attending")
    assert "9 places left" in looked(client)
    with warm.committed():
        offkai_services.event_cancel(event=event, by=friend, reason="Rain")
    assert "Cancelled" in looked(client)


def _looks(clients) -> list[tuple[str, int]]:
    """Each client's home, with the queries it cost."""
    looks = []
    for client in clients:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(HOME).content.decode()
        looks.append((body, len(queries)))
    return looks


def test_a_comment_leaves_every_home_kept_but_its_count(parts, owner, friend, fof, member,
                                                       as_user):
    """A comment on an entry on many homes builds none of them again: each is read from its
    kept HTML, the count filled from the value kept once for the entry (sns.cache.holes):
    one query for the first home that shows it, none for the next."""
    with warm.committed():
        entry = diary.entry_create(author=friend, title="Walk", body="…",
                                   visibility=Level.MEMBERS)
    clients = [as_user(owner), as_user(fof)]
    for client in clients:
        assert "0 comments" in _diary_line(kept(client), "Walk")
    with warm.committed():
        diary.comment_create(entry_id=entry.pk, author=member, body="Hi")
    (first, first_queries), (second, second_queries) = _looks(clients)
    assert "1 comment" in _diary_line(first, "Walk")
    assert "1 comment" in _diary_line(second, "Walk")
    # The session's query; the first also counts the comments.
    assert (first_queries, second_queries) == (2, 1)


def test_an_answer_leaves_every_home_kept_but_its_places(parts, generous, owner, friend, fof,
                                                        member, as_user):
    event = plan(friend, "Picnic", capacity=10)
    clients = [as_user(owner), as_user(fof)]
    for client in clients:
        assert "10 places left" in kept(client)
    with warm.committed():
        offkai_services.rsvp_answer(event_id=event.pk, user=member, answer="attending")
    (first, first_queries), (second, second_queries) = _looks(clients)
    assert "9 places left" in first and "9 places left" in second
    assert (first_queries, second_queries) == (2, 1)


def _queries_of_a_look(client) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        body = client.get(HOME).content.decode()
    return body, [q["sql"] for q in queries]


def test_a_friends_new_entry_builds_only_friends_diaries_again(parts, owner, friend, as_user):
    """Friends' diaries are kept apart from the rest of home (a detached part): a friend's
    new entry builds that section again (its kept ids were built ahead by the fan-out: the
    entries read, their counts of comments), not home (which has a visit to show: home with
    nothing else on it reads the sections to tell whether it is empty)."""
    with warm.committed():
        footprint_record(visitor=friend, owner=owner)
    client = as_user(owner)
    kept(client)
    with warm.committed():
        diary.entry_create(author=friend, title="Fresh walk", body="…",
                           visibility=Level.FRIENDS)
    body, queries = _queries_of_a_look(client)
    assert "Fresh walk" in body
    assert len(queries) == 3, queries  # the session, the entries, their counts of comments
    assert not any("accounts_footprint" in sql for sql in queries)  # home's counts: kept


def test_a_new_comment_builds_only_new_comments_again(parts, owner, friend, as_user):
    with warm.committed():
        mine = diary.entry_create(author=owner, title="My walk", body="…",
                                  visibility=Level.FRIENDS)
        footprint_record(visitor=friend, owner=owner)
    client = as_user(owner)
    assert "No new comments" in kept(client)
    with warm.committed():
        diary.comment_create(entry_id=mine.pk, author=friend, body="Nice")
    body, queries = _queries_of_a_look(client)
    assert "1 new comment" in body
    assert not any("accounts_footprint" in sql for sql in queries)  # home's counts: kept


def test_home_with_nothing_says_so_until_a_kept_section_has_something(parts, owner, as_user):
    """Home tells a member with nothing on it what to do; the sections kept apart decide it
    too, so a friend's first entry takes the advice away."""
    friend = factories.member("Lone Friend")
    factories.befriend(owner, friend)
    client = as_user(owner)
    assert "Nothing new yet" in kept(client)
    with warm.committed():
        diary.entry_create(author=friend, title="First walk", body="…",
                           visibility=Level.FRIENDS)
    body = looked(client)
    assert "First walk" in body and "Nothing new yet" not in body


def test_friend_requests_show_and_other_notifications_leave_home_kept(parts, owner, friend,
                                                                      member, as_user):
    """Home counts the friend requests waiting (``requests``), not the notifications the
    header counts beside them: a notice leaves home kept; a request, and its answer, show."""
    with warm.committed():
        footprint_record(visitor=friend, owner=owner)
    client = as_user(owner)
    kept(client)
    with warm.committed():
        accounts_services.introduction_write(author=friend, subject=owner, body="A good friend.")
    body, queries = _queries_of_a_look(client)
    assert "friend request" not in body
    # The session, and the header's counts (a notice more to read); home itself was kept.
    assert len(queries) == 2 and "unread" in queries[1]
    with warm.committed():
        request = accounts_services.friend_request_send(sender=member, recipient=owner)
    assert "1 friend request" in looked(client)
    with warm.committed():
        accounts_services.friend_request_decline(request_id=request.pk, user=owner)
    assert "friend request" not in looked(client)


def test_my_own_answer_shows_on_my_cards(parts, generous, owner, friend, as_user):
    """The answer a card shows its member follows their answer, taken back too (home and
    search show cards)."""
    event = plan(friend, "Picnic", capacity=10)
    client = as_user(owner)
    search = reverse("search") + "?q=picnic"
    assert "badge-answer" not in kept(client)
    assert "badge-answer" not in second_look(client, search, from_kept=True)
    with warm.committed():
        offkai_services.rsvp_answer(event_id=event.pk, user=owner, answer="maybe")
    assert "badge-answer-maybe" in looked(client)
    assert "badge-answer-maybe" in second_look(client, search)
    with warm.committed():
        offkai_services.rsvp_withdraw(event_id=event.pk, user=owner)
    assert "badge-answer" not in looked(client)
    assert "badge-answer" not in second_look(client, search)


def test_a_new_footprint_counts(parts, owner, friend, member, as_user):
    client = as_user(owner)
    assert "visit to your page" not in kept(client)
    with warm.committed():
        footprint_record(visitor=friend, owner=owner)
    assert "1 visit to your page" in looked(client)
    # A second visit the same day changes no count, and bumps nothing.
    kept(client)
    with warm.committed():
        footprint_record(visitor=friend, owner=owner)
    assert "1 visit to your page" in kept(client)
    with warm.committed():
        footprint_record(visitor=member, owner=owner)
    assert "2 visits to your page" in looked(client)


def test_invitations_sent_and_revoked_count(parts, settings, owner, as_user):
    settings.INVITE_QUOTA = 3
    client = as_user(owner)
    assert "You can invite 3 more people." in kept(client)
    with warm.committed():
        invitation = factories.invitation(owner)
    assert "You can invite 2 more people." in looked(client)
    with warm.committed():
        invites_services.invitation_revoke(invitation=invitation)
    assert "You can invite 3 more people." in looked(client)


def test_an_announcement_sent_shows(parts, owner, moderator, as_user):
    client = as_user(owner)
    kept(client)
    announcement = Announcement.objects.create(title="Site maintenance", body="Tonight.")
    assert "Site maintenance" not in looked(client)  # written, not yet sent
    with warm.committed():
        announcement_send(announcement=announcement, by=moderator)
    assert "Site maintenance" in looked(client)


def test_join_requests_to_decide_come_and_go(parts, owner, member, as_user):
    club = factories.community(owner, policy=JoinPolicy.APPROVAL, name="Quiet club")
    client = as_user(owner)
    assert "request to join" not in kept(client)
    with warm.committed():
        request = communities_services.membership_join(community=club, user=member)
    assert "1 request to join your communities" in looked(client)
    with warm.committed():
        communities_services.join_request_decide(request_id=request.pk, by=owner, approve=False)
    assert "request to join" not in looked(client)


def test_a_topic_renamed_shows_in_new_in_my_communities(parts, owner, friend, member, as_user):
    club = factories.community(friend, name="Tea club", members=[owner, member])
    topic = factories.topic(club, friend, title="Matcha")
    factories.topic_comment(topic, member)
    client = as_user(owner)
    assert "Matcha" in kept(client)
    with warm.committed():
        communities_services.topic_update(topic=topic, by=friend, title="Sencha", body="…")
    body = looked(client)
    assert "Sencha" in body and "Matcha" not in body


def test_what_i_read_leaves_new_comments(parts, owner, friend, as_user):
    with warm.committed():
        entry = diary.entry_create(author=owner, title="My walk", body="…",
                                   visibility=Level.FRIENDS)
        diary.comment_create(entry_id=entry.pk, author=friend, body="Nice")
    client = as_user(owner)
    assert "1 new comment" in kept(client)
    with warm.committed():
        # Its first look marks them read.
        assert client.get(reverse("diary:new_comments")).status_code == 200
    assert "1 new comment" not in looked(client)


def test_each_language_has_its_own(parts, owner, as_user):
    client = as_user(owner)
    assert "Welcome, Owner Person" in kept(client)
    with warm.committed():
        client.post(reverse("set_language"), {"language": "ja"})
    body = looked(client)
    assert "Welcome, Owner Person" not in body and "Owner Person" in body
    with warm.committed():
        client.post(reverse("set_language"), {"language": "en"})
    assert "Welcome, Owner Person" in kept(client)


# --- the friends' diaries page, kept the same way (diary.selectors.friends_page) -------------

DIARIES = reverse("diary:friends")


def diaries(client, path: str = DIARIES, *, from_kept: bool = False) -> list[str]:
    return re.findall(r'class="entry-row-title"><a href="/diary/[^"]*">([^<]+)</a>',
                      second_look(client, path, from_kept=from_kept))


def test_the_friends_diaries_page_is_kept_and_follows_writes(parts, owner, friend, as_user):
    client = as_user(owner)
    assert diaries(client, from_kept=True) == []
    with warm.committed():
        walk = diary.entry_create(author=friend, title="Walk", body="…", visibility=Level.FRIENDS)
    assert diaries(client, from_kept=True) == ["Walk"]
    with warm.committed():
        diary.comment_create(entry_id=walk.pk, author=friend, body="Hi")
    assert "1 comment" in client.get(DIARIES).content.decode()
    with warm.committed():
        diary.entry_update(entry=walk, title="Walk", body="…", visibility=Level.PRIVATE)
    assert diaries(client) == []
    with warm.committed():
        diary.entry_update(entry=walk, title="Long walk", body="…", visibility=Level.FRIENDS)
    assert diaries(client) == ["Long walk"]
    with warm.committed():
        accounts_services.profile_update(user=friend, fields={"real_name": "Renamed Friend"})
    assert "Renamed Friend" in client.get(DIARIES).content.decode()
    with warm.committed():
        accounts_services.friendship_end(user=owner, other=friend)
    assert diaries(client) == []


def test_each_page_of_friends_diaries_is_kept_apart(parts, settings, owner, friend, as_user):
    with warm.committed():
        for n in range(25):
            diary.entry_create(author=friend, title=f"Day {n}", body="…",
                               visibility=Level.FRIENDS)
    client = as_user(owner)
    first = diaries(client, from_kept=True)
    assert first[0] == "Day 24" and len(first) == 20
    older = re.search(r'rel="next" href="([^"]+)"', client.get(DIARIES).content.decode())
    path = DIARIES + older.group(1).replace("&amp;", "&")
    assert diaries(client, path, from_kept=True) == [f"Day {n}" for n in range(4, -1, -1)]
    # A malformed cursor is the first page.
    assert diaries(client, DIARIES + "?before=junk_") == first


# --- an entry's page, kept per viewer (diary.views.entries) ----------------------------------


def entry_page(client, entry, **look) -> str:
    return second_look(client, reverse("diary:entry", args=[entry.pk]), **look)


def test_an_entrys_page_is_kept_and_follows_its_comments(
    parts, owner, friend, moderator, as_user
):
    with warm.committed():
        walk = diary.entry_create(author=friend, title="Walk", body="By the *river*.",
                                  visibility=Level.FRIENDS)
    client = as_user(owner)
    body = entry_page(client, walk, from_kept=True)
    assert "<title>Walk" in body and "No comments yet." in body
    with warm.committed():
        comment = diary.comment_create(entry_id=walk.pk, author=friend, body="Lovely day")
    assert "Lovely day" in entry_page(client, walk, from_kept=True)
    with warm.committed():
        moderation.content_hide(target=comment, by=moderator, reason="Spam")
    assert "Lovely day" not in entry_page(client, walk)
    with warm.committed():
        diary.entry_update(entry=walk, title="Long walk", body="By the sea.",
                           visibility=Level.FRIENDS)
    body = entry_page(client, walk)
    assert "<title>Long walk" in body and "By the sea." in body
    with warm.committed():
        accounts_services.profile_update(user=friend, fields={"real_name": "Renamed Friend"})
    assert "Renamed Friend" in entry_page(client, walk)
    # The author's next entry: linked from this one.
    with warm.committed():
        diary.entry_create(author=friend, title="Swim", body="…", visibility=Level.FRIENDS)
    assert "Swim →" in entry_page(client, walk)


@pytest.mark.parametrize("how", ["private", "hidden", "deleted", *GOING])
def test_an_entry_taken_away_is_gone_on_the_next_look(
    parts, how, owner, friend, moderator, as_user
):
    with warm.committed():
        walk = diary.entry_create(author=friend, title="Walk", body="…",
                                  visibility=Level.FRIENDS)
    client = as_user(owner)
    entry_page(client, walk, from_kept=True)
    if how in GOING:
        goes(how, owner, friend, moderator)
    with warm.committed():
        if how == "private":
            diary.entry_update(entry=walk, title="Walk", body="…", visibility=Level.PRIVATE)
        elif how == "hidden":
            moderation.content_hide(target=walk, by=moderator, reason="Spam")
        elif how == "deleted":
            diary.entry_delete(entry=walk)
    entry_page(client, walk, status=404)


def test_a_kept_entry_page_gives_each_response_its_own_form_token(
    parts, owner, friend, as_user
):
    """The delete buttons inside the kept HTML: the token is filled in on each response, and
    works (the client checks CSRF as a browser's requests are checked)."""
    with warm.committed():
        mine = diary.entry_create(author=owner, title="Mine", body="…", visibility=Level.FRIENDS)
        comment = diary.comment_create(entry_id=mine.pk, author=friend, body="Hello")
    client = as_user(owner)
    client.handler.enforce_csrf_checks = True
    # The header's forms, the delete button and the comment form.
    token = token_per_response(lambda: entry_page(client, mine), forms=3)
    assert "csrfTokenOfTheResponse" not in entry_page(client, mine)
    with warm.committed():
        response = client.post(reverse("diary:comment_delete", args=[comment.pk]),
                               {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "Hello" not in entry_page(client, mine)


def test_a_refused_comment_is_given_back_under_a_kept_page(parts, owner, friend, as_user):
    with warm.committed():
        walk = diary.entry_create(author=friend, title="Walk", body="…",
                                  visibility=Level.FRIENDS)
    client = as_user(owner)
    entry_page(client, walk, from_kept=True)
    response = client.post(reverse("diary:comment_create", args=[walk.pk]),
                           {"body": "x" * (COMMENT_MAX_LENGTH + 1)})
    assert response.status_code == 302
    body = client.get(reverse("diary:entry", args=[walk.pk])).content.decode()
    assert "x" * 50 in body and "at most" in body


# --- a topic's page, kept per viewer (communities.views.topics) -----------------------------------


def topic_page(client, topic, **look) -> str:
    return second_look(client, topic.get_absolute_url(), **look)


def test_a_refused_topic_comment_is_given_back_and_then_the_kept_form(parts, owner, friend,
                                                                      as_user):
    """The comment form is kept once per topic, for everyone: a refused draft is shown
    instead of it, once, with the reason; the look after is the kept, empty form."""
    club = factories.community(friend, name="Tea club", members=[owner])
    topic = factories.topic(club, friend, title="Matcha")
    client = as_user(owner)
    topic_page(client, topic, from_kept=True)
    response = client.post(topic.get_absolute_url() + "comments/", {"body": "x" * 20000})
    assert response.status_code == 302
    body = client.get(topic.get_absolute_url()).content.decode()
    assert "x" * 50 in body and 'role="alert"' in body
    body = topic_page(client, topic, from_kept=True)
    assert "x" * 50 not in body and 'id="comment-form"' in body
    # Another member's form is the same kept one, with their own token.
    assert 'id="comment-form"' in topic_page(as_user(friend), topic, from_kept=True)


def test_a_topics_page_is_kept_and_follows_what_happens_there(
    parts, owner, friend, member, moderator, as_user
):
    club = factories.community(friend, name="Tea club", members=[owner, member])
    topic = factories.topic(club, friend, title="Matcha")
    client = as_user(owner)
    body = topic_page(client, topic, from_kept=True)
    assert "<title>Matcha" in body and "No comments yet." in body and 'id="comment-form"' in body
    with warm.committed():
        comment = factories.topic_comment(topic, member, body="Sounds good")
    assert "Sounds good" in topic_page(client, topic, from_kept=True)
    with warm.committed():
        moderation.content_hide(target=comment, by=moderator, reason="Spam")
    assert "Sounds good" not in topic_page(client, topic)
    with warm.committed():
        communities_services.topic_update(topic=topic, by=friend, title="Sencha", body="…")
    assert "<title>Sencha" in topic_page(client, topic)
    with warm.committed():
        communities_services.topic_pin(topic=topic, by=friend, pinned=True)
    assert "Pinned" in topic_page(client, topic)
    assert "Pin to the top" not in topic_page(client, topic)
    with warm.committed():
        communities_services.subadmin_set(community=club, by=friend, user=owner, on=True)
    assert "Unpin" in topic_page(client, topic)
    with warm.committed():
        accounts_services.profile_update(user=friend, fields={"real_name": "Renamed Friend"})
    assert "Renamed Friend" in topic_page(client, topic)
    with warm.committed():
        communities_services.community_close(community=club, by=friend)
    assert 'id="comment-form"' not in topic_page(client, topic)


@pytest.mark.parametrize("how", ["left", "hidden", "deleted", "blocked", "suspended"])
def test_a_topic_taken_away_is_gone_on_the_next_look(
    parts, how, owner, friend, member, moderator, as_user
):
    club = factories.community(friend, name="Secret club", policy=JoinPolicy.SECRET)
    with warm.committed():
        communities_services.community_invite(community=club, inviter=friend, invitee=owner)
        communities_services.membership_join(community=club, user=owner)
    topic = factories.topic(club, friend, title="Plans")
    path = topic.get_absolute_url()
    client = as_user(owner)
    second_look(client, path, from_kept=True)
    if how in GOING:
        goes(how, owner, friend, moderator)
    with warm.committed():
        if how == "left":
            communities_services.membership_leave(community=club, user=owner)
        elif how == "hidden":
            moderation.content_hide(target=topic, by=moderator, reason="Spam")
        elif how == "deleted":
            communities_services.topic_delete(topic=topic, by=friend)
    second_look(client, path, status=404)
