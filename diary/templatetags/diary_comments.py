"""What templates/diary/partials/comments.html needs from the request: the viewer's view of
each comment and the comment form with any refused text."""

from django import template

from diary.forms import comment_form_for
from sns.comments import comment_cards as cards_for

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_cards(context, entry, comments):
    """``sns.comments.comment_cards`` for the viewer of the page: the entry's author may
    delete any comment on it."""
    viewer = context["request"].user
    return cards_for(viewer, comments, deletes_any=viewer.pk == entry.author_id)


@register.simple_tag(takes_context=True)
def comment_form(context, entry_id: int, form=None):
    """``form`` if the page passed one, else the comment form of entry ``entry_id`` (with a
    refused draft)."""
    return form or comment_form_for(context["request"], entry_id)
