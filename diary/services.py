"""Diary writes: entries and comments. Each function runs in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Friendship, User
from sns import cache, images, limits
from sns.comments import comment_body_clean, comment_participants
from sns.errors import Refused
from sns.notify import Kind, notify, notify_many
from sns.prepared import Prepared
from sns.tasks import build_ahead_later
from sns.visibility import Level, annotated_relation, can_see, relation_annotations
from sns.withdraw import about_withdraw

from .models import MAX_PHOTOS, Comment, DiaryPreference, Entry, EntryPhoto
from .tasks import tell_friends

# --- entries ---------------------------------------------------------------------------------
# Photo files live outside the database: they are removed only once the transaction that
# stopped using them has committed, and files stored by a transaction that fails go with it.

# --- who reads what a write adds (sns/cache/, sns/home/) -----------------------------------
# Home keeps the ids of friends' newest entries and of the entries with new comments for each
# member; what a write adds reaches them through their scopes, bumped once it commits. What a
# write removes needs no bump of the lists: home reads each kept entry again, with its checks.
# Home's HTML (sns.cache.rendered) is kept under each entry it shows: every write that changes
# how an entry is listed (its title, level, comments' count) or deletes it bumps its own
# ``cache.entry`` scope.


def _friends_told(author_id: int) -> None:
    """A new, or newly shown, entry of ``author_id``: every friend's home lists it, a few
    seconds later. In a task once the write commits (``tasks.tell_friends``): a member may
    have 20,000 friends, and the writer's request does not wait for them."""
    if cache.in_use():
        transaction.on_commit(lambda: tell_friends.enqueue(author_id=author_id), robust=True)


def friends_tell(*, author_id: int) -> int:
    """Bump the ``feed`` scope of each friend of ``author_id``, and build again the lists
    of those who keep one (tasks.tell_friends)."""
    friends = list(
        Friendship.objects.filter(user_id=author_id).values_list("friend_id", flat=True)
    )
    scopes = [cache.feed(pk) for pk in friends]
    cache.bump(*scopes)
    cache.build_ahead(*scopes)
    return len(friends)


def participants_tell(*, entry: Entry) -> None:
    """A comment on ``entry`` written, or shown again: the home of its author and of each
    commenter counts it. (An entry's own level or hiding changes no kept list: the lists hold
    ids found without them, and each read checks them.)"""
    if cache.in_use():
        commenters = (
            Comment.objects.filter(entry=entry, author__isnull=False)
            .values_list("author_id", flat=True).distinct()
        )
        members = sorted({entry.author_id, *commenters})
        cache.bump(*(cache.commented(pk) for pk in members))
        # Their lists built again in a task, not while the commenter waits.
        build_ahead_later("commented", members)


class TooManyPhotos(Refused):
    """An entry would have more than MAX_PHOTOS photos (the form prevents it; this is the
    last line, checked under the entry's row lock: two edits adding photos at once)."""

    def __init__(self) -> None:
        super().__init__(
            _("An entry has at most %(n)d photos. Remove one before adding another.")
            % {"n": MAX_PHOTOS},
            code="too_many_photos",
        )


def _photo_prefix(author: User) -> str:
    return f"diary/{author.pk}"


def _delete_files_after_commit(keys: Iterable[str]) -> None:
    for key in keys:
        transaction.on_commit(lambda key=key: images.delete(key))


def _store_photos(
    entry: Entry, photos: list[images.ProcessedImage], positions: list[int],
    stored: list[str],
) -> None:
    """Store ``photos`` at ``positions`` of ``entry``; every key written goes into ``stored``
    so that the caller can remove the files if the transaction fails."""
    rows = []
    for processed, position in zip(photos, positions, strict=True):
        key = images.store(processed, prefix=_photo_prefix(entry.author))
        stored.append(key)
        rows.append(EntryPhoto(entry=entry, image=key, position=position))
    EntryPhoto.objects.bulk_create(rows)



def entry_create(
    *,
    author: User,
    title: str,
    body: str,
    visibility: str,
    photos: list[images.ProcessedImage] | None = None,
) -> Entry:
    """Write a new entry for ``author`` with up to three photos, in the order given."""
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise TooManyPhotos
    stored: list[str] = []

    @transaction.atomic
    def work() -> Entry:
        limits.take(author, limits.UPLOADS, amount=len(photos))
        entry = Entry.objects.create(
            author=author, title=title, body=body, visibility=visibility
        )
        _store_photos(entry, photos, list(range(len(photos))), stored)
        # The link to it from the author's entry before (their entries' pages).
        cache.bump(cache.diary(author))
        if visibility != Level.PRIVATE:
            _friends_told(author.pk)
        return entry

    return images.removed_on_failure(stored, work)


def entry_update(
    *,
    entry: Entry,
    title: str,
    body: str,
    visibility: str,
    new_photos: list[images.ProcessedImage] | None = None,
    remove_positions: Iterable[int] = (),
) -> Entry:
    """Change an entry's text and level, remove the photos at ``remove_positions`` and add
    ``new_photos`` in the free places; mark the entry edited."""
    new_photos = list(new_photos or [])
    remove = set(remove_positions)
    stored: list[str] = []

    @transaction.atomic
    def work() -> Entry:
        if new_photos:
            limits.take(entry.author, limits.UPLOADS, amount=len(new_photos))
        # Lock the entry, since two edits at once could otherwise each find room for a photo.
        locked = Entry.objects.select_for_update().select_related("author").get(pk=entry.pk)
        photos = list(locked.photos.all())
        removed = [p for p in photos if p.position in remove]
        taken = {p.position for p in photos} - remove
        free = [n for n in range(MAX_PHOTOS) if n not in taken]
        if len(new_photos) > len(free):
            raise TooManyPhotos
        if removed:
            EntryPhoto.objects.filter(pk__in=[p.pk for p in removed]).delete()
        # Friends' kept lists are found without private entries: one no longer private adds
        # to them (any narrowing is checked on each read).
        if locked.visibility == Level.PRIVATE and visibility != Level.PRIVATE:
            _friends_told(locked.author_id)
        locked.title, locked.body, locked.visibility = title, body, visibility
        locked.edited_at = timezone.now()
        locked.save(update_fields=["title", "body", "visibility", "edited_at"])
        cache.bump(cache.entry(locked), cache.diary(locked.author_id))
        _store_photos(locked, new_photos, free[: len(new_photos)], stored)
        _delete_files_after_commit(p.image for p in removed)
        return locked

    return images.removed_on_failure(stored, work)


@transaction.atomic
def entry_delete(*, entry: Entry) -> None:
    """Delete an entry; its comments go with it (cascade), and the notifications about them;
    its photo files after commit."""
    keys = list(EntryPhoto.objects.filter(entry=entry).values_list("image", flat=True))
    about_withdraw(
        model=Comment, ids=Comment.objects.filter(entry=entry).values_list("pk", flat=True)
    )
    about_withdraw(model=Entry, ids=[entry.pk])
    Entry.objects.filter(pk=entry.pk).delete()
    cache.bump(cache.entry(entry), cache.diary(entry.author_id))
    _delete_files_after_commit(keys)


@transaction.atomic
def entries_delete_all(*, author: User) -> int:
    """Delete every entry of ``author`` (who leaves the site), their comments and the
    notifications about those comments; the photo files after commit. Returns how many."""
    entries = Entry.objects.filter(author=author)
    keys = list(EntryPhoto.objects.filter(entry__author=author).values_list("image", flat=True))
    about_withdraw(
        model=Comment,
        ids=Comment.objects.filter(entry__author=author).values_list("pk", flat=True),
    )
    about_withdraw(model=Entry, ids=entries.values_list("pk", flat=True))
    count = entries.count()
    # Comments and photo rows go by the database's cascade in Django's collector; one
    # DELETE per table, whatever the number of entries.
    entries.delete()
    _delete_files_after_commit(keys)
    return count


@transaction.atomic
def diary_preference_update(*, user: User, default_visibility: str) -> DiaryPreference:
    """Set the level new entries start with."""
    preference, _created = DiaryPreference.objects.select_for_update().get_or_create(user=user)
    preference.default_visibility = default_visibility
    preference.save(update_fields=["default_visibility"])
    return preference



# --- comments --------------------------------------------------------------------------------

@transaction.atomic
def comment_create(*, entry_id: int, author: User, body: str) -> Comment:
    """``author`` comments on entry ``entry_id``; notifies the entry's author (DIARY_COMMENT)
    and, once each, the earlier commenters who may still see the entry (DIARY_COMMENT_AFTER).

    Raises Entry.DoesNotExist when ``author`` may not see the entry (a 404 for the view) and
    Refused for an empty or over-long body (RateLimited past COMMENTS_PER_HOUR).
    """
    limits.take(author, limits.COMMENTS)
    # Lock the entry so that comments on it are written one after another: each commenter's
    # "earlier commenters" are then exactly the comments before theirs.
    entry = (
        Entry.objects.visible_to(author).select_related("author")
        .select_for_update(of=("self",)).get(pk=entry_id)
    )
    body = comment_body_clean(body)
    comment = Comment.objects.create(entry=entry, author=author, body=body)
    cache.bump(cache.comments(entry))
    participants_tell(entry=entry)
    notify(recipient=entry.author, kind=Kind.DIARY_COMMENT, actor=author, target=comment)
    # In one INSERT, however many commented before.
    notify_many(
        recipient_ids=[m.pk for m in _earlier_commenters_to_notify(entry, comment)],
        kind=Kind.DIARY_COMMENT_AFTER, actor=author, target=comment,
    )
    return comment


def _earlier_commenters(entry: Entry, comment: Comment, commenter: User, owner: User):
    return (
        comment_participants(
            Comment.objects.filter(entry=entry, pk__lt=comment.pk), commenter=commenter
        )
        .exclude(pk=owner.pk)
        .annotate(**relation_annotations(owner))
        .order_by("pk")
    )


# Compiled once per process (sns/prepared.py): building it cost more than running it.
_EARLIER_COMMENTERS = Prepared(
    _earlier_commenters, entry=Entry, comment=Comment, commenter=User, owner=User
)


def _earlier_commenters_to_notify(entry: Entry, comment: Comment) -> list:
    """Members who commented on ``entry`` before ``comment``, other than its author and the
    entry's author, who may still see the entry and stand in no block with the commenter.

    Relations are symmetric, so how each candidate stands to the entry's author is what the
    entry's author sees of them: one query for all of them.
    """
    candidates = _EARLIER_COMMENTERS(
        entry=entry, comment=comment, commenter=comment.author, owner=entry.author
    )
    return [
        member for member in candidates
        if can_see(entry.visibility, annotated_relation(entry.author, member))
    ]


@transaction.atomic
def comment_delete(*, comment_id: int, user: User) -> int:
    """Delete comment ``comment_id`` if ``user`` wrote it or wrote the entry it is on (and can
    still see that entry); else Comment.DoesNotExist. Its notifications go with it.

    Returns the pk of the entry it was on.
    """
    comment = Comment.objects.get(
        Q(author=user) | Q(entry__author=user),
        pk=comment_id,
        # One a moderator hid is gone for its author too (the moderators' log points at it).
        hidden_at__isnull=True,
        entry__in=Entry.objects.visible_to(user),
    )
    about_withdraw(model=Comment, ids=[comment.pk])
    comment.delete()
    cache.bump(cache.comments(comment.entry_id))
    return comment.entry_id


def comments_seen_mark(*, user: User, at: datetime) -> None:
    """Remember that ``user`` has read the new comments up to ``at`` (never moving it back)."""
    preference, created = DiaryPreference.objects.get_or_create(
        user=user, defaults={"comments_seen_at": at}
    )
    if not created:
        # In the UPDATE itself, so that of two pages opened at once the later look wins.
        DiaryPreference.objects.filter(pk=preference.pk).filter(
            Q(comments_seen_at__isnull=True) | Q(comments_seen_at__lt=at)
        ).update(comments_seen_at=at)
    cache.bump(cache.seen(user))
