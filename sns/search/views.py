"""The search page: /search/?q=…[&kind=members|communities|diaries|topics|topic_comments|events]
[&page=N]."""

from __future__ import annotations

import hashlib

from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.selectors.connections import cards
from sns import cache, matching

from . import selectors


def _page_number(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1


# How long a page of results is kept at most. What a write adds to a search (a new entry
# with the word, one made visible) shows within selectors.FOUND_EVERY seconds, when the matches
# kept for everyone are checked again; what it takes away (hidden, narrowed, blocked) on the
# next search. This bounds the rest: what changes who may see a result without a change to
# the result's own row or the viewer's relations (a member made co-host of an off-kai).
KEPT_FOR = 10 * 60


@require_GET
def search_page(request):
    """Everything the member may see that matches: a few of each kind, or one kind by pages.

    The results are kept as HTML per viewer and search ({% part %} in the template,
    sns.cache.rendered) for ``KEPT_FOR`` seconds at most, and until what the search finds
    for everyone changes (``selectors.recheck``, first), something they show changes, or the
    viewer's relations do (``_sections`` declares it)."""
    query = (request.GET.get("q") or "").strip()[: matching.MAX_QUERY_LENGTH]
    kind = request.GET.get("kind")
    if kind not in selectors.KINDS:
        kind = None
    tsquery = matching.tsquery(query) if query else None
    context = {"query": query, "kind": kind, "searched": tsquery is not None,
               "kinds": list(selectors.KINDS), "kept_for": KEPT_FOR}
    if tsquery is not None:
        selectors.recheck(tsquery, [kind] if kind else selectors.KINDS)
        number = _page_number(request.GET.get("page")) if kind else 1
        number = max(1, min(number, selectors.MAX_PAGES))
        context["number"] = number
        # The part's key: the words as shown, the kind and the page (a digest: any length).
        context["search_key"] = hashlib.blake2b(
            f"{query}\n{kind}\n{number}".encode(), digest_size=12
        ).hexdigest()
        context["sections"] = SimpleLazyObject(
            lambda: _sections(request.user, query, tsquery, kind, number)
        )
        if kind is not None:
            context["previous_url"] = "?" + urlencode(
                {"q": query, "kind": kind, "page": number - 1}
            ) if number > 1 else ""
            context["next_url"] = SimpleLazyObject(lambda: "?" + urlencode(
                {"q": query, "kind": kind, "page": number + 1}
            ) if context["sections"][0].has_more and number < selectors.MAX_PAGES else "")
    return render(request, "sns/search.html", context)


def _sections(viewer, query: str, tsquery: str, kind: str | None,
              number: int) -> list[selectors.Results]:
    """The results the page shows, each read declared before it is read: who the viewer may
    see (their friends, blocks and communities, members' standing), then each item shown
    (an entry, a community, an off-kai, a member: its edits, hiding and narrowing)."""
    # The viewer's own answers, which the cards of off-kai show them.
    cache.depends_on(cache.friends(viewer), cache.blocks(viewer), cache.memberships(viewer),
                     cache.offkai(viewer), cache.PEOPLE)
    if kind is None:
        sections = [selectors.page_of(name, viewer, tsquery, 1, size=selectors.PREVIEW_SIZE)
                    for name in selectors.KINDS]
    else:
        sections = [selectors.page_of(kind, viewer, tsquery, number)]
    for section in sections:
        cache.depends_on(*_shown(section))
        if section.kind == "events":
            # Upcoming off-kai come first: one that ends moves down among the past ones.
            ends = [e.ends_at for e in section.rows if e.upcoming]
            if ends:
                cache.holds_until(min(ends))
        if section.kind == "members":
            section.rows = cards(viewer, section.rows)
        section.more_url = "?" + urlencode({"q": query, "kind": section.kind})
    return sections


def _shown(section: selectors.Results) -> set:
    """The scopes of what one kind of results shows."""
    rows = section.rows
    if section.kind == "members":
        return {cache.member(m) for m in rows}
    if section.kind == "communities":
        return {cache.community(c) for c in rows}
    if section.kind == "diaries":
        return {*(cache.entry(e) for e in rows), *(cache.member(e.author_id) for e in rows)}
    if section.kind == "topics":
        return {*(cache.community(t.community_id) for t in rows),
                *(cache.member(t.author_id) for t in rows if t.author_id)}
    if section.kind == "topic_comments":
        return {*(cache.community(c.topic.community_id) for c in rows),
                *(cache.member(c.author_id) for c in rows if c.author_id)}
    return {*(cache.event(e) for e in rows),
            *(cache.community(e.community_id) for e in rows if e.community_id)}
