"""How a row names itself (its ``__str__``) where the admin shows it: the object page's
heading, the breadcrumbs, "recent actions", the delete confirmation, related-object links.

Words in the reader's language, ids rather than names: admin lists call ``__str__`` once per
row, and a name would cost a query per row (a member's name is on their profile). The
columns beside it show the names.
"""

from django.utils.translation import gettext as _


def member_ref(user_id: int | None) -> str:
    """A member by id; ``None`` is one who left the site (their comments stay)."""
    if user_id is None:
        return _("deleted member")
    return _("member %(id)s") % {"id": user_id}
