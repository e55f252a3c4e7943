"""Comments on diary entries: who may comment and delete, what is notified, how the entry page
shows them (safely, in both languages, in a bounded number of queries)."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from diary import selectors, services
from diary.models import Comment, Entry
from sns.models import Notification
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
_seq = itertools.count(1)


def entry(author, visibility=Level.FRIENDS, **fields) -> Entry:
    fields.setdefault("title", f"Entry {next(_seq)}")
    fields.setdefault("body", "Today I went to the sea.")
    return Entry.objects.create(author=author, visibility=visibility, **fields)


def comment_url(e: Entry) -> str:
    return f"/diary/{e.pk}/comments/"


def delete_url(c: Comment) -> str:
    return f"/diary/comments/{c.pk}/delete/"


def kinds(user) -> list[tuple[str, int]]:
    return sorted(
        Notification.objects.filter(recipient=user).values_list("kind", "actor_id")
    )


# --- who may comment -------------------------------------------------------------------------

def test_a_friend_comments_on_a_friends_entry(owner, friend, as_user):
    e = entry(owner)
    response = as_user(friend).post(comment_url(e), {"body": "  Nice **sea**!  "})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/diary/{e.pk}/#comment-{comment.pk}"
    assert (comment.entry, comment.author, comment.body) == (e, friend, "Nice **sea**!")


@pytest.mark.parametrize(("visibility", "persona", "allowed"), [
    (Level.MEMBERS, "member", True),
    (Level.FRIENDS_OF_FRIENDS, "fof", True),
    (Level.FRIENDS_OF_FRIENDS, "member", False),
    (Level.FRIENDS, "fof", False),
    (Level.FRIENDS, "friend", True),
    (Level.PRIVATE, "friend", False),
    (Level.PRIVATE, "owner", True),
    (Level.MEMBERS, "blocked", False),
])
def test_only_who_may_see_the_entry_may_comment(
    request, owner, friend, fof, member, blocked, as_user, visibility, persona, allowed
):
    e = entry(owner, visibility)
    user = request.getfixturevalue(persona)
    response = as_user(user).post(comment_url(e), {"body": "hello"})
    assert response.status_code == (302 if allowed else 404)
    assert Comment.objects.exists() is allowed


def test_the_service_refuses_an_entry_out_of_sight(owner, member):
    e = entry(owner, Level.FRIENDS)
    with pytest.raises(Entry.DoesNotExist):
        services.comment_create(entry_id=e.pk, author=member, body="hi")
    with pytest.raises(Entry.DoesNotExist):
        services.comment_create(entry_id=e.pk + 1000, author=owner, body="hi")


def test_a_missing_entry_and_a_hidden_one_answer_the_same(owner, member, as_user):
    e = entry(owner, Level.PRIVATE)
    hidden = as_user(member).post(comment_url(e), {"body": "hi"})
    missing = as_user(member).post(f"/diary/{e.pk + 1000}/comments/", {"body": "hi"})
    assert hidden.status_code == missing.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(owner):
    from django.test import Client

    e = entry(owner, Level.MEMBERS)
    response = Client().post(comment_url(e), {"body": "hi"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * 5001])
def test_empty_or_too_long_comments_are_refused(owner, friend, body):
    e = entry(owner)
    with pytest.raises(ValidationError):
        services.comment_create(entry_id=e.pk, author=friend, body=body)
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()


def test_a_comment_of_exactly_the_limit_is_taken(owner, friend):
    e = entry(owner)
    services.comment_create(entry_id=e.pk, author=friend, body="あ" * 5000)
    assert len(Comment.objects.get().body) == 5000


def test_a_refused_comment_keeps_its_text_once(owner, friend, as_user):
    e = entry(owner)
    client = as_user(friend)
    long_text = "Too long <b>text</b> " + "x" * 5000
    response = client.post(comment_url(e), {"body": long_text})
    assert response.status_code == 302
    assert response["Location"] == f"/diary/{e.pk}/#comment-form"
    page = client.get(response["Location"]).content.decode()
    assert_well_formed(page)
    assert "Your comment was not posted" in page
    assert "at most 5000 characters" in page
    assert 'aria-invalid="true"' in page
    assert "Too long &lt;b&gt;text&lt;/b&gt; xxx" in page
    again = client.get(f"/diary/{e.pk}/").content.decode()
    assert "Too long" not in again
    assert 'aria-invalid="true"' not in again


def test_a_draft_is_only_put_back_on_its_own_entry(owner, friend, as_user):
    first, second = entry(owner), entry(owner)
    client = as_user(friend)
    client.post(comment_url(first), {"body": " "})
    client.session  # noqa: B018 - the draft waits in the session
    assert "aria-invalid" not in client.get(f"/diary/{second.pk}/").content.decode()
    assert "aria-invalid" in client.get(f"/diary/{first.pk}/").content.decode()


@pytest.mark.parametrize("path", ["/diary/1/comments/", "/diary/comments/1/delete/"])
def test_comment_urls_take_post_only(owner, as_user, path):
    entry(owner)
    assert as_user(owner).get(path).status_code == 405


# --- deleting --------------------------------------------------------------------------------

def test_the_commenter_deletes_their_own(owner, friend, as_user):
    e = entry(owner)
    c = services.comment_create(entry_id=e.pk, author=friend, body="oops")
    response = as_user(friend).post(delete_url(c))
    assert response.status_code == 302
    assert response["Location"] == f"/diary/{e.pk}/#comments"
    assert not Comment.objects.exists()


def test_the_entry_author_deletes_any_comment_on_their_entry(owner, friend, as_user):
    e = entry(owner)
    c = services.comment_create(entry_id=e.pk, author=friend, body="rude")
    assert as_user(owner).post(delete_url(c)).status_code == 302
    assert not Comment.objects.exists()


def test_no_one_else_deletes_a_comment(owner, friend, member, as_user):
    e = entry(owner, Level.MEMBERS)
    c = services.comment_create(entry_id=e.pk, author=friend, body="mine")
    other = services.comment_create(entry_id=e.pk, author=member, body="theirs")
    assert as_user(member).post(delete_url(c)).status_code == 404
    assert as_user(friend).post(delete_url(other)).status_code == 404
    assert as_user(friend).post("/diary/comments/999999/delete/").status_code == 404
    with pytest.raises(Comment.DoesNotExist):
        services.comment_delete(comment_id=c.pk, user=member)
    assert Comment.objects.count() == 2


def test_a_commenter_who_lost_sight_of_the_entry_cannot_delete_through_it(owner, friend, as_user):
    e = entry(owner)
    c = services.comment_create(entry_id=e.pk, author=friend, body="hi")
    Entry.objects.filter(pk=e.pk).update(visibility=Level.PRIVATE)
    assert as_user(friend).post(delete_url(c)).status_code == 404


def test_deleting_a_comment_takes_its_notifications(owner, friend):
    e = entry(owner)
    c = services.comment_create(entry_id=e.pk, author=friend, body="hi")
    assert Notification.objects.filter(recipient=owner).exists()
    services.comment_delete(comment_id=c.pk, user=friend)
    assert not Notification.objects.exists()


def test_a_deleted_entry_takes_its_comments(owner, friend):
    e = entry(owner)
    services.comment_create(entry_id=e.pk, author=friend, body="one")
    services.comment_create(entry_id=e.pk, author=owner, body="two")
    kept = services.comment_create(entry_id=entry(owner).pk, author=friend, body="elsewhere")
    services.entry_delete(entry=e)
    assert list(Comment.objects.all()) == [kept]


def test_a_deleted_entry_takes_the_notifications_of_its_comments(owner, friend, fof):
    # Left behind, they were counted in the header's unread number and led to a missing page.
    e = entry(owner)
    services.comment_create(entry_id=e.pk, author=friend, body="one")
    services.comment_create(entry_id=e.pk, author=owner, body="two")
    kept = services.comment_create(entry_id=entry(owner).pk, author=friend, body="elsewhere")
    assert Notification.objects.count() == 3  # owner of "one" and "elsewhere", friend of "two"

    services.entry_delete(entry=e)

    [left] = Notification.objects.all()
    assert (left.recipient, left.target_id) == (owner, kept.pk)


# --- notifications -----------------------------------------------------------------------------

def test_the_entry_author_is_notified(owner, friend):
    e = entry(owner)
    c = services.comment_create(entry_id=e.pk, author=friend, body="hi")
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.actor) == (
        owner, Kind.DIARY_COMMENT, friend
    )
    assert notification.target == c


def test_the_author_commenting_on_their_own_entry_is_not_notified(owner):
    e = entry(owner)
    services.comment_create(entry_id=e.pk, author=owner, body="a note to myself")
    assert not Notification.objects.exists()


def test_earlier_commenters_are_notified_once_each(owner, friend, fof, member):
    e = entry(owner, Level.MEMBERS)
    services.comment_create(entry_id=e.pk, author=friend, body="1")
    services.comment_create(entry_id=e.pk, author=friend, body="2")
    services.comment_create(entry_id=e.pk, author=fof, body="3")
    Notification.objects.all().delete()

    services.comment_create(entry_id=e.pk, author=member, body="4")

    assert kinds(owner) == [(Kind.DIARY_COMMENT, member.pk)]
    assert kinds(friend) == [(Kind.DIARY_COMMENT_AFTER, member.pk)]
    assert kinds(fof) == [(Kind.DIARY_COMMENT_AFTER, member.pk)]
    assert kinds(member) == []


def test_the_commenter_is_not_notified_of_their_own_comment(owner, friend, fof):
    e = entry(owner, Level.FRIENDS_OF_FRIENDS)
    services.comment_create(entry_id=e.pk, author=friend, body="1")
    services.comment_create(entry_id=e.pk, author=fof, body="2")
    Notification.objects.all().delete()
    services.comment_create(entry_id=e.pk, author=friend, body="3")
    assert kinds(friend) == []
    assert kinds(fof) == [(Kind.DIARY_COMMENT_AFTER, friend.pk)]
    assert kinds(owner) == [(Kind.DIARY_COMMENT, friend.pk)]


def test_the_entry_author_gets_one_notification_not_two(owner, friend):
    e = entry(owner)
    services.comment_create(entry_id=e.pk, author=owner, body="first, by the author")
    services.comment_create(entry_id=e.pk, author=friend, body="then a friend")
    assert kinds(owner) == [(Kind.DIARY_COMMENT, friend.pk)]


def test_a_reply_by_the_author_notifies_the_earlier_commenters(owner, friend):
    e = entry(owner)
    services.comment_create(entry_id=e.pk, author=friend, body="hi")
    services.comment_create(entry_id=e.pk, author=owner, body="thanks")
    assert kinds(friend) == [(Kind.DIARY_COMMENT_AFTER, owner.pk)]


def test_earlier_commenters_who_lost_sight_of_the_entry_are_not_notified(owner, friend, fof):
    e = entry(owner, Level.FRIENDS_OF_FRIENDS)
    services.comment_create(entry_id=e.pk, author=fof, body="hi")
    Entry.objects.filter(pk=e.pk).update(visibility=Level.FRIENDS)
    services.comment_create(entry_id=e.pk, author=friend, body="friends only now")
    assert kinds(fof) == []


def test_earlier_commenters_who_left_or_stand_in_a_block_with_the_commenter_are_not_notified(
    owner, friend, member
):
    from accounts.services import block_create

    e = entry(owner, Level.MEMBERS)
    gone = factories.member("Gone Person")
    services.comment_create(entry_id=e.pk, author=gone, body="bye")
    services.comment_create(entry_id=e.pk, author=member, body="hi")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    block_create(blocker=member, blocked=friend)
    Notification.objects.all().delete()
    services.comment_create(entry_id=e.pk, author=friend, body="hello")
    assert kinds(gone) == []
    assert kinds(member) == []
    assert kinds(owner) == [(Kind.DIARY_COMMENT, friend.pk)]


# --- the entry page ----------------------------------------------------------------------------

def test_the_entry_page_lists_comments_in_order_with_delete_buttons(owner, friend, fof, as_user):
    e = entry(owner, Level.FRIENDS_OF_FRIENDS)
    first = services.comment_create(entry_id=e.pk, author=friend, body="**first**")
    second = services.comment_create(entry_id=e.pk, author=fof, body="second")
    body = as_user(friend).get(f"/diary/{e.pk}/").content.decode()
    assert_well_formed(body)
    assert body.index("<strong>first</strong>") < body.index("second")
    assert "Friend Person" in body and "Fof Person" in body
    # The friend may delete their own comment, not the other's.
    assert f"/diary/comments/{first.pk}/delete/" in body
    assert f"/diary/comments/{second.pk}/delete/" not in body
    assert f'action="/diary/{e.pk}/comments/"' in body
    owners_view = as_user(owner).get(f"/diary/{e.pk}/").content.decode()
    assert f"/diary/comments/{first.pk}/delete/" in owners_view
    assert f"/diary/comments/{second.pk}/delete/" in owners_view


def test_comments_of_members_in_a_block_with_the_viewer_are_left_out(
    owner, friend, member, as_user
):
    from accounts.services import block_create

    e = entry(owner, Level.MEMBERS)
    services.comment_create(entry_id=e.pk, author=member, body="from the member")
    services.comment_create(entry_id=e.pk, author=friend, body="from the friend")
    block_create(blocker=member, blocked=friend)
    body = as_user(friend).get(f"/diary/{e.pk}/").content.decode()
    assert "from the friend" in body
    assert "from the member" not in body
    assert "from the member" in as_user(owner).get(f"/diary/{e.pk}/").content.decode()


def test_the_page_is_in_japanese_for_a_japanese_member(owner, friend, as_user):
    friend.language = "ja"
    friend.save(update_fields=["language"])
    e = entry(owner)
    services.comment_create(entry_id=e.pk, author=friend, body="いいね！")
    body = as_user(friend).get(f"/diary/{e.pk}/").content.decode()
    assert_well_formed(body)
    assert '<html lang="ja">' in body
    assert "コメント" in body
    assert "いいね！" in body
    assert "Post comment" not in body


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    "<iframe src='https://evil.example'></iframe>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "[x](JaVaScRiPt:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
    "<body onload=alert(1)>",
    '"><script>alert(1)</script>',
    "<form action='https://evil.example'><button>go</button></form>",
]


def test_hostile_comments_are_not_active_in_the_page(owner, friend, as_user):
    e = entry(owner)
    for body in HOSTILE:
        services.comment_create(entry_id=e.pk, author=friend, body=body)
    page = as_user(owner).get(f"/diary/{e.pk}/").content.decode()
    assert_well_formed(page)
    comments = page[page.index('id="comments"'):]
    lowered = comments.lower()
    assert "<script" not in lowered
    assert "<iframe" not in lowered
    assert "<svg" not in lowered
    assert "onerror=" not in lowered
    assert "onload=" not in lowered
    assert 'href="javascript' not in lowered
    assert 'href="data:' not in lowered
    assert "style=" not in lowered
    assert "<form action='https://evil.example'" not in lowered
    assert 'action="https://evil.example' not in lowered


def test_links_in_comments_are_marked_nofollow(owner, friend, as_user):
    e = entry(owner)
    services.comment_create(entry_id=e.pk, author=friend, body="[site](https://example.com)")
    page = as_user(owner).get(f"/diary/{e.pk}/").content.decode()
    assert 'rel="nofollow ugc noopener"' in page


@pytest.mark.parametrize("count", [5, 50])
def test_the_entry_page_takes_a_bounded_number_of_queries(
    owner, friend, as_user, django_assert_max_num_queries, count
):
    e = entry(owner, Level.MEMBERS)
    commenters = [friend] + [factories.member() for _ in range(4)]
    base = timezone.now() - timedelta(hours=1)
    Comment.objects.bulk_create([
        Comment(entry=e, author=commenters[i % 5], body=f"comment {i}",
                created_at=base + timedelta(seconds=i))
        for i in range(count)
    ])
    client = as_user(friend)
    with django_assert_max_num_queries(16):
        response = client.get(f"/diary/{e.pk}/")
    assert response.content.decode().count('class="comment"') == count


def test_entry_comments_is_in_order_with_profiles(owner, friend, django_assert_num_queries):
    e = entry(owner)
    t = timezone.now()
    late = Comment.objects.create(entry=e, author=friend, body="late", created_at=t)
    early = Comment.objects.create(entry=e, author=owner, body="early", created_at=t)
    earliest = Comment.objects.create(
        entry=e, author=friend, body="x", created_at=t - timedelta(minutes=1)
    )
    with django_assert_num_queries(1):
        comments = list(selectors.entry_comments(e))
        names = [c.author.profile.shown_name for c in comments]
    assert comments == [earliest, late, early]
    assert names[0] == "Friend Person"


def test_anonymous_visitors_read_comments_on_public_entries_without_a_form(
    owner, friend, settings
):
    from django.test import Client

    settings.SITE_PUBLIC_PAGES = True
    e = entry(owner, Level.PUBLIC)
    services.comment_create(entry_id=e.pk, author=friend, body="visible to all")
    body = Client().get(f"/diary/{e.pk}/").content.decode()
    assert_well_formed(body)
    assert "visible to all" in body
    assert "Log in to comment." in body
    assert "<textarea" not in body
    assert "/delete/" not in body.split('id="comments"')[1]


def test_an_entry_with_many_comments_shows_the_latest_and_walks_back(owner, friend, as_user):
    e = entry(owner)
    base = timezone.now() - timedelta(days=1)
    for i in range(selectors.ENTRY_COMMENTS_SHOWN + 5):
        Comment.objects.create(
            entry=e, author=friend, body=f"comment number {i:03d}",
            created_at=base + timedelta(seconds=i),
        )
    client = as_user(owner)
    body = client.get(e.get_absolute_url()).content.decode()
    assert_well_formed(body)
    last = selectors.ENTRY_COMMENTS_SHOWN + 4
    assert f"comment number {last:03d}" in body and "comment number 005" in body
    assert "comment number 004" not in body
    assert f">{selectors.ENTRY_COMMENTS_SHOWN + 5}<" in body  # the count is of all comments
    earlier = re.search(r'href="\?comments_before=([^"#]+)#comments"', body).group(1)
    older = client.get(e.get_absolute_url(), {"comments_before": earlier}).content.decode()
    assert "comment number 000" in older and "comment number 004" in older
    assert "comment number 005" not in older
    assert 'href="?comments_before=' not in older  # nothing earlier than the first


@pytest.mark.parametrize("count", [150, 600])
def test_the_entry_page_reads_a_bounded_number_of_comments(
    owner, friend, as_user, count, django_assert_max_num_queries
):
    e = entry(owner)
    Comment.objects.bulk_create(
        Comment(entry=e, author=friend, body=f"c{i}") for i in range(count)
    )
    client = as_user(owner)
    with django_assert_max_num_queries(16):
        body = client.get(e.get_absolute_url()).content.decode()
    assert body.count('class="comment"') == selectors.ENTRY_COMMENTS_SHOWN
