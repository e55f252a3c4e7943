"""Moderators' decisions on reports, hidden content, and the admin: the report queue, the
audit log, and the member admin's moderation actions and invite subtree."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import User
from communities.models import Topic
from invites.models import Invitation, State
from sns import moderation
from sns.models import ModerationLog, Notification, Report
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed
from tests.invites.test_race import failures, run_at_once, successes

Decision = Report.Decision
Action = ModerationLog.Action
QUEUE = reverse("admin:sns_report_changelist")
LOG = reverse("admin:sns_moderationlog_changelist")
MEMBERS = reverse("admin:accounts_user_changelist")


@pytest.fixture
def entry(owner):
    return factories.entry(owner, Level.MEMBERS, title="Cheap watches", body="Buy **now**.")


@pytest.fixture
def admin_client(as_user, moderator):
    """A moderator: staff, with no permissions beyond that, past the second factor."""
    return as_user(moderator)


def change_url(report: Report) -> str:
    return reverse("admin:sns_report_change", args=[report.pk])


# --- deciding ----------------------------------------------------------------------------------

def test_no_action_closes_every_open_report_on_the_thing(entry, member, friend, moderator):
    first, second = factories.report(member, entry), factories.report(friend, entry)
    other = factories.report(member, factories.entry(entry.author))

    closed = moderation.report_decide(report=first, by=moderator, decision=Decision.NO_ACTION,
                                      note="Not spam")

    assert closed == 2
    for report in (first, second):
        report.refresh_from_db()
        assert report.decision == Decision.NO_ACTION
        assert report.decided_by == moderator and report.decided_at is not None
        assert report.note == "Not spam"
    other.refresh_from_db()
    assert other.is_open
    [log] = ModerationLog.objects.all()
    assert (log.action, log.member, log.report, log.reason) == (
        Action.NO_ACTION, entry.author, first, "Not spam"
    )
    assert log.target == entry


def test_hide_makes_the_entry_a_404_for_everyone(as_user, entry, owner, member, moderator):
    report = factories.report(member, entry)
    moderation.report_decide(report=report, by=moderator, decision=Decision.HIDE, note="Spam")
    entry.refresh_from_db()
    assert entry.hidden_at is not None
    for person in (member, owner):
        assert as_user(person).get(entry.get_absolute_url()).status_code == 404
        body = as_user(person).get(f"/members/{owner.pk}/diary/").content.decode()
        assert "Cheap watches" not in body
    log = ModerationLog.objects.get(action=Action.HIDE)
    assert log.member_label == "Owner Person <owner@example.com>"
    assert log.report == report and log.target == entry


def test_hide_is_refused_for_a_member(owner, member, moderator):
    report = factories.report(member, owner)
    with pytest.raises(moderation.ModerationError, match="Only content can be hidden"):
        moderation.report_decide(report=report, by=moderator, decision=Decision.HIDE)
    report.refresh_from_db()
    assert report.is_open


def test_warn_tells_the_member_and_their_inviter(member, moderator):
    inviter = factories.member("The Inviter")
    invitee = factories.redeem(factories.invitation(inviter, "invitee@example.com"), "Ivy")
    report = factories.report(member, factories.entry(invitee))
    moderation.report_decide(report=report, by=moderator, decision=Decision.WARN,
                             note="Please no advertising")
    warning = Notification.objects.get(recipient=invitee, kind="moderation_warning")
    assert warning.target == report and warning.actor is None
    assert Notification.objects.get(recipient=inviter, kind="invitee_warned").target == invitee
    assert ModerationLog.objects.get(action=Action.WARN).reason == "Please no advertising"


def test_suspend_suspends_the_reported_member(owner, member, moderator, entry):
    report = factories.report(member, entry)
    moderation.report_decide(report=report, by=moderator, decision=Decision.SUSPEND)
    owner.refresh_from_db()
    assert not owner.is_active and owner.suspended_at is not None


def test_a_decided_report_cannot_be_decided_again(entry, member, moderator):
    report = factories.report(member, entry)
    moderation.report_decide(report=report, by=moderator, decision=Decision.NO_ACTION)
    with pytest.raises(moderation.ModerationError, match="already decided"):
        moderation.report_decide(report=report, by=moderator, decision=Decision.HIDE)


def test_only_staff_decide(entry, member, friend):
    report = factories.report(member, entry)
    with pytest.raises(moderation.ModerationError):
        moderation.report_decide(report=report, by=friend, decision=Decision.HIDE)


@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_once_decide_once():
    author = factories.member("Author")
    reporters = [factories.member(f"Reporter {i}") for i in range(6)]
    moderators = [factories.member(f"Mod {i}", staff=True) for i in range(6)]
    entry = factories.entry(author)
    reports = [factories.report(r, entry) for r in reporters]

    results = run_at_once(6, lambda i: moderation.report_decide(
        report=reports[i], by=moderators[i], decision=Decision.HIDE
    ))

    assert successes(results) == [6]
    assert all(isinstance(e, moderation.ModerationError) for e in failures(results))
    assert ModerationLog.objects.filter(action=Action.HIDE).count() == 1
    assert not Report.objects.filter(decided_at__isnull=True).exists()


# --- hiding content directly -------------------------------------------------------------------

def test_hiding_and_showing_a_diary_comment(as_user, entry, member, moderator):
    comment = factories.entry_comment(entry, member, "A rude remark")
    client = as_user(entry.author)
    assert moderation.content_hide(target=comment, by=moderator, reason="Rude")
    body = client.get(entry.get_absolute_url()).content.decode()
    assert "A rude remark" not in body
    assert 'Comments <span class="count">0</span>' in body
    assert not moderation.content_hide(target=comment, by=moderator)
    assert moderation.content_unhide(target=comment, by=moderator)
    body = client.get(entry.get_absolute_url()).content.decode()
    assert "A rude remark" in body
    assert 'Comments <span class="count">1</span>' in body
    assert [e.action for e in ModerationLog.objects.order_by("pk")] == [Action.HIDE, Action.UNHIDE]


def test_hiding_a_topic_and_a_topic_comment(as_user, owner, member, moderator):
    club = factories.community(owner, members=[member])
    topic = factories.topic(club, member, title="Rude topic")
    kept = factories.topic(club, owner, title="Kind topic")
    reply = factories.topic_comment(kept, member, "Rude reply")
    factories.topic_comment(kept, owner, "Kind reply")
    moderation.content_hide(target=topic, by=moderator)
    moderation.content_hide(target=reply, by=moderator)
    client = as_user(owner)
    assert client.get(topic.get_absolute_url()).status_code == 404
    listing = client.get(f"/communities/{club.pk}/topics/").content.decode()
    assert "Rude topic" not in listing and "Kind topic" in listing
    page = client.get(kept.get_absolute_url()).content.decode()
    assert "Rude reply" not in page and "Kind reply" in page
    assert Topic.objects.get(pk=kept.pk).comment_count == 1
    moderation.content_unhide(target=reply, by=moderator)
    assert Topic.objects.get(pk=kept.pk).comment_count == 2


def test_members_cannot_be_hidden(member, moderator):
    with pytest.raises(moderation.ModerationError):
        moderation.content_hide(target=member, by=moderator)


# --- the report queue in admin -------------------------------------------------------------------

def rows(response) -> list[str]:
    body = response.content.decode()
    table = re.search(r'<table id="result_list">.*?</table>', body, re.S)
    return re.findall(r"<tr>.*?</tr>", table.group(0), re.S)[1:] if table else []


def test_the_queue_shows_open_reports_first_with_the_inviter(admin_client, owner, member, friend,
                                                             moderator):
    inviter = factories.member("Inviting Ines", email="ines@example.com")
    invitee = factories.redeem(factories.invitation(inviter, "spammer@example.com"), "Spammer")
    decided = factories.report(member, factories.entry(owner, title="Old report"))
    moderation.report_decide(report=decided, by=moderator, decision=Decision.NO_ACTION)
    factories.report(friend, factories.entry(invitee, title="Fresh spam"))

    response = admin_client.get(QUEUE)
    assert response.status_code == 200
    assert_well_formed(response.content.decode())
    first, second = rows(response)
    assert "Fresh spam" in first and "Old report" in second
    assert "Inviting Ines &lt;ines@example.com&gt;" in first
    assert reverse("admin:accounts_user_change", args=[inviter.pk]) in first
    assert "friend@example.com" in first  # the reporter
    assert "Open" in first and "No action" in second


@pytest.mark.parametrize("query, expected", [
    ({"status": "open"}, {"Fresh spam", "Topic spam"}),
    ({"status": "decided"}, {"Old report"}),
    ({"reason": "harassment"}, {"Topic spam"}),
    ({"decision": "no_action"}, {"Old report"}),
    ({"kind": "topic"}, {"Topic spam"}),
    ({"kind": "entry"}, {"Fresh spam", "Old report"}),
    ({"q": "friend@example.com"}, {"Fresh spam"}),
    ({"q": "owner@example.com"}, {"Old report", "Topic spam"}),
])
def test_the_queue_filters_and_search(admin_client, owner, member, friend, moderator, query,
                                      expected):
    decided = factories.report(member, factories.entry(owner, title="Old report"))
    moderation.report_decide(report=decided, by=moderator, decision=Decision.NO_ACTION)
    factories.report(friend, factories.entry(member, title="Fresh spam"))
    club = factories.community(owner, members=[member])
    factories.report(member, factories.topic(club, owner, title="Topic spam"), reason="harassment")
    response = admin_client.get(QUEUE, query)
    assert response.status_code == 200
    shown = {title for title in ["Old report", "Fresh spam", "Topic spam"]
             if any(title in row for row in rows(response))}
    assert shown == expected


@pytest.mark.parametrize("n", [5, 50])
def test_the_queue_has_bounded_queries(admin_client, owner, n, django_assert_max_num_queries):
    club = factories.community(owner)
    for i in range(n):
        reporter = factories.member()
        kind = i % 5
        if kind == 0:
            target = factories.entry(owner)
        elif kind == 1:
            target = factories.entry_comment(factories.entry(owner), owner)
        elif kind == 2:
            target = Topic.objects.create(community=club, author=owner, title=f"T{i}", body="b")
        elif kind == 3:
            topic = Topic.objects.create(community=club, author=owner, title=f"U{i}", body="b")
            target = factories.topic_comment(topic, owner)
        else:
            target = owner
        factories.report(reporter, target)
    with django_assert_max_num_queries(20):
        response = admin_client.get(QUEUE)
    assert response.status_code == 200
    assert len(rows(response)) == n


def test_a_report_page_shows_the_content_and_decides(admin_client, entry, member, moderator):
    report = factories.report(member, entry, details="He sells watches")
    response = admin_client.get(change_url(report))
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert "Cheap watches" in body
    assert "<strong>now</strong>" in body  # the entry's Markdown, rendered
    assert "He sells watches" in body
    assert entry.get_absolute_url() in body
    assert 'name="decision"' in body

    response = admin_client.post(change_url(report), {"decision": "hide", "note": "Spam"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.decision == Decision.HIDE and report.decided_by == moderator
    entry.refresh_from_db()
    assert entry.hidden_at is not None

    # Decided: the page shows the decision and no form to decide again.
    body = admin_client.get(change_url(report)).content.decode()
    assert 'name="decision"' not in body
    assert "Hidden by a moderator" in body


def test_a_report_page_refuses_to_hide_a_member(admin_client, owner, member):
    report = factories.report(member, owner)
    response = admin_client.post(change_url(report), {"decision": "hide", "note": ""})
    assert response.status_code == 200
    assert "Only content can be hidden" in response.content.decode()
    report.refresh_from_db()
    assert report.is_open


def test_a_report_on_deleted_content_still_opens(admin_client, entry, member):
    report = factories.report(member, entry)
    entry.delete()
    response = admin_client.get(change_url(report))
    assert response.status_code == 200
    assert "(deleted)" in response.content.decode()
    assert admin_client.get(QUEUE).status_code == 200


def test_bulk_no_action_and_hide(admin_client, owner, member, friend):
    one, two = factories.entry(owner), factories.entry(owner)
    reports = [factories.report(member, one), factories.report(friend, one),
               factories.report(member, two)]
    response = admin_client.post(QUEUE, {
        "action": "decide_hide", "_selected_action": [r.pk for r in reports], "index": 0,
    }, follow=True)
    assert "3 reports closed." in response.content.decode()
    assert all(Report.objects.get(pk=r.pk).decision == Decision.HIDE for r in reports)
    assert ModerationLog.objects.filter(action=Action.HIDE).count() == 2

    other = factories.report(member, factories.entry(owner))
    response = admin_client.post(QUEUE, {
        "action": "decide_no_action", "_selected_action": [other.pk], "index": 0,
    }, follow=True)
    assert "1 report closed." in response.content.decode()


def test_bulk_hide_skips_members_with_a_reason(admin_client, owner, member):
    report = factories.report(member, owner)
    response = admin_client.post(QUEUE, {
        "action": "decide_hide", "_selected_action": [report.pk], "index": 0,
    }, follow=True)
    assert "Only content can be hidden" in response.content.decode()
    assert Report.objects.get(pk=report.pk).is_open


def test_reports_cannot_be_added_in_admin(admin_client):
    assert admin_client.get(reverse("admin:sns_report_add")).status_code == 403


def test_members_cannot_open_the_queue(as_user, member):
    response = as_user(member).get(QUEUE)
    assert response.status_code in (302, 404)


# --- the audit log in admin ----------------------------------------------------------------------

def test_the_log_lists_filters_and_searches(admin_client, owner, member, moderator, entry):
    moderation.report_decide(report=factories.report(member, entry), by=moderator,
                             decision=Decision.HIDE, note="Spam")
    moderation.member_suspend(member=member, by=moderator, reason="Abuse")
    response = admin_client.get(LOG)
    assert response.status_code == 200
    assert_well_formed(response.content.decode())
    assert len(rows(response)) == 2
    assert len(rows(admin_client.get(LOG, {"action": "suspend"}))) == 1
    assert len(rows(admin_client.get(LOG, {"moderator": str(moderator.pk)}))) == 2
    assert len(rows(admin_client.get(LOG, {"moderator": "site"}))) == 0
    assert len(rows(admin_client.get(LOG, {"q": "owner@example.com"}))) == 1
    entry_log = ModerationLog.objects.get(action=Action.HIDE)
    page = admin_client.get(reverse("admin:sns_moderationlog_change", args=[entry_log.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Owner Person &lt;owner@example.com&gt;" in body
    assert 'type="submit"' not in body or "Save" not in body  # read-only
    assert admin_client.get(reverse("admin:sns_moderationlog_add")).status_code == 403


@pytest.mark.parametrize("n", [5, 50])
def test_the_log_has_bounded_queries(admin_client, moderator, n, django_assert_max_num_queries):
    for _ in range(n):
        moderation.member_suspend(member=factories.member(), by=moderator)
    with django_assert_max_num_queries(14):
        response = admin_client.get(LOG)
    assert len(rows(response)) == n


# --- the member admin ----------------------------------------------------------------------------

def test_suspend_from_the_member_list_asks_for_a_reason(admin_client, member, friend):
    data = {"action": "suspend_members", "_selected_action": [member.pk, friend.pk], "index": 0}
    confirm = admin_client.post(MEMBERS, data)
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert_well_formed(body)
    assert "member@example.com" in body and 'name="reason"' in body
    assert User.objects.get(pk=member.pk).is_active  # nothing happened yet

    response = admin_client.post(MEMBERS, {**data, "confirm": "yes", "reason": "Spam ring"},
                                 follow=True)
    assert "2 members suspended." in response.content.decode()
    assert not User.objects.filter(pk__in=[member.pk, friend.pk], is_active=True).exists()
    assert set(ModerationLog.objects.filter(action=Action.SUSPEND).values_list(
        "reason", flat=True)) == {"Spam ring"}


def test_lift_and_restore_from_the_member_list(admin_client, member, moderator):
    moderation.member_suspend(member=member, by=moderator)
    member.refresh_from_db()
    member.may_invite = False
    member.save(update_fields=["may_invite"])
    for action, message in [("unsuspend_members", "1 suspension lifted."),
                            ("restore_invite_right", "1 member may invite again.")]:
        response = admin_client.post(MEMBERS, {
            "action": action, "_selected_action": [member.pk], "index": 0, "confirm": "yes",
        }, follow=True)
        assert message in response.content.decode()
    member.refresh_from_db()
    assert member.is_active and member.may_invite


def test_member_list_filters(admin_client, owner, member, friend, moderator):
    moderation.member_suspend(member=member, by=moderator)
    friend.may_invite = False
    friend.save(update_fields=["may_invite"])

    def emails(query):
        body = admin_client.get(MEMBERS, query).content.decode()
        return set(re.findall(r"\w+@example\.com", body)) - {"moderator@example.com"}

    assert emails({"suspended": "yes"}) == {"member@example.com"}
    assert "member@example.com" not in emails({"suspended": "no"})
    assert emails({"may_invite__exact": "0"}) == {"friend@example.com"}


def test_the_member_page_shows_standing_subtree_and_buttons(admin_client, owner, moderator):
    alice = factories.redeem(factories.invitation(owner, "alice@example.com"), "Alice A")
    moderation.member_suspend(member=alice, by=moderator)
    response = admin_client.get(reverse("admin:accounts_user_change", args=[owner.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert "Alice A</a> &lt;alice@example.com&gt; — <strong>suspended</strong>" in body
    for step in ["suspend", "revoke_invitations", "subtree_suspend", "subtree_revoke"]:
        assert reverse("admin:accounts_user_moderate", args=[owner.pk, step]) in body
    alice_page = admin_client.get(
        reverse("admin:accounts_user_change", args=[alice.pk])
    ).content.decode()
    assert "Suspended since" in alice_page
    assert reverse("admin:accounts_user_moderate", args=[alice.pk, "unsuspend"]) in alice_page


def test_suspending_a_whole_subtree_from_the_member_page(admin_client, owner, moderator):
    alice = factories.redeem(factories.invitation(owner, "alice@example.com"), "Alice A")
    carol = factories.redeem(factories.invitation(alice, "carol@example.com"), "Carol C")
    pending = factories.invitation(carol, "guest@example.com")
    url = reverse("admin:accounts_user_moderate", args=[alice.pk, "subtree_suspend"])

    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert_well_formed(body)
    assert "2 members" in body and "carol@example.com" in body

    response = admin_client.post(url, {"confirm": "yes", "reason": "Spam ring"})
    assert response.status_code == 302
    assert response.url == reverse("admin:accounts_user_change", args=[alice.pk])
    assert not User.objects.filter(pk__in=[alice.pk, carol.pk], is_active=True).exists()
    assert Invitation.objects.get(pk=pending.pk).state == State.REVOKED
    owner.refresh_from_db()
    assert owner.is_active


def test_revoking_a_subtrees_invitations_from_the_member_page(admin_client, owner):
    alice = factories.redeem(factories.invitation(owner, "alice@example.com"), "Alice A")
    pending = [factories.invitation(owner), factories.invitation(alice)]
    url = reverse("admin:accounts_user_moderate", args=[owner.pk, "subtree_revoke"])
    response = admin_client.post(url, {"confirm": "yes"}, follow=True)
    assert "2 invitations revoked." in response.content.decode()
    assert all(Invitation.objects.get(pk=i.pk).state == State.REVOKED for i in pending)
    assert ModerationLog.objects.filter(action=Action.INVITATIONS_REVOKED).count() == 2


def test_an_unknown_step_is_404(admin_client, owner):
    url = reverse("admin:accounts_user_moderate", args=[owner.pk, "explode"])
    assert admin_client.get(url).status_code == 404


def test_a_moderator_cannot_suspend_themself_from_admin(admin_client, moderator):
    url = reverse("admin:accounts_user_moderate", args=[moderator.pk, "suspend"])
    response = admin_client.post(url, {"confirm": "yes"}, follow=True)
    assert "You cannot suspend yourself." in response.content.decode()
    moderator.refresh_from_db()
    assert moderator.is_active


@pytest.mark.parametrize("n", [5, 50])
def test_the_member_list_has_bounded_queries(admin_client, n, django_assert_max_num_queries):
    for _ in range(n):
        factories.member()
    # The count does not grow with the rows (the site policy's cache read is among them).
    with django_assert_max_num_queries(18):
        response = admin_client.get(MEMBERS)
    assert response.status_code == 200
