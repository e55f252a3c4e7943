"""Reads of messages: who may write to whom, a member's inbox, one conversation's messages as
a member sees them, the unread count in the header."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import Block, User
from sns.matching import matches, tsquery
from sns.paging import cursor_decode, cursor_encode, latest_page
from sns.site_policy import policy_current
from sns.visibility import Level, Relation, can_see, relations_to

from .models import Conversation, Message, MessagePhoto, MessagePreference, Participant

INBOX_PAGE = 20
THREAD_PAGE = 50
UNREAD_SHOWN_MAX = 99
# When neither the member nor the operator chose.
DEFAULT_REACH = Level.FRIENDS_OF_FRIENDS


# --- who may write to whom ---------------------------------------------------------------

def reach_allowed(reach: str) -> str:
    """``reach`` as the site allows it: "all members" only where the operator lets members
    choose it (else friends of friends)."""
    if reach == Level.MEMBERS and not policy_current().message_reach_members:
        return Level.FRIENDS_OF_FRIENDS
    return reach


def site_reach() -> str:
    """Who may write to a member who has not chosen: the operator's default."""
    return reach_allowed(policy_current().message_reach or DEFAULT_REACH)


def preference_of(member: User) -> MessagePreference:
    """``member``'s choices (an unsaved row of the site's defaults when they made none)."""
    return MessagePreference.objects.filter(member=member).first() or MessagePreference(
        member=member
    )


def reaches(members: list[User]) -> dict[int, str]:
    """Who may write to each of ``members``, by pk (one query for all)."""
    chosen = dict(
        MessagePreference.objects.filter(member__in=members).exclude(reach="")
        .values_list("member_id", "reach")
    )
    default = site_reach()
    return {m.pk: reach_allowed(chosen[m.pk]) if m.pk in chosen else default for m in members}


def may_message(sender: User, members: list[User]) -> dict[int, bool]:
    """Whether ``sender`` may start a conversation with each of ``members``, by pk: an active
    member other than themself, in no block with them either way, whose choice of who may
    write to them (``reaches``) takes in how they stand to ``sender``."""
    members = [m for m in members if m.pk != sender.pk]
    relations = relations_to(sender, members)
    reach = reaches(members)
    return {
        m.pk: m.is_active and can_see(reach[m.pk], relations.get(m.pk, Relation.MEMBER))
        for m in members
    }


def chosen_reach() -> Subquery:
    """For a queryset of members: each one's own choice of who may write to them ("" or
    None for the site's default), to read with ``may_message_member`` at no query."""
    return Subquery(
        MessagePreference.objects.filter(member=OuterRef("pk")).values("reach")[:1]
    )


def may_message_member(sender: User, member: User, relation: Relation) -> bool:
    """``may_message`` for one member whose relation to ``sender`` the page knows already (a
    profile); no query when ``member`` was fetched with ``chosen_reach`` as
    ``message_reach``."""
    if member.pk == sender.pk or not member.is_active:
        return False
    if hasattr(member, "message_reach"):
        reach = reach_allowed(member.message_reach) if member.message_reach else site_reach()
    else:
        reach = reaches([member])[member.pk]
    return can_see(reach, relation)


def messageable(sender: User, ids: list[int]) -> list[User]:
    """The members among ``ids`` that ``sender`` may write to, with their profiles."""
    found = list(User.objects.filter(pk__in=ids, is_active=True).select_related("profile"))
    allowed = may_message(sender, found)
    return [m for m in found if allowed.get(m.pk)]


# --- the inbox -------------------------------------------------------------------------------

@dataclass
class InboxRow:
    seat: Participant
    others: list  # (member, shown profile) of the others in it, by name
    latest: Message | None  # the latest message the member may see
    unread: bool


def _blocked_for(viewer: User, author_ref: str, at_ref: str) -> Exists:
    """Whether the author (``author_ref``) stands in a block with ``viewer`` made before the
    message (``at_ref``): what a member wrote after a block either way is not shown to the
    other, what was written before stays (the conversation reads as it was)."""
    return Exists(Block.objects.filter(
        Q(blocker=viewer, blocked=OuterRef(author_ref))
        | Q(blocker=OuterRef(author_ref), blocked=viewer),
        created_at__lte=OuterRef(at_ref),
    ))


def seats_of(member: User) -> QuerySet[Participant]:
    """``member``'s places in the conversations they have not left."""
    return Participant.objects.filter(member=member, left_at__isnull=True)


def inbox_seats(member: User, *, archived: bool = False) -> QuerySet[Participant]:
    """The conversations in ``member``'s inbox (or their archive), newest activity first:
    archived ones come back once a message newer than the archiving arrives."""
    seats = seats_of(member)
    back = Q(archived_at__isnull=True) | Q(last_message_at__gt=F("archived_at"))
    return seats.exclude(back) if archived else seats.filter(back)


def inbox_page(member: User, before: str | None, *, archived: bool = False,
               size: int = INBOX_PAGE) -> tuple[list[InboxRow], str | None]:
    """One page of ``member``'s inbox (keyset: ``before`` names the last row of the previous
    page) and the cursor of the next. Four queries whatever the page's size: the seats with
    their conversations, the others in them, their latest messages, the relations."""
    seats = (
        inbox_seats(member, archived=archived).select_related("conversation")
        .annotate(latest_id=_latest_id(member)).order_by("-last_message_at", "-conversation_id")
    )
    cursor = cursor_decode(before)
    if cursor is not None:
        at, pk = cursor
        seats = seats.filter(
            Q(last_message_at__lt=at) | Q(last_message_at=at, conversation_id__lt=pk)
        )
    found = list(seats[: size + 1])
    next_cursor = None
    if len(found) > size:
        found = found[:size]
        next_cursor = cursor_encode(found[-1].last_message_at, found[-1].conversation_id)
    ids = [s.conversation_id for s in found]
    others = (
        Participant.objects.filter(conversation_id__in=ids).exclude(member=member)
        .select_related("member__profile").order_by("pk")
    )
    by_conversation: dict[int, list] = {}
    for seat in others:
        by_conversation.setdefault(seat.conversation_id, []).append(seat.member)
    latest = {
        m.conversation_id: m
        for m in Message.objects.filter(pk__in=[s.latest_id for s in found if s.latest_id])
        .select_related("author__profile").defer("search")
    }
    relations = relations_to(member, [m for ms in by_conversation.values() for m in ms])
    rows = []
    for seat in found:
        people = [
            (m, m.profile.shown_to(relations.get(m.pk, Relation.MEMBER)))
            for m in by_conversation.get(seat.conversation_id, [])
        ]
        rows.append(InboxRow(seat=seat, others=people,
                             latest=latest.get(seat.conversation_id), unread=seat.unread))
    return rows, next_cursor


def _latest_id(member: User) -> Subquery:
    """For a member's seats: the pk of the latest message they may see in each conversation,
    one step back along the thread index (``message_thread``) per row, however long the
    conversation."""
    return Subquery(
        Message.objects.filter(conversation=OuterRef("conversation_id"), hidden_at__isnull=True)
        .exclude(_blocked_for(member, "author", "created_at"))
        .order_by("-created_at", "-pk").values("pk")[:1]
    )


def unread_count(member: User) -> QuerySet[Participant]:
    """The conversations with a message ``member`` has not read (for the header's count:
    ``[:UNREAD_SHOWN_MAX + 1]`` of it)."""
    return seats_of(member).filter(
        Q(last_read_at__isnull=True) | Q(last_message_at__gt=F("last_read_at"))
    )


# --- one conversation --------------------------------------------------------------------------

def seat_of(member: User, conversation_id: int) -> Participant | None:
    """``member``'s place in the conversation, with it; None alike for a conversation that
    does not exist, one they are not in, and one they left."""
    seat = (
        seats_of(member).select_related("conversation")
        .filter(conversation_id=conversation_id).first()
    )
    if seat is not None:
        seat.member = member  # (known: no query for it when the page asks who may write)
    return seat


def seat_or_404(member: User, conversation_id: int) -> Participant:
    """``seat_of``, or the same 404 for each of those."""
    seat = seat_of(member, conversation_id)
    if seat is None:
        raise Http404
    return seat


def messages_visible_to(viewer: User, conversation: Conversation) -> QuerySet[Message]:
    """The messages of ``conversation`` that ``viewer`` (one of its members) may see: not
    hidden by a moderator, none written after a block between their author and the viewer."""
    return (
        Message.objects.filter(conversation=conversation, hidden_at__isnull=True)
        .exclude(_blocked_for(viewer, "author", "created_at"))
    )


def messages_readable_by(member: User) -> QuerySet[Message]:
    """Every message ``member`` may read in every conversation they are or were in (in one
    they left, up to when they left): their data download."""
    seat = Participant.objects.filter(member=member, conversation=OuterRef("conversation"))
    return (
        Message.objects.filter(hidden_at__isnull=True)
        .filter(Exists(seat.filter(Q(left_at__isnull=True)
                                   | Q(left_at__gte=OuterRef("created_at")))))
        .exclude(_blocked_for(member, "author", "created_at"))
    )


def thread_page(viewer: User, conversation: Conversation, before: str | None,
                size: int = THREAD_PAGE) -> tuple[list[Message], str | None]:
    """The latest ``size`` messages before ``before`` (oldest first) and the cursor of the
    earlier ones; with their authors and photos (three queries)."""
    rows = (
        messages_visible_to(viewer, conversation).select_related("author__profile")
        .defer("search")  # (the search column: read by search only)
    )
    rows = rows.prefetch_related(
        Prefetch("photos", queryset=MessagePhoto.objects.order_by("position"))
    )
    return latest_page(rows, before, size)


def members_of(conversation: Conversation) -> list[Participant]:
    """Everyone in ``conversation`` (those who left included, marked), with profiles."""
    return list(
        Participant.objects.filter(conversation=conversation)
        .select_related("member__profile").order_by("joined_at", "pk")
    )


def writable(seat: Participant, members: list[Participant]) -> bool:
    """Whether the member of ``seat`` may still write in it: someone else is still there to
    read it (in it, on the site, in no block with them)."""
    others = [p.member for p in members if p.member_id != seat.member_id and p.left_at is None
              and p.member.is_active]
    if not others:
        return False
    relations = relations_to(seat.member, others)
    return any(relations.get(m.pk) is not Relation.BLOCKED for m in others)


def search(member: User, words: str) -> QuerySet[Message]:
    """``member``'s own messages (written by them or to them, in conversations they are
    still in) that match ``words``, newest first."""
    query = tsquery(words)
    if query is None:
        return Message.objects.none()
    return (
        Message.objects.filter(
            conversation__in=seats_of(member).values("conversation"), hidden_at__isnull=True
        )
        .exclude(_blocked_for(member, "author", "created_at"))
        .filter(search=matches(query))
        .select_related("conversation", "author__profile")
        .order_by("-created_at", "-pk")
    )
