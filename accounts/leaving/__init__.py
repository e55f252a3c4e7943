"""Leaving the site (退会): a member downloads their data (``export``) and deletes their
account (``services.member_leave``). What they wrote on others' pages stays, shown as by
"deleted member": the author column is NULL, and every reader shows ``DELETED_MEMBER``.

This module stays light (no services imported), since the comment readers of every app
import ``DELETED_MEMBER`` from it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import ShownProfile

# What a comment or topic of a member who left shows in place of its author: a name, no
# photo, no link (templates test ``author_id``).
DELETED_MEMBER = ShownProfile(
    name=_("deleted member"), name_kana="", other_name="", company="", title="", photo="",
    introduction="", interests=[],
)


def shown_author(thing, relations: dict, default):
    """``thing.author`` as the viewer may see them (``relations`` from ``relations_to``), or
    DELETED_MEMBER when the author left the site."""
    if thing.author_id is None:
        return DELETED_MEMBER
    return thing.author.profile.shown_to(relations.get(thing.author_id, default))
