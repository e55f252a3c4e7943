"""Posting and deleting comments on diary entries. Both answer POST only and go back to the
entry page; what the member may not see is a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from diary import services
from diary.models import Comment, Entry
from sns.comments import draft_keep
from sns.errors import Refused


@require_POST
def comment_create(request, pk: int):
    body = request.POST.get("body", "")
    try:
        comment = services.comment_create(entry_id=pk, author=request.user, body=body)
    except Entry.DoesNotExist:
        raise Http404 from None
    except Refused as error:
        message = str(error)
        draft_keep(request, thread=f"diary:{pk}", body=body, error=message)
        messages.error(request, _("Your comment was not posted: %(reason)s") % {"reason": message})
        return redirect(reverse("diary:entry", args=[pk]) + "#comment-form")
    return redirect(reverse("diary:entry", args=[pk]) + f"#comment-{comment.pk}")


@require_POST
def comment_delete(request, pk: int):
    try:
        entry_id = services.comment_delete(comment_id=pk, user=request.user)
    except Comment.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The comment was deleted."))
    return redirect(reverse("diary:entry", args=[entry_id]) + "#comments")
