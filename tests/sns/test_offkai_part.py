"""An off-kai's page kept as HTML per viewer (``{% part "offkai" %}``, offkai.views.events;
issue 16), with the parts cache on Redis: the page read twice (the second look from the kept
HTML, no query but the session's) before each change, then the change through the services,
then the page again: what adds to it shows, what takes it away is gone, on the next look; and
what changes with time alone (answers closing, the off-kai over) without any write.

The access matrices, object-reference tests and suspension table read the page warm too
(tests/warm.py); here, what the kept HTML shows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from offkai import services as offkai_services
from offkai.models import Event
from sns import cache, moderation
from sns.comments import COMMENT_MAX_LENGTH
from tests import warm
from tests.sns.home.test_home_kept import GOING, edit, goes, plan
from tests.sns.home.test_home_part import second_look, token_per_response


def page(client, event, **look) -> str:
    return second_look(client, reverse("offkai:detail", args=[event.pk]), **look)


def test_an_off_kais_page_is_kept_and_follows_answers_and_comments(
    parts, generous, owner, friend, member, moderator, as_user
):
    picnic = plan(friend, "Picnic", capacity=10)
    client = as_user(owner)
    body = page(client, picnic, from_kept=True)
    assert "<title>Picnic" in body and "Nobody has said they are coming yet." in body
    with warm.committed():
        offkai_services.rsvp_answer(event_id=picnic.pk, user=owner, answer="attending")
    body = page(client, picnic, from_kept=True)
    assert "You are attending." in body and "9 left" in body
    with warm.committed():
        offkai_services.rsvp_answer(event_id=picnic.pk, user=member, answer="attending")
    body = page(client, picnic)
    assert "Plain Member" in body and "8 left" in body
    with warm.committed():
        comment = offkai_services.event_comment_create(
            event_id=picnic.pk, author=member, body="Shall I bring tea?")
    assert "Shall I bring tea?" in page(client, picnic, from_kept=True)
    with warm.committed():
        moderation.content_hide(target=comment, by=moderator, reason="Spam")
    assert "Shall I bring tea?" not in page(client, picnic)
    with warm.committed():
        moderation.content_unhide(target=comment, by=moderator)
    assert "Shall I bring tea?" in page(client, picnic)
    with warm.committed():
        offkai_services.event_comment_delete(comment_id=comment.pk, by=member)
    assert "Shall I bring tea?" not in page(client, picnic)
    with warm.committed():
        offkai_services.rsvp_withdraw(event_id=picnic.pk, user=member)
    assert "Plain Member" not in page(client, picnic)
    edit(picnic, friend, title="Big picnic", venue="Riverside")
    body = page(client, picnic)
    assert "<title>Big picnic" in body and "Riverside" in body


def test_a_cancelled_off_kai_says_so_and_closes_its_forms(parts, generous, owner, friend,
                                                           as_user):
    picnic = plan(friend, "Picnic")
    client = as_user(owner)
    body = page(client, picnic, from_kept=True)
    assert 'id="comment-form"' in body and "rsvp-form" in body
    with warm.committed():
        offkai_services.event_cancel(event=picnic, by=friend, reason="Rain")
    body = page(client, picnic, from_kept=True)
    assert "This off-kai was cancelled." in body and "Rain" in body
    assert 'id="comment-form"' not in body and "rsvp-form" not in body
    assert "Comments are closed" in body


def test_answers_close_and_it_ends_without_a_write(parts, generous, owner, friend, as_user,
                                                    monkeypatch):
    picnic = plan(friend, "Picnic", days=2)
    client = as_user(owner)
    assert "rsvp-form" in page(client, picnic, from_kept=True)
    picnic.refresh_from_db()
    later = picnic.starts_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    body = page(client, picnic)
    assert "rsvp-form" not in body and "Answers are closed." in body


@pytest.mark.parametrize("how", ["private", "hidden", "deleted", *GOING])
def test_an_off_kai_taken_away_is_gone_on_the_next_look(
    parts, generous, how, owner, friend, moderator, as_user
):
    picnic = plan(friend, "Picnic", visibility="friends")
    client = as_user(owner)
    page(client, picnic, from_kept=True)
    if how in GOING:
        goes(how, owner, friend, moderator)
    elif how == "private":
        edit(picnic, friend, visibility="private")
    elif how == "hidden":
        with warm.committed():
            moderation.content_hide(target=picnic, by=moderator, reason="Spam")
    else:
        with warm.committed():
            Event.objects.filter(pk=picnic.pk).delete()
            cache.bump(cache.event(picnic))
    page(client, picnic, status=404)


@pytest.mark.parametrize("how", GOING)
def test_someone_who_goes_leaves_the_page(parts, generous, how, owner, friend, fof, moderator,
                                          as_user):
    """``fof`` answered and commented on ``owner``'s off-kai, seen by ``friend``: once fof
    is gone from friend's world, neither shows (unfriended: fof stays, a member like any)."""
    picnic = plan(owner, "Picnic")
    with warm.committed():
        offkai_services.rsvp_answer(event_id=picnic.pk, user=fof, answer="attending")
        offkai_services.event_comment_create(event_id=picnic.pk, author=fof, body="See you")
    client = as_user(friend)
    body = page(client, picnic, from_kept=True)
    assert "Fof Person" in body and "See you" in body
    goes(how, friend, fof, moderator)
    body = page(client, picnic)
    if how == "unfriended":
        assert "Fof Person" in body and "See you" in body
    else:
        assert "Fof Person" not in body and "See you" not in body


def test_a_refused_comment_is_given_back_under_a_kept_page(parts, generous, owner, friend,
                                                          as_user):
    picnic = plan(friend, "Picnic")
    client = as_user(owner)
    page(client, picnic, from_kept=True)
    too_long = "x" * (COMMENT_MAX_LENGTH + 1)
    response = client.post(reverse("offkai:comment", args=[picnic.pk]), {"body": too_long})
    assert response.status_code == 302
    body = client.get(reverse("offkai:detail", args=[picnic.pk])).content.decode()
    assert "x" * 50 in body


def test_each_response_has_its_own_form_token_and_it_works(parts, generous, owner, friend,
                                                          as_user):
    picnic = plan(friend, "Picnic")
    client = as_user(owner)
    client.handler.enforce_csrf_checks = True
    token = token_per_response(lambda: page(client, picnic), forms=2)
    with warm.committed():
        response = client.post(reverse("offkai:rsvp", args=[picnic.pk]),
                               {"answer": "maybe", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "You answered maybe." in page(client, picnic)


def test_each_page_of_attendees_is_kept_apart_and_junk_is_the_first(parts, generous, owner,
                                                                   friend, as_user):
    picnic = plan(friend, "Picnic")
    client = as_user(owner)
    path = reverse("offkai:detail", args=[picnic.pk])
    first = _tokenless(second_look(client, path))
    assert _tokenless(second_look(client, path + "?page=junk", from_kept=True)) == first
    assert _tokenless(second_look(client, path + "?page=1", from_kept=True)) == first


def test_a_page_number_too_long_to_be_read_is_the_first_page(parts, generous, owner, friend,
                                                             member, as_user, monkeypatch):
    """A number the page reads as the first page (past five digits) shows the first page,
    and is kept as it: the next look at page 1 is page 1, not the last."""
    monkeypatch.setattr("offkai.selectors.ATTENDEES_PER_PAGE", 1)
    picnic = plan(friend, "Picnic")
    with warm.committed():
        offkai_services.rsvp_answer(event_id=picnic.pk, user=owner, answer="attending")
        offkai_services.rsvp_answer(event_id=picnic.pk, user=member, answer="attending")
    client = as_user(owner)
    path = reverse("offkai:detail", args=[picnic.pk])
    second_look(client, path + "?page=1000000")
    after = _tokenless(second_look(client, path + "?page=1", from_kept=True))
    cache.forget_all()
    assert _tokenless(second_look(client, path + "?page=1")) == after


def _tokenless(body: str) -> str:
    """The kept part of the page, but for its form tokens (one a response)."""
    kept = body[body.index("<article"):body.index('id="comment-form"')]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", kept)
