"""Friends' diaries (友だちの日記) and new comments (新着コメント)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from diary import feeds, services
from sns.paging import instant_decode, instant_encode


def friends(request):
    """My friends' latest entries that I may see, newest first, a cursor page at a time."""
    page = feeds.friends_page(request.user, request.GET.get("before"))
    return render(request, "diary/friends.html", {"page": page})


def new_comments(request):
    """Entries I wrote or commented on with comments newer than my last look.

    Opening the first page moves my last look to now; the later pages keep the look the first
    page started from (``?since=``), so they still list what it listed.
    """
    since = instant_decode(request.GET.get("since"))
    first_look = since is None
    # Taken before reading: a comment written while the page is being made stays new.
    now = timezone.now()
    if since is None:
        since = feeds.comments_seen_at(request.user)
    page = Paginator(
        feeds.new_comments(request.user, since), feeds.NEW_COMMENTS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    response = render(request, "diary/new_comments.html", {
        "page": page,
        "items": feeds.with_shown_authors(request.user, page.object_list),
        "since": instant_encode(since),
        "since_time": since,
    })
    if first_look:
        services.comments_seen_mark(user=request.user, at=now)
    return response

