"""The one comment kit (sns.comments, issue 17): every kind of comment is a CommentBase, every
comment's text is cleaned by comment_body_clean, every thread tells its participants, posts,
refuses and deletes one way (diary entries, topics, off-kai)."""

from __future__ import annotations

import pytest

from communities.models import TopicComment
from diary.models import Comment
from offkai.models import EventComment
from sns.comments import (
    COMMENT_MAX_LENGTH,
    CommentBase,
    comment_body_clean,
    comment_participants,
)
from sns.errors import Refused
from tests import factories

KINDS = [Comment, TopicComment, EventComment]


@pytest.mark.parametrize("model", KINDS)
def test_every_comment_is_a_comment_base(model):
    assert issubclass(model, CommentBase)
    assert model._meta.ordering == ["created_at", "pk"]
    author = model._meta.get_field("author")
    assert author.null and author.remote_field.on_delete.__name__ == "SET_NULL"
    assert model._meta.get_field("body").max_length == COMMENT_MAX_LENGTH
    assert model._meta.get_field("hidden_at").null


def test_the_text_is_cleaned_one_way():
    assert comment_body_clean("  hello\x00 there \x07 ") == "hello there"
    with pytest.raises(Refused) as empty:
        comment_body_clean(" \x00 ")
    assert empty.value.code == "empty"
    with pytest.raises(Refused) as long:
        comment_body_clean("x" * (COMMENT_MAX_LENGTH + 1))
    assert long.value.code == "too_long"
    assert comment_body_clean("x" * COMMENT_MAX_LENGTH) == "x" * COMMENT_MAX_LENGTH


# --- one way to post, refuse and delete, on every thread (comment_post, comment_remove) -------

def _thread(kind: str, owner, commenter):
    """A thread of ``kind`` by ``owner`` that ``commenter`` may comment on: its page's URL, its
    "post a comment" URL, and a function from a comment's pk to its delete URL."""
    from django.urls import reverse
    from django.utils import timezone

    from communities import services as communities
    from communities.models import Category, JoinPolicy, TopicPolicy
    from diary import services as diary
    from offkai.models import Event, EventHost

    if kind == "diary":
        entry = diary.entry_create(author=owner, title="Kit", body="Hello.", visibility="members")
        return (entry.get_absolute_url(), reverse("diary:comment_create", args=[entry.pk]),
                lambda pk: reverse("diary:comment_delete", args=[pk]))
    if kind == "topic":
        club = communities.community_create(
            creator=owner, name="Kit club", description="We talk.",
            category=Category.objects.create(name_ja="本", name_en="Books"),
            join_policy=JoinPolicy.OPEN, topic_policy=TopicPolicy.MEMBERS,
        )
        communities.membership_join(community=club, user=commenter)
        topic = communities.topic_create(community=club, author=owner, title="Kit", body="Hi.")
        return (topic.get_absolute_url(),
                reverse("communities:topic_comment", args=[club.pk, topic.pk]),
                lambda pk: reverse("communities:topic_comment_delete",
                                   args=[club.pk, topic.pk, pk]))
    starts = timezone.now() + timezone.timedelta(days=7)
    event = Event.objects.create(created_by=owner, title="Kit off-kai", visibility="members",
                                 starts_at=starts, ends_at=starts + timezone.timedelta(hours=2))
    EventHost.objects.create(event=event, user=owner)
    return (event.get_absolute_url(), reverse("offkai:comment", args=[event.pk]),
            lambda pk: reverse("offkai:comment_delete", args=[event.pk, pk]))


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.mark.parametrize("kind", ["diary", "topic", "offkai"])
def test_every_thread_posts_refuses_and_deletes_one_way(kind, owner, member, as_user):
    page_url, post_url, delete_url = _thread(kind, owner, member)
    client = as_user(member)

    refused = client.post(post_url, {"body": "x" * (COMMENT_MAX_LENGTH + 1)})
    assert refused.status_code == 302 and refused.url == f"{page_url}#comment-form"
    assert _messages(refused) == [
        f"Your comment was not posted: A comment can be at most {COMMENT_MAX_LENGTH} "
        f"characters long (it has {COMMENT_MAX_LENGTH + 1})."
    ]
    # The text waits in the form, once, with the reason on the field.
    page = client.get(page_url).content.decode()
    assert 'id="comments-title"' in page and 'id="comment-form"' in page
    assert "x" * (COMMENT_MAX_LENGTH + 1) in page and 'aria-invalid="true"' in page
    assert 'aria-invalid="true"' not in client.get(page_url).content.decode()

    posted = client.post(post_url, {"body": "Looking forward to it."})
    pk = int(posted.url.rpartition("#comment-")[2])
    assert posted.url == f"{page_url}#comment-{pk}"
    assert _messages(posted) == ["Your comment was posted."]
    page = client.get(page_url).content.decode()
    assert f'action="{delete_url(pk)}"' in page  # its own comment: a delete button

    # Not theirs: the same 404 as no comment; then its author deletes it.
    assert as_user(factories.member()).post(delete_url(pk)).status_code == 404
    assert client.post(delete_url(pk + 1000)).status_code == 404
    deleted = client.post(delete_url(pk))
    assert deleted.url == f"{page_url}#comments"
    assert _messages(deleted) == ["The comment was deleted."]
    assert client.post(delete_url(pk)).status_code == 404


def test_the_participants_are_the_earlier_commenters_and_those_named(db):
    from accounts.services import block_create

    owner, early, later, blocker, gone, host = (factories.member() for _ in range(6))
    for author in (early, blocker, gone, owner):
        Comment.objects.create(entry=_entry(owner), author=author, body="hi")
    entry = _entry(owner)
    comments = [Comment.objects.create(entry=entry, author=a, body="hi")
                for a in (early, blocker, gone, later)]
    block_create(blocker=blocker, blocked=later)
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    earlier = Comment.objects.filter(entry=entry, pk__lt=comments[-1].pk)
    participants = comment_participants(earlier, commenter=later, also=[host.pk])
    # The earlier commenters and the one named, not the commenter, the one in a block with
    # them, nor one who left; comments on another entry count for nothing.
    assert set(participants) == {early, host}
    assert set(comment_participants(earlier, commenter=early)) == {blocker}


def _entry(author):
    from diary import services as diary

    return diary.entry_create(author=author, title="Kit", body="Hello.", visibility="members")
