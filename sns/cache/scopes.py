"""The scopes kept parts are filed under: a member's or a community's id, or a model
instance (who bumps each: the package's docstring)."""

from __future__ import annotations

from .store import Scope

PEOPLE: Scope = ("people",)


def _id(thing) -> int:
    return getattr(thing, "pk", thing)


def member(member) -> Scope:
    return ("member", _id(member))


def inbox(member) -> Scope:
    return ("inbox", _id(member))


def requests(member) -> Scope:
    """The friend requests ``member`` received or sent (also bumps ``inbox``, before)."""
    return ("requests", _id(member))


def friends(member) -> Scope:
    return ("friends", _id(member))


def blocks(member) -> Scope:
    return ("blocks", _id(member))


def memberships(member) -> Scope:
    return ("memberships", _id(member))


def community(community) -> Scope:
    return ("community", _id(community))


def feed(member) -> Scope:
    return ("feed", _id(member))


def commented(member) -> Scope:
    return ("commented", _id(member))


# Every member's list of upcoming off-kai (home): an off-kai made, moved, shown again or with
# other hosts, rare beside the pages that list them.
EVENTS: Scope = ("events",)


def offkai(member) -> Scope:
    """The off-kai ``member`` answered (home lists those first)."""
    return ("offkai", _id(member))


# What a rendered part (``rendered`` below) shows of one row, and of a member's own marks.


def entry(entry) -> Scope:
    """A diary entry as a list shows it: its title, who may see it (its comments are
    ``comments``)."""
    return ("entry", _id(entry))


def comments(entry) -> Scope:
    """A diary entry's comments: one written, deleted, hidden or shown again (its page; lists
    show the count through a hole, ``holes`` below)."""
    return ("comments", _id(entry))


def diary(member) -> Scope:
    """``member``'s entries as a whole: one written, deleted, or its level or title changed
    (an entry's page links the one before and after)."""
    return ("diary", _id(member))


def event(event) -> Scope:
    """An off-kai as its card shows it: when, where, its title, its places, cancelled (who
    answered is ``answers``)."""
    return ("event", _id(event))


def answers(event) -> Scope:
    """An off-kai's answers: who comes, the places taken (its page; cards show the places
    through a hole). A member's own answer, which their cards show, bumps their ``offkai``."""
    return ("answers", _id(event))


def conversation(conversation) -> Scope:
    """A conversation's messages and members as its page shows them (a member's own marks,
    read or archived, are outside the kept part)."""
    return ("conversation", _id(conversation))


def album(album) -> Scope:
    """A photo album as lists show it: its title, cover, level, number of photos; deleted
    or hidden (its page reads it on each request)."""
    return ("album", _id(album))


def albums(member) -> Scope:
    """``member``'s albums as a whole: one made, edited, deleted or hidden, photos added (their
    profile lists them)."""
    return ("albums", _id(member))


def friends_albums(member) -> Scope:
    """``member``'s friends' new albums (home): a friend's album made, given photos, or no
    longer private (what goes is each album's ``album``)."""
    return ("friends_albums", _id(member))


def footprints(member) -> Scope:
    """The visits to ``member``'s page (home counts them)."""
    return ("footprints", _id(member))


def invites(member) -> Scope:
    """The invitations ``member`` sent: those using the quota, those accepted."""
    return ("invites", _id(member))


def introductions(member) -> Scope:
    """The introductions friends wrote on ``member``'s page."""
    return ("introductions", _id(member))


def seen(member) -> Scope:
    """Where ``member`` left off reading new comments and new topics."""
    return ("seen", _id(member))


# The announcements sent (to everyone or to a community's members).
ANNOUNCEMENTS: Scope = ("announcements",)


def likes(kind: str, pk: int) -> Scope:
    """The likes of a page's main thing (sns.likes: an entry, a topic, an off-kai, a photo)
    and of its comments: one liked or unliked."""
    return ("likes", kind, pk)
