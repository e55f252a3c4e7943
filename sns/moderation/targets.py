"""What members can report (通報): one row per kind of thing in ``TARGETS``.

Each row names the report page's ``?type=``, the model, whose it is, what to show of it and
how a reporter's view of it is found: through the model's ``visible_to(viewer)``, or for a
comment through the ``visible_to`` of what it is on. Adding a kind is one line.

Content with a ``hidden_at`` field can be hidden by a moderator; a member cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from sns.visibility import without_hidden_people

EXCERPT_CHARS = 200


@dataclass(frozen=True)
class Target:
    key: str
    model_label: str
    label: str | Promise
    # The field naming what a comment is on: the reporter must be able to see that.
    on: str = ""
    # The field naming the member the thing belongs to; "" when the thing is a member.
    owner: str = "author"
    title: str = ""
    text: str = "body"
    # The id its page gives it ("comment-12"): the anchor of a link to it.
    anchor: str = "comment"
    # Private (a message): the moderators see the reported thing and who it was written among,
    # nothing else of what it is on (no title, no link to its page, which they cannot open).
    private: bool = False

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def is_member(self) -> bool:
        return not self.owner

    @property
    def hideable(self) -> bool:
        return any(f.name == "hidden_at" for f in self.model._meta.concrete_fields)

    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)

    def visible_to(self, viewer) -> models.QuerySet:
        """The things of this kind ``viewer`` may see (and so report)."""
        model = self.model
        if self.is_member:
            # Members who left or are suspended, and any in a block with the viewer, are
            # not there for them.
            return without_hidden_people(model.objects.all(), "pk", viewer)
        if self.on:
            parent = model._meta.get_field(self.on).related_model
            found = model.objects.filter(**{f"{self.on}__in": parent.objects.visible_to(viewer)})
            found = without_hidden_people(found, f"{self.owner}_id", viewer)
        else:
            found = model.objects.visible_to(viewer)
        if self.hideable:
            found = found.filter(hidden_at__isnull=True)
        # What a member who left wrote (a comment or topic kept as "deleted member", an
        # off-kai kept without its creator) cannot be reported: a report needs a member to
        # report, and there is nobody left to warn or suspend. Moderators still hide it from
        # admin.
        return found.filter(**{f"{self.owner}__isnull": False})

    def with_owner(self) -> models.QuerySet:
        """Every thing of this kind, each with its member's profile (for lists)."""
        if self.is_member:
            return self.model.objects.select_related("profile")
        return self.model.objects.select_related(f"{self.owner}__profile")

    def owner_of(self, thing):
        """The member ``thing`` belongs to (the member themself for a member)."""
        return thing if self.is_member else getattr(thing, self.owner)

    def url(self, thing) -> str:
        """Where ``thing`` is shown on the site (a comment: its anchor on the page)."""
        if self.on:
            return f"{getattr(thing, self.on).get_absolute_url()}#{self.anchor}-{thing.pk}"
        return thing.get_absolute_url()

    def heading(self, thing) -> str:
        """A title for ``thing``: its own, or that of what a comment is on."""
        if self.is_member:
            return thing.display_name
        if self.private:
            # Who it was written among: the members of what it is on.
            members = getattr(thing, self.on).participants.select_related("member")
            return ", ".join(p.member.display_name for p in members.order_by("pk"))
        if self.title:
            return getattr(thing, self.title)
        if self.on:
            return str(getattr(thing, self.on))
        return ""

    def excerpt(self, thing, chars: int = EXCERPT_CHARS) -> str:
        """The start of ``thing``'s text, as plain text."""
        if self.is_member:
            return ""
        return Truncator(" ".join(getattr(thing, self.text).split())).chars(chars)


TARGETS: tuple[Target, ...] = (
    Target("entry", "diary.Entry", _("diary entry"), title="title"),
    Target("comment", "diary.Comment", _("comment on a diary entry"), on="entry"),
    Target("topic", "communities.Topic", _("community topic"), title="title"),
    Target("topic_comment", "communities.TopicComment", _("comment in a topic"), on="topic"),
    Target("event", "offkai.Event", _("off-kai"), owner="created_by", title="title",
           text="description"),
    Target("event_comment", "offkai.EventComment", _("comment on an off-kai"), on="event"),
    Target("message", "conversations.Message", _("private message"), on="conversation",
           anchor="message", private=True),
    Target("album", "albums.Album", _("photo album"), owner="owner", title="title",
           text="description"),
    Target("album_photo", "albums.AlbumPhoto", _("photo in an album"), on="album",
           owner="uploader", text="caption", anchor="photo"),
    Target("album_comment", "albums.AlbumPhotoComment", _("comment on an album photo"),
           on="photo"),
    Target("member", "accounts.User", _("member"), owner="", text=""),
)

_BY_KEY = {target.key: target for target in TARGETS}


def by_key(key: str) -> Target | None:
    return _BY_KEY.get(key)


def for_model(model: type[models.Model]) -> Target | None:
    label = model._meta.label
    return next((t for t in TARGETS if t.model_label == label), None)


def for_thing(thing: models.Model) -> Target | None:
    return for_model(type(thing))


def for_content_type_id(content_type_id: int) -> Target | None:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return for_model(model) if model is not None else None
