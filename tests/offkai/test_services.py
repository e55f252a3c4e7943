"""Off-kai rules, through the services: creating (times, capacity, guests, community,
co-hosts, the daily limit), the community's invitation, editing (notices of a change, the
reminder, capacity up and down), cancelling (notices and mail in each member's language),
and comments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from communities.models import JoinPolicy, Membership
from offkai import services
from offkai.models import RSVP, Answer, Event, EventComment, EventHost
from sns.models import LimitedAction, Notification
from tests import factories

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.COMMUNITY_CREATE_PER_DAY = 1000
    settings.OFFKAI_CREATE_PER_DAY = 1000


def fields(**overrides) -> dict:
    """What the form sends for a plain off-kai a week from now."""
    starts = timezone.now() + timedelta(days=7)
    values = {
        "title": "Ramen night", "description": "We eat **ramen**.",
        "starts_at": starts, "ends_at": starts + timedelta(hours=2),
        "venue": "Ichiran", "address": "東京都渋谷区神南1-22-7", "capacity": 10,
        "fee": "1,000 yen", "rsvp_deadline": None, "guest_limit": 0, "community": None,
        "visibility": "members",
    }
    values.update(overrides)
    return values


def create(creator, **overrides) -> Event:
    co_hosts = overrides.pop("co_hosts", ())
    return services.event_create(creator=creator, co_hosts=co_hosts, **fields(**overrides))


def update(event, by, **overrides) -> Event:
    values = {
        name: getattr(event, name) for name in [
            "title", "description", "starts_at", "ends_at", "venue", "address", "capacity",
            "fee", "rsvp_deadline", "guest_limit", "visibility",
        ]
    }
    values.update(overrides)
    return services.event_update(event=event, by=by, **values)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def notified(kind, **filters) -> list[int]:
    return sorted(
        Notification.objects.filter(kind=kind, **filters).values_list("recipient_id", flat=True)
    )


# --- creating --------------------------------------------------------------------------------

def test_the_creator_and_co_hosts_host(owner, friend):
    event = create(owner, co_hosts=[friend])
    assert event.created_by == owner
    assert set(EventHost.objects.filter(event=event).values_list("user_id", flat=True)) == {
        owner.pk, friend.pk
    }
    assert event.title == "Ramen night"
    assert event.visibility == "members"


SOON = timedelta(days=7)


@pytest.mark.parametrize(("change", "field"), [
    (lambda s: {"ends_at": s}, "ends_at"),
    (lambda s: {"ends_at": s - timedelta(minutes=1)}, "ends_at"),
    (lambda s: {"starts_at": s - SOON - timedelta(hours=1), "ends_at": s - SOON}, "starts_at"),
    (lambda s: {"rsvp_deadline": s + timedelta(minutes=1)}, "rsvp_deadline"),
    (lambda s: {"rsvp_deadline": s - SOON - timedelta(minutes=1)}, "rsvp_deadline"),
    (lambda s: {"capacity": 0}, "capacity"),
    (lambda s: {"guest_limit": 11}, "guest_limit"),
    (lambda s: {"guest_limit": -1}, "guest_limit"),
    (lambda s: {"title": "   "}, "title"),
    (lambda s: {"visibility": "community"}, "visibility"),
    (lambda s: {"visibility": "public"}, "visibility"),
    (lambda s: {"visibility": "everyone"}, "visibility"),
])
def test_create_refuses_what_the_rules_forbid(owner, change, field):
    starts = timezone.now() + SOON
    with pytest.raises(ValidationError) as excinfo:
        create(owner, **{"starts_at": starts, "ends_at": starts + timedelta(hours=2),
                         **change(starts)})
    assert field in errors_of(excinfo)
    assert not Event.objects.exists()


def test_messages_are_clear_and_translated(owner, settings):
    from django.utils import translation

    starts = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError) as excinfo:
        create(owner, starts_at=starts, ends_at=starts - timedelta(hours=1), capacity=0)
    assert errors_of(excinfo)["ends_at"] == ["The end must be after the start."]
    assert errors_of(excinfo)["capacity"] == [
        "The capacity must be at least 1, or empty for no limit."
    ]
    with translation.override("ja"), pytest.raises(ValidationError) as excinfo:
        create(owner, starts_at=starts, ends_at=starts - timedelta(hours=1))
    assert "終了" in errors_of(excinfo)["ends_at"][0]


def test_the_deadline_may_be_the_start_and_capacity_none(owner):
    starts = timezone.now() + SOON
    event = create(owner, starts_at=starts, ends_at=starts + timedelta(hours=1),
                   rsvp_deadline=starts, capacity=None, guest_limit=10)
    assert event.capacity is None
    assert event.answers_close_at == event.starts_at


def test_public_is_allowed_where_the_site_has_public_pages(owner, settings):
    settings.SITE_PUBLIC_PAGES = True
    assert create(owner, visibility="public").visibility == "public"


def test_a_community_event_needs_a_member_and_an_open_community(owner, member):
    club = factories.community(owner)
    with pytest.raises(ValidationError) as excinfo:
        create(member, community=club)
    assert "community" in errors_of(excinfo)
    event = create(owner, community=club, visibility="community")
    assert event.community == club
    club.closed_at = timezone.now()
    club.save()
    with pytest.raises(ValidationError) as excinfo:
        create(owner, community=club)
    assert errors_of(excinfo)["community"] == ["This community is closed."]


def test_a_secret_community_forces_community_visibility(owner):
    club = factories.community(owner, policy=JoinPolicy.SECRET)
    assert create(owner, community=club, visibility="members").visibility == "community"
    # "Hosts only" is narrower still and stays.
    assert create(owner, community=club, visibility="private").visibility == "private"


def test_co_hosts_are_friends_or_the_communitys_members(owner, friend, member, fof):
    with pytest.raises(ValidationError) as excinfo:
        create(owner, co_hosts=[member])
    assert "co_hosts" in errors_of(excinfo)
    assert "Plain Member cannot be a co-host" in errors_of(excinfo)["co_hosts"][0]
    club = factories.community(owner, members=[member])
    event = create(owner, community=club, co_hosts=[member, friend])
    assert EventHost.objects.filter(event=event).count() == 3
    with pytest.raises(ValidationError):
        create(owner, community=club, co_hosts=[fof])


def test_a_secret_communitys_co_hosts_are_its_members(owner, friend):
    club = factories.community(owner, policy=JoinPolicy.SECRET)
    with pytest.raises(ValidationError):
        create(owner, community=club, co_hosts=[friend])
    Membership.objects.create(community=club, user=friend)
    event = create(owner, community=club, co_hosts=[friend])
    assert EventHost.objects.filter(event=event).count() == 2


def test_nobody_in_a_block_with_the_creator_co_hosts(owner, blocked):
    factories.befriend(owner, blocked)
    with pytest.raises(ValidationError):
        create(owner, co_hosts=[blocked])


def test_at_most_ten_co_hosts(owner):
    friends = [factories.member() for _ in range(11)]
    for f in friends:
        factories.befriend(owner, f)
    with pytest.raises(ValidationError) as excinfo:
        create(owner, co_hosts=friends)
    assert "co_hosts" in errors_of(excinfo)
    assert EventHost.objects.filter(event=create(owner, co_hosts=friends[:10])).count() == 11


def test_creating_is_rate_limited_per_day(owner, member, settings):
    settings.OFFKAI_CREATE_PER_DAY = 2
    create(owner)
    create(owner)
    with pytest.raises(ValidationError) as excinfo:
        create(owner)
    assert "at most 2 off-kai a day" in excinfo.value.messages[0]
    create(member)  # per member
    # The day has passed (sns.limits counts its own log of uses).
    LimitedAction.objects.filter(user=owner).update(at=timezone.now() - timedelta(days=2))
    create(owner)


def test_a_community_event_invites_its_members(
    owner, friend, member, blocked, django_capture_on_commit_callbacks
):
    club = factories.community(owner, members=[friend, member, blocked])
    with django_capture_on_commit_callbacks(execute=True):
        event = create(owner, community=club, visibility="community", co_hosts=[friend])
    # Hosts know already; the creator's blocked member cannot see it.
    assert notified(Kind.EVENT_NEW) == [member.pk]
    note = Notification.objects.get(kind=Kind.EVENT_NEW)
    assert (note.actor, note.target) == (owner, event)


def test_a_private_community_event_invites_nobody(
    owner, member, django_capture_on_commit_callbacks
):
    club = factories.community(owner, members=[member])
    with django_capture_on_commit_callbacks(execute=True):
        create(owner, community=club, visibility="private")
    assert notified(Kind.EVENT_NEW) == []


def test_inviting_a_large_community_is_a_few_bulk_inserts(
    owner, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from accounts.models import User

    club = factories.community(owner)
    people = [factories.member() for _ in range(30)]
    Membership.objects.bulk_create([Membership(community=club, user=p) for p in people])
    event = create(owner, community=club, visibility="community")
    from offkai.tasks import event_invite_community

    with django_assert_max_num_queries(6):
        result = event_invite_community.enqueue(event_id=event.pk)
    assert result.return_value == 30
    assert len(notified(Kind.EVENT_NEW)) == 30
    assert User.objects.count() == 31


def test_notify_many_batches(owner, member, friend):
    from sns.notify import notify_many

    made = notify_many(recipient_ids=[owner.pk, member.pk, friend.pk], kind=Kind.EVENT_NEW,
                       actor=owner, batch_size=1)
    assert made == 2
    assert notified(Kind.EVENT_NEW) == sorted([member.pk, friend.pk])


# --- editing -----------------------------------------------------------------------------------

def test_only_hosts_edit(owner, friend, member):
    event = create(owner, co_hosts=[friend])
    with pytest.raises(PermissionDenied):
        update(event, member, title="Mine now")
    assert update(event, friend, title="Ramen & gyoza").title == "Ramen & gyoza"
    event.refresh_from_db()
    assert event.edited_at is not None


def test_a_change_of_time_or_place_tells_everyone_taking_part(
    owner, friend, member, fof, outbox, django_capture_on_commit_callbacks
):
    event = factories.event(owner, co_hosts=[friend], capacity=1)
    walker, decliner = factories.member("Walker"), factories.member("Decliner")
    factories.answer(event, member, Answer.ATTENDING)
    factories.answer(event, fof, Answer.WAITLISTED)
    factories.answer(event, walker, Answer.MAYBE)
    factories.answer(event, decliner, Answer.DECLINED)
    Event.objects.filter(pk=event.pk).update(reminded_at=timezone.now())
    event.refresh_from_db()
    new_start = event.starts_at + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        update(event, owner, starts_at=new_start, ends_at=new_start + timedelta(hours=3),
               venue="Another place")
    # Those attending, waitlisted, maybe, and the other host; not the one who declined, not
    # the host who made the change.
    expected = sorted([member.pk, fof.pk, walker.pk, friend.pk])
    assert notified(Kind.EVENT_CHANGED) == expected
    assert sorted(m.to[0] for m in outbox) == sorted(
        u.email for u in [member, fof, walker, friend]
    )
    mail = next(m for m in outbox if m.to == [member.email])
    assert "Off-kai changed" in mail.subject
    assert "Another place" in mail.body and "Ichiran" not in mail.body
    assert "Before the change" in mail.body
    assert "Another place" in mail.alternatives[0][0]
    event.refresh_from_db()
    assert event.reminded_at is None


def test_a_change_of_words_only_tells_nobody_and_keeps_the_reminder(
    owner, member, outbox, django_capture_on_commit_callbacks
):
    event = factories.event(owner)
    factories.answer(event, member)
    reminded = timezone.now()
    Event.objects.filter(pk=event.pk).update(reminded_at=reminded)
    event.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        update(event, owner, title="New title", description="More words", fee="free")
    assert notified(Kind.EVENT_CHANGED) == []
    assert outbox == []
    event.refresh_from_db()
    assert event.reminded_at == reminded


def test_change_mail_is_in_each_recipients_language(
    owner, member, friend, outbox, django_capture_on_commit_callbacks
):
    member.language = "ja"
    member.save()
    event = factories.event(owner, venue="Old hall")
    factories.answer(event, member)
    factories.answer(event, friend)
    with django_capture_on_commit_callbacks(execute=True):
        update(event, owner, venue="新しい会場")
    japanese = next(m for m in outbox if m.to == [member.email])
    english = next(m for m in outbox if m.to == [friend.email])
    assert "変更" in japanese.subject and "新しい会場" in japanese.body
    assert "Off-kai changed" in english.subject
    local = timezone.localtime(event.starts_at)
    assert f"{local.year}年{local.month}月{local.day}日" in japanese.body
    assert f"{local.hour}:{local.minute:02d}" in japanese.body  # site time zone


def test_raising_the_capacity_promotes_from_the_waitlist(
    owner, member, friend, fof, django_capture_on_commit_callbacks
):
    event = factories.event(owner, capacity=1)
    factories.answer(event, member)
    first = factories.answer(event, friend, Answer.WAITLISTED)
    second = factories.answer(event, fof, Answer.WAITLISTED)
    RSVP.objects.filter(pk=second.pk).update(waitlisted_at=first.waitlisted_at + timedelta(1))
    with django_capture_on_commit_callbacks(execute=True):
        update(event, owner, capacity=2)
    assert RSVP.objects.get(user=friend).answer == Answer.ATTENDING
    assert RSVP.objects.get(user=fof).answer == Answer.WAITLISTED
    assert notified(Kind.EVENT_PROMOTED) == [friend.pk]
    with django_capture_on_commit_callbacks(execute=True):
        update(event, owner, capacity=None)
    assert RSVP.objects.get(user=fof).answer == Answer.ATTENDING


def test_the_capacity_cannot_drop_below_the_places_taken(owner, member, friend):
    event = factories.event(owner, capacity=5, guest_limit=2)
    factories.answer(event, member, guests=2)
    factories.answer(event, friend)
    with pytest.raises(ValidationError) as excinfo:
        update(event, owner, capacity=3)
    assert errors_of(excinfo)["capacity"] == [
        "4 places are already taken: the capacity cannot be lower."
    ]
    assert update(event, owner, capacity=4).capacity == 4


def test_the_guest_limit_cannot_drop_below_guests_coming(owner, member):
    event = factories.event(owner, capacity=5, guest_limit=2)
    factories.answer(event, member, guests=2)
    with pytest.raises(ValidationError) as excinfo:
        update(event, owner, guest_limit=1)
    assert "guest_limit" in errors_of(excinfo)


def test_a_past_start_is_refused_only_when_it_changes(owner):
    event = factories.event(owner, days=-1)
    update(event, owner, title="Thanks for coming")
    with pytest.raises(ValidationError) as excinfo:
        update(event, owner, starts_at=event.starts_at - timedelta(hours=1))
    assert "starts_at" in errors_of(excinfo)


def test_co_hosts_are_replaced_and_the_creator_stays(owner, friend, member):
    factories.befriend(owner, member)
    event = create(owner, co_hosts=[friend])
    update(event, owner, co_hosts=[member])
    hosts = set(EventHost.objects.filter(event=event).values_list("user_id", flat=True))
    assert hosts == {owner.pk, member.pk}
    update(event, member, co_hosts=[])
    assert set(EventHost.objects.filter(event=event).values_list("user_id", flat=True)) == {
        owner.pk
    }


def test_a_cancelled_event_cannot_be_edited(owner):
    event = factories.event(owner, cancelled_at=timezone.now())
    with pytest.raises(ValidationError):
        update(event, owner, title="Back on")


# --- cancelling ------------------------------------------------------------------------------

def test_cancelling_needs_a_host_and_a_reason(owner, member):
    event = factories.event(owner)
    with pytest.raises(PermissionDenied):
        services.event_cancel(event=event, by=member, reason="No")
    with pytest.raises(ValidationError) as excinfo:
        services.event_cancel(event=event, by=owner, reason="   ")
    assert "reason" in errors_of(excinfo)
    cancelled = services.event_cancel(event=event, by=owner, reason="Typhoon")
    assert cancelled.is_cancelled and cancelled.cancel_reason == "Typhoon"
    assert not cancelled.answers_open


def test_cancelling_tells_everyone_who_answered_in_their_language(
    owner, friend, member, fof, outbox, django_capture_on_commit_callbacks
):
    member.language = "ja"
    member.save()
    event = factories.event(owner, title="花見")
    factories.answer(event, member)
    factories.answer(event, friend, Answer.MAYBE)
    factories.answer(event, fof, Answer.DECLINED)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=owner, reason="台風が来るため / typhoon")
    assert notified(Kind.EVENT_CANCELLED) == sorted([member.pk, friend.pk, fof.pk])
    note = Notification.objects.filter(kind=Kind.EVENT_CANCELLED).first()
    assert (note.actor, note.target) == (owner, event)
    japanese = next(m for m in outbox if m.to == [member.email])
    english = next(m for m in outbox if m.to == [friend.email])
    assert "中止" in japanese.subject and "花見" in japanese.subject
    assert "台風が来るため" in japanese.body and "台風が来るため" in japanese.alternatives[0][0]
    assert "Off-kai cancelled: 花見" in english.subject
    assert "typhoon" in english.body
    assert len(outbox) == 3


def test_cancelling_twice_tells_once(owner, member, outbox, django_capture_on_commit_callbacks):
    event = factories.event(owner)
    factories.answer(event, member)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=owner, reason="Rain")
        services.event_cancel(event=event, by=owner, reason="Rain again")
    assert len(outbox) == 1
    event.refresh_from_db()
    assert event.cancel_reason == "Rain"


def test_a_past_event_cannot_be_cancelled(owner):
    event = factories.event(owner, days=-2)
    with pytest.raises(ValidationError):
        services.event_cancel(event=event, by=owner, reason="Too late")


def test_notices_skip_who_can_no_longer_see_the_event(
    owner, member, blocked, outbox, django_capture_on_commit_callbacks
):
    event = factories.event(owner)
    factories.answer(event, member)
    # Answered before the block; the block hides the event now.
    RSVP.objects.create(event=event, user=blocked, answer=Answer.ATTENDING)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=owner, reason="Rain")
    assert notified(Kind.EVENT_CANCELLED) == [member.pk]
    assert [m.to for m in outbox] == [[member.email]]


# --- comments ----------------------------------------------------------------------------------

def test_who_may_see_may_comment(owner, friend, member):
    event = factories.event(owner, visibility="friends")
    comment = services.event_comment_create(event_id=event.pk, author=friend, body=" Hi! ")
    assert comment.body == "Hi!"
    with pytest.raises(Event.DoesNotExist):
        services.event_comment_create(event_id=event.pk, author=member, body="Me too")


def test_comments_close_when_cancelled_and_must_have_text(owner, member):
    event = factories.event(owner)
    with pytest.raises(ValidationError):
        services.event_comment_create(event_id=event.pk, author=member, body="  ")
    with pytest.raises(ValidationError):
        services.event_comment_create(event_id=event.pk, author=member, body="x" * 5001)
    Event.objects.filter(pk=event.pk).update(cancelled_at=timezone.now())
    with pytest.raises(ValidationError) as excinfo:
        services.event_comment_create(event_id=event.pk, author=member, body="Why?")
    assert "cancelled" in excinfo.value.messages[0]


def test_a_comment_tells_the_hosts_and_earlier_commenters(owner, friend, member, fof):
    event = factories.event(owner, co_hosts=[friend])
    services.event_comment_create(event_id=event.pk, author=member, body="What to bring?")
    assert notified(Kind.EVENT_COMMENT) == sorted([owner.pk, friend.pk])
    Notification.objects.all().delete()
    services.event_comment_create(event_id=event.pk, author=fof, body="Me too")
    assert notified(Kind.EVENT_COMMENT) == sorted([owner.pk, friend.pk, member.pk])
    Notification.objects.all().delete()
    services.event_comment_create(event_id=event.pk, author=owner, body="Nothing!")
    # Never the commenter; each once.
    assert notified(Kind.EVENT_COMMENT) == sorted([friend.pk, member.pk, fof.pk])


def test_a_comment_tells_nobody_in_a_block_with_the_commenter(owner, member, friend):
    from accounts.services import block_create

    event = factories.event(owner)
    services.event_comment_create(event_id=event.pk, author=member, body="First")
    block_create(blocker=member, blocked=friend)
    services.event_comment_create(event_id=event.pk, author=friend, body="Second")
    assert member.pk not in notified(Kind.EVENT_COMMENT, actor=friend)


def test_the_author_or_a_host_deletes_a_comment(owner, friend, member, fof):
    event = factories.event(owner, co_hosts=[friend])
    first = services.event_comment_create(event_id=event.pk, author=member, body="One")
    second = services.event_comment_create(event_id=event.pk, author=member, body="Two")
    with pytest.raises(EventComment.DoesNotExist):
        services.event_comment_delete(comment_id=first.pk, by=fof)
    assert services.event_comment_delete(comment_id=first.pk, by=member) == event.pk
    assert services.event_comment_delete(comment_id=second.pk, by=friend) == event.pk
    assert not EventComment.objects.exists()
    # Its notifications go with it.
    assert not Notification.objects.filter(kind=Kind.EVENT_COMMENT).exists()
