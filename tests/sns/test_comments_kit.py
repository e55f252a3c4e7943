"""The one comment kit (sns.comments, issue 17): every kind of comment is a CommentBase, and
every comment's text is cleaned by comment_body_clean (diary entries, topics, off-kai)."""

from __future__ import annotations

import pytest

from communities.models import TopicComment
from diary.models import Comment
from offkai.models import EventComment
from sns.comments import COMMENT_MAX_LENGTH, CommentBase, comment_body_clean
from sns.errors import Refused

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
