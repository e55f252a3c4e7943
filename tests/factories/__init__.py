"""The one builder of test data: ``from tests import factories``, then ``factories.member()``,
``factories.entry(author, level)``, ``factories.community(creator, members=[…])``.

Members, friendships and invitations are made through the services the site uses, as are
communities, topics and reports; diary entries and off-kai are rows made directly, so a test
can say when they were written or place them in the past. One module per app; each builder is
defined once, here re-exported.
"""

from tests.factories.albums import album, album_comment, album_photo
from tests.factories.communities import category, community, join, topic, topic_comment
from tests.factories.diary import entry, entry_comment, entry_photo
from tests.factories.images import image_file
from tests.factories.invites import (
    expire,
    invitation,
    invitations_in_every_state,
    redeem,
    signup_data,
)
from tests.factories.members import PASSWORD, befriend, member
from tests.factories.moderation import report
from tests.factories.offkai import answer, event

__all__ = [
    "PASSWORD",
    "album",
    "album_comment",
    "album_photo",
    "answer",
    "befriend",
    "category",
    "community",
    "entry",
    "entry_comment",
    "entry_photo",
    "event",
    "expire",
    "image_file",
    "invitation",
    "invitations_in_every_state",
    "join",
    "member",
    "redeem",
    "report",
    "signup_data",
    "topic",
    "topic_comment",
]
