"""Reports (通報) from the member's side: the report page for every kind of thing, who may
report what, reporting twice, the day's limit, concurrent reports, and the report links."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import escape

from offkai.models import EventComment
from sns import moderation
from sns.models import Report
from sns.visibility import Level
from tests import factories, pages
from tests.html import assert_well_formed
from tests.invites.test_race import failures, run_at_once, successes

REPORT_LINK = "/report/?type={kind}&amp;id={pk}"


@pytest.fixture
def things(owner, member):
    """One thing of each kind by ``owner`` that ``member`` (no tie to owner) may see."""
    entry = factories.entry(owner, Level.MEMBERS, title="Owner's public thoughts",
                            body="Buy cheap **watches** here.")
    club = factories.community(owner, members=[member])
    topic = factories.topic(club, owner, title="Owner's topic", body="Topic text")
    event = factories.event(owner, title="Owner's meetup", description="Meetup text")
    return {
        "event": event,
        "event_comment": EventComment.objects.create(event=event, author=owner,
                                                     body="Owner's meetup note"),
        "entry": entry,
        "comment": factories.entry_comment(entry, owner, "Owner's own comment"),
        "topic": topic,
        "topic_comment": factories.topic_comment(topic, owner, "Owner's topic reply"),
        "member": owner,
    }


KINDS = ["entry", "comment", "topic", "topic_comment", "event", "event_comment", "member"]
# What the report page shows of each (the excerpt or the name).
SHOWN = {
    "entry": "Buy cheap **watches** here.",
    "comment": "Owner&#x27;s own comment",
    "topic": "Topic text",
    "topic_comment": "Owner&#x27;s topic reply",
    "event": "Meetup text",
    "event_comment": "Owner&#x27;s meetup note",
    "member": "Owner Person",
}
# Where the report sends the member back to.
BACK = {
    "entry": lambda t: t.get_absolute_url(),
    "comment": lambda t: f"{t.entry.get_absolute_url()}#comment-{t.pk}",
    "topic": lambda t: t.get_absolute_url(),
    "topic_comment": lambda t: f"{t.topic.get_absolute_url()}#comment-{t.pk}",
    "event": lambda t: t.get_absolute_url(),
    "event_comment": lambda t: f"{t.event.get_absolute_url()}#comment-{t.pk}",
    "member": lambda t: t.get_absolute_url(),
}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the page --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_the_page_shows_what_is_reported_and_the_reasons(
    as_user, member, things, kind, django_assert_max_num_queries
):
    client = as_user(member)
    with django_assert_max_num_queries(10):
        response = client.get(pages.report_url(kind, things[kind].pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert SHOWN[kind] in body
    for _value, label in Report.Reason.choices:
        assert escape(str(label)) in body
    assert f'href="{BACK[kind](things[kind])}"' in body  # Cancel goes back


@pytest.mark.parametrize("kind", KINDS)
def test_posting_sends_the_report_and_goes_back(as_user, member, owner, things, kind):
    client = as_user(member)
    response = client.post(
        pages.report_url(kind, things[kind].pk), {"reason": "spam", "details": "Looks like spam."}
    )
    assert response.status_code == 302
    assert response.url == BACK[kind](things[kind])
    assert messages_of(response) == ["Thank you, the moderators will look at it."]
    report = Report.objects.get()
    assert report.reporter == member
    assert report.reported == owner
    assert report.target == things[kind]
    assert report.reason == "spam"
    assert report.details == "Looks like spam."
    assert report.is_open


def test_reporting_again_while_open_changes_nothing(as_user, member, things):
    client = as_user(member)
    url = pages.report_url("entry", things["entry"].pk)
    client.post(url, {"reason": "spam"})
    response = client.post(url, {"reason": "harassment"})
    assert response.status_code == 302
    # (The first report's thanks is still waiting to be shown: no page was rendered.)
    assert messages_of(response)[-1] == (
        "You have already reported this. The moderators will look at it."
    )
    assert Report.objects.count() == 1
    assert Report.objects.get().reason == "spam"


def test_once_decided_the_same_thing_can_be_reported_again(member, moderator, things):
    first = factories.report(member, things["entry"])
    moderation.report_decide(report=first, by=moderator, decision=Report.Decision.NO_ACTION)
    second = factories.report(member, things["entry"])
    assert second.pk != first.pk and not second.already_open
    assert Report.objects.count() == 2


def test_others_report_the_same_thing_each_on_their_own(member, friend, things):
    factories.report(member, things["entry"])
    factories.report(friend, things["entry"])
    assert Report.objects.count() == 2


def test_a_reason_is_required(as_user, member, things):
    response = as_user(member).post(pages.report_url("entry", things["entry"].pk), {"reason": ""})
    assert response.status_code == 200
    assert_well_formed(response.content.decode())
    assert "This field is required." in response.content.decode()
    assert not Report.objects.exists()


def test_the_days_limit(as_user, member, owner, settings):
    settings.REPORTS_PER_DAY = 2
    entries = [factories.entry(owner) for _ in range(3)]
    client = as_user(member)
    for entry in entries[:2]:
        assert client.post(
            pages.report_url("entry", entry.pk), {"reason": "spam"}
        ).status_code == 302
    response = client.post(pages.report_url("entry", entries[2].pk), {"reason": "spam"})
    assert response.status_code == 200
    assert "You can send at most 2 reports a day. Please try again tomorrow." in (
        response.content.decode()
    )
    assert Report.objects.count() == 2


# --- what may not be reported: 404 ------------------------------------------------------------

def test_unknown_kinds_and_ids_are_404(as_user, member, things):
    client = as_user(member)
    for url in ["/report/", "/report/?type=entry", "/report/?type=bogus&id=1",
                f"/report/?type=entry&id={things['entry'].pk + 1000}", "/report/?type=entry&id=x"]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("level", [Level.FRIENDS, Level.PRIVATE])
def test_what_the_member_may_not_see_is_404(as_user, member, owner, level):
    entry = factories.entry(owner, level)
    comment = factories.entry_comment(entry, owner)
    client = as_user(member)
    for kind, thing in [("entry", entry), ("comment", comment)]:
        assert client.get(pages.report_url(kind, thing.pk)).status_code == 404
        assert client.post(pages.report_url(kind, thing.pk), {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()


def test_topics_of_a_secret_community_are_404_to_outsiders(as_user, owner, member):
    club = factories.community(owner, policy="secret")
    topic = factories.topic(club, owner)
    reply = factories.topic_comment(topic, owner)
    client = as_user(member)
    assert client.get(pages.report_url("topic", topic.pk)).status_code == 404
    assert client.get(pages.report_url("topic_comment", reply.pk)).status_code == 404


def test_across_a_block_everything_is_404(as_user, owner, blocked, things):
    client = as_user(blocked)
    for kind in KINDS:
        assert client.get(pages.report_url(kind, things[kind].pk)).status_code == 404, kind


def test_ones_own_things_are_404(as_user, owner, things):
    client = as_user(owner)
    for kind in KINDS:
        assert client.get(pages.report_url(kind, things[kind].pk)).status_code == 404, kind


HIDEABLE = ["entry", "comment", "topic", "topic_comment", "event", "event_comment"]


def test_hidden_content_is_404(as_user, member, moderator, things):
    for kind in HIDEABLE:
        moderation.content_hide(target=things[kind], by=moderator)
    client = as_user(member)
    for kind in HIDEABLE:
        assert client.get(pages.report_url(kind, things[kind].pk)).status_code == 404, kind


def test_a_suspended_member_and_what_they_wrote_are_404(as_user, member, moderator, things):
    moderation.member_suspend(member=things["member"], by=moderator)
    client = as_user(member)
    for kind in KINDS:
        assert client.get(pages.report_url(kind, things[kind].pk)).status_code == 404, kind


def test_visitors_are_sent_to_log_in(client, things):
    response = client.get(pages.report_url("entry", things["entry"].pk))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# --- the service -----------------------------------------------------------------------------

def test_the_service_refuses_what_the_reporter_may_not_see(member, owner):
    private = factories.entry(owner, Level.PRIVATE)
    with pytest.raises(ObjectDoesNotExist):
        factories.report(member, private)


def test_the_service_refuses_ones_own(owner, things):
    with pytest.raises(moderation.ModerationError, match="cannot report yourself"):
        factories.report(owner, things["entry"])


def test_the_service_refuses_an_unknown_reason_and_things_not_reportable(member, things):
    with pytest.raises(moderation.ModerationError):
        factories.report(member, things["entry"], reason="bogus")
    with pytest.raises(moderation.ModerationError, match="cannot be reported"):
        factories.report(member, member.profile)


@pytest.mark.django_db(transaction=True)
def test_the_same_report_sent_at_once_makes_one(owner):
    entry = factories.entry(owner)
    reporter = factories.member("Eager Reporter")

    results = run_at_once(10, lambda i: factories.report(reporter, entry).pk)

    assert not failures(results), failures(results)
    [report] = Report.objects.all()
    assert set(successes(results)) == {report.pk}


@pytest.mark.django_db(transaction=True)
def test_reports_at_once_never_pass_the_days_limit(owner, settings):
    settings.REPORTS_PER_DAY = 3
    entries = [factories.entry(owner) for _ in range(8)]
    reporter = factories.member("Busy Reporter")

    results = run_at_once(8, lambda i: factories.report(reporter, entries[i]))

    assert len(successes(results)) == 3
    assert all(isinstance(e, moderation.RateLimited) for e in failures(results))
    assert Report.objects.filter(reporter=reporter).count() == 3


# --- the links ---------------------------------------------------------------------------------

def test_report_links_on_an_entry_and_its_comments(as_user, owner, member, friend):
    entry = factories.entry(owner, Level.MEMBERS)
    by_friend = factories.entry_comment(entry, friend, "Friend's comment")
    by_member = factories.entry_comment(entry, member, "Member's comment")
    body = as_user(member).get(entry.get_absolute_url()).content.decode()
    assert REPORT_LINK.format(kind="entry", pk=entry.pk) in body
    assert REPORT_LINK.format(kind="comment", pk=by_friend.pk) in body
    # Not on one's own comment.
    assert REPORT_LINK.format(kind="comment", pk=by_member.pk) not in body
    own = as_user(owner).get(entry.get_absolute_url()).content.decode()
    assert REPORT_LINK.format(kind="entry", pk=entry.pk) not in own
    assert REPORT_LINK.format(kind="comment", pk=by_member.pk) in own


def test_report_links_on_a_topic_and_its_comments(as_user, owner, member):
    club = factories.community(owner, members=[member])
    topic = factories.topic(club, owner)
    by_owner = factories.topic_comment(topic, owner)
    by_member = factories.topic_comment(topic, member)
    body = as_user(member).get(topic.get_absolute_url()).content.decode()
    assert_well_formed(body)
    assert REPORT_LINK.format(kind="topic", pk=topic.pk) in body
    assert REPORT_LINK.format(kind="topic_comment", pk=by_owner.pk) in body
    assert REPORT_LINK.format(kind="topic_comment", pk=by_member.pk) not in body
    own = as_user(owner).get(topic.get_absolute_url()).content.decode()
    assert REPORT_LINK.format(kind="topic", pk=topic.pk) not in own


def test_report_links_on_an_off_kai_and_its_comments(as_user, owner, member):
    event = factories.event(owner)
    by_owner = EventComment.objects.create(event=event, author=owner, body="Come along")
    by_member = EventComment.objects.create(event=event, author=member, body="Me too")
    body = as_user(member).get(event.get_absolute_url()).content.decode()
    assert_well_formed(body)
    assert REPORT_LINK.format(kind="event", pk=event.pk) in body
    assert REPORT_LINK.format(kind="event_comment", pk=by_owner.pk) in body
    assert REPORT_LINK.format(kind="event_comment", pk=by_member.pk) not in body
    own = as_user(owner).get(event.get_absolute_url()).content.decode()
    assert REPORT_LINK.format(kind="event", pk=event.pk) not in own


def test_a_hidden_off_kai_and_comment_are_gone_for_everyone(as_user, owner, member,
                                                           moderator):
    event = factories.event(owner)
    comment = EventComment.objects.create(event=event, author=owner, body="Secret plan")
    moderation.content_hide(target=comment, by=moderator)
    assert "Secret plan" not in as_user(member).get(event.get_absolute_url()).content.decode()
    moderation.content_hide(target=event, by=moderator)
    for viewer in (member, owner):
        assert as_user(viewer).get(event.get_absolute_url()).status_code == 404
    moderation.content_unhide(target=event, by=moderator)
    assert as_user(member).get(event.get_absolute_url()).status_code == 200


def test_report_link_on_profiles_but_ones_own(as_user, owner, member):
    body = as_user(member).get(owner.get_absolute_url()).content.decode()
    assert_well_formed(body)
    assert REPORT_LINK.format(kind="member", pk=owner.pk) in body
    own = as_user(owner).get(owner.get_absolute_url()).content.decode()
    assert "/report/" not in own


def test_the_page_in_japanese(as_user, member, things, settings):
    settings.LANGUAGE_CODE = "ja"
    body = as_user(member).get(pages.report_url("entry", things["entry"].pk)).content.decode()
    assert "通報" in body
    assert "スパム" in body
