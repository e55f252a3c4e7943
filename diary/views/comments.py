"""Posting and deleting comments on diary entries (the comment kit's views, sns.comments).
Both answer POST only and go back to the entry page; what the member may not see is a 404."""

from django.urls import reverse
from django.views.decorators.http import require_POST

from diary import services
from sns.comments import comment_post, comment_remove


@require_POST
def comment_create(request, pk: int):
    return comment_post(
        request, thread=f"diary:{pk}", page_url=reverse("diary:entry", args=[pk]),
        create=lambda body: services.comment_create(entry_id=pk, author=request.user, body=body),
    )


@require_POST
def comment_delete(request, pk: int):
    return comment_remove(
        request,
        delete=lambda: services.comment_delete(comment_id=pk, user=request.user),
        page_url=lambda entry_id: reverse("diary:entry", args=[entry_id]),
    )
