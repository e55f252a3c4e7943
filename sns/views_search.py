"""The search page: /search/?q=…[&kind=members|communities|diaries|topics|topic_comments|events]
[&page=N]."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.connections import cards

from . import search


def _page_number(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1


@require_GET
def search_page(request):
    """Everything the member may see that matches: a few of each kind, or one kind by pages."""
    query = (request.GET.get("q") or "").strip()[: search.MAX_QUERY_LENGTH]
    kind = request.GET.get("kind")
    if kind not in search.KINDS:
        kind = None
    tsquery = search.tsquery(query) if query else None
    context = {"query": query, "kind": kind, "searched": tsquery is not None,
               "kinds": list(search.KINDS)}
    if tsquery is not None:
        if kind is None:
            sections = [
                search.page_of(name, request.user, tsquery, 1, size=search.PREVIEW_SIZE)
                for name in search.KINDS
            ]
        else:
            number = _page_number(request.GET.get("page"))
            sections = [search.page_of(kind, request.user, tsquery, number)]
            context["number"] = number
            context["previous_url"] = "?" + urlencode(
                {"q": query, "kind": kind, "page": number - 1}
            ) if number > 1 else ""
            context["next_url"] = "?" + urlencode(
                {"q": query, "kind": kind, "page": number + 1}
            ) if sections[0].has_more and number < search.MAX_PAGES else ""
        for section in sections:
            if section.kind == "members":
                section.rows = cards(request.user, section.rows)
            section.more_url = "?" + urlencode({"q": query, "kind": section.kind})
        context["sections"] = sections
    return render(request, "sns/search.html", context)
