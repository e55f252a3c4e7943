"""Friends' diaries (友だちの日記) and new comments (新着コメント)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from diary import selectors, services
from sns.paging import cursor_decode, cursor_encode, instant_decode, instant_encode


def friends(request):
    """My friends' latest entries that I may see, newest first, a cursor page at a time.
    Kept as HTML per member and page ({% part %} in the template): read only to build it."""
    before = request.GET.get("before")
    cursor = cursor_decode(before)
    return render(request, "diary/friends.html", {
        # The page's key: the cursor as read (a malformed one is the first page).
        "before": cursor_encode(*cursor) if cursor else "",
        "page": SimpleLazyObject(lambda: selectors.friends_page(request.user, before)),
    })


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
        since = selectors.comments_seen_at(request.user)
    page = Paginator(
        selectors.new_comments(request.user, since), selectors.NEW_COMMENTS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    response = render(request, "diary/new_comments.html", {
        "page": page,
        "items": selectors.with_shown_authors(request.user, page.object_list),
        "since": instant_encode(since),
        "since_time": since,
    })
    if first_look:
        services.comments_seen_mark(user=request.user, at=now)
    return response

