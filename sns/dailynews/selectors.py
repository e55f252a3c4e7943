"""What one member's daily news holds: only what they may see (each app's ``visible_to``),
nothing of a member who left, is suspended or stands in a block with them either way; a
fixed number of queries whatever the amount (tests/sns/dailynews).

Friends' albums come in as they are made or given photos (``Album.updated_at``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType

from accounts.models import Footprint, Friendship, User
from accounts.selectors import birthdays
from albums.models import Album
from communities.models import Membership, Topic
from diary.models import Comment, Entry
from offkai import selectors as offkai_selectors
from sns.models import DailyNewsDelivery, Like
from sns.paging import row_count
from sns.visibility import without_hidden_people

# At most this much news is looked back on (a first news, or after days without one).
LOOK_BACK = timedelta(hours=24)
# Each list shows at most this many; the mail links to the full page for more.
SHOWN = 10
EVENTS_SHOWN = 5
WEEK = 7


@dataclass
class News:
    """One member's daily news."""

    member: User
    since: datetime
    entries: list = field(default_factory=list)
    albums: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    events: list = field(default_factory=list)
    # (member, the date of their birthday), soonest first.
    birthdays: list = field(default_factory=list)
    comments: int = 0
    likes: int = 0
    footprints: int = 0

    @property
    def is_empty(self) -> bool:
        """Nothing to tell: no mail."""
        return not (self.entries or self.albums or self.topics or self.events
                    or self.birthdays or self.comments or self.likes or self.footprints)

    @property
    def count(self) -> int:
        """How many things the news tells of (the subject says it)."""
        return (len(self.entries) + len(self.albums) + len(self.topics) + len(self.events)
                + len(self.birthdays) + self.comments + self.likes + self.footprints)


def news_since(member: User, now: datetime) -> datetime:
    """Where ``member``'s news starts: their last news done (mailed or found empty), at most
    ``LOOK_BACK`` ago."""
    last = (DailyNewsDelivery.objects.filter(member=member, sent_at__isnull=False)
            .order_by("-day").values_list("sent_at", flat=True).first())
    return max(last, now - LOOK_BACK) if last else now - LOOK_BACK


def _friends(member: User):
    """``member``'s friends who may reach them: active, in no block with them."""
    return without_hidden_people(
        Friendship.objects.filter(user=member), "friend_id", member
    ).values("friend_id")


def _counts(member: User, since: datetime) -> dict[str, int]:
    """New comments on ``member``'s entries, new likes of them, new footprints on their page
    (each by someone still here and in no block with them), in one query.

    Likes are counted on diary entries only (the one kind of thing whose owner one column
    tells); comments', topics' and albums' likes join here as they come."""
    comments = without_hidden_people(
        Comment.objects.filter(
            entry__author=member, created_at__gte=since, hidden_at__isnull=True,
            author__isnull=False,
        ).exclude(author=member), "author_id", member,
    )
    likes = without_hidden_people(
        Like.objects.filter(
            target_type=ContentType.objects.get_for_model(Entry),
            target_id__in=Entry.objects.filter(author=member).values("pk"),
            created_at__gte=since,
        ).exclude(member=member), "member_id", member,
    )
    footprints = without_hidden_people(
        Footprint.objects.filter(owner=member, visited_at__gte=since), "visitor_id", member
    )

    return (
        User.objects.filter(pk=member.pk)
        .annotate(
            n_comments=row_count(comments), n_likes=row_count(likes),
            n_footprints=row_count(footprints),
        )
        .values("n_comments", "n_likes", "n_footprints")
        .get()
    )


def news_for(member: User, *, since: datetime, now: datetime, today: date) -> News:
    """What ``member``'s daily news of ``today`` (site time) tells, since ``since``."""
    news = News(member=member, since=since)
    news.entries = list(
        Entry.objects.visible_to(member)
        .filter(author__in=_friends(member), created_at__gte=since)
        .select_related("author__profile").order_by("-created_at", "-pk")[:SHOWN]
    )
    # Friends' own albums (not a community's) made or given photos since the last news.
    news.albums = list(
        Album.objects.visible_to(member)
        .filter(owner__in=_friends(member), community__isnull=True, updated_at__gte=since,
                photo_count__gt=0)
        .select_related("owner__profile").order_by("-updated_at", "-pk")[:SHOWN]
    )
    mine = Membership.objects.filter(user=member).values("community")
    news.topics = list(
        Topic.objects.visible_to(member)
        .filter(community__in=mine, created_at__gte=since, author__isnull=False)
        .exclude(author=member)
        .select_related("community", "author__profile").order_by("-created_at", "-pk")[:SHOWN]
    )
    news.events = list(
        offkai_selectors.upcoming(member, now).filter(
            group__lt=offkai_selectors.OTHERS, starts_at__lt=now + timedelta(days=WEEK),
            cancelled_at__isnull=True, created_by__isnull=False,
        )[:EVENTS_SHOWN]
    )
    news.birthdays = birthdays.in_order(
        birthdays.friends_with_birthdays(member, today, WEEK)[:SHOWN], today
    )
    counts = _counts(member, since)
    news.comments, news.likes, news.footprints = (
        counts["n_comments"], counts["n_likes"], counts["n_footprints"]
    )
    return news
