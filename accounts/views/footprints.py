"""あしあと: the page of who visited my page."""

from django.core.paginator import Paginator
from django.shortcuts import render

from ..selectors.connections import cards
from ..selectors.footprints import FOOTPRINT_DAYS, visitors_of

FOOTPRINTS_PER_PAGE = 30


def footprints(request):
    """My visitors of the last 30 days, newest first, each shown as they let me see them."""
    page = Paginator(visitors_of(request.user), FOOTPRINTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = cards(request.user, [footprint.visitor for footprint in page])
    return render(request, "accounts/footprints.html", {
        "page": page,
        "visits": [
            (footprint, visitor, shown)
            for footprint, (visitor, shown) in zip(page, shown, strict=True)
        ],
        "days": FOOTPRINT_DAYS,
    })
