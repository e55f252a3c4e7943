"""Entries: write (with preview), edit, delete, the entry page, its photos, a member's diary
and its monthly archive. Every read goes through ``Entry.objects.visible_to``; the owner-only
views load the entry through its author, so anyone else gets the same 404 as for nothing."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from accounts.selectors.connections import member_and_relation_or_404
from accounts.services import footprint_record
from sns import cache, images
from sns.comments import CommentForm, comment_cards, draft_form
from sns.errors import Refused
from sns.likes import like_states
from sns.middleware import public_where_allowed
from sns.paging import cursor_decode, cursor_encode
from sns.visibility import Relation, relation_between

from .. import selectors, services
from ..forms import EntryForm, allowed_level
from ..models import Entry, EntryPhoto

ENTRIES_PER_PAGE = 20


def _own_entry_or_404(request, pk: int) -> Entry:
    # An entry a moderator hid is gone for its author too: no edit page, no delete.
    return get_object_or_404(request.user.entries.filter(hidden_at__isnull=True), pk=pk)


# --- writing -------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def entry_new(request):
    level = allowed_level(selectors.diary_preference(request.user).default_visibility)
    form = EntryForm(request.POST or None, request.FILES or None, initial={"visibility": level})
    preview = request.method == "POST" and "preview" in request.POST
    if request.method == "POST" and form.is_valid() and not preview:
        try:
            entry = services.entry_create(
                author=request.user, **form.entry_fields(), photos=form.processed_photos
            )
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your diary entry was saved."))
            return redirect(entry)
    return render(request, "diary/entry_form.html", {
        "form": form, "entry": None, "preview": preview and form.is_valid(),
    })


@require_http_methods(["GET", "POST"])
def entry_edit(request, pk: int):
    entry = _own_entry_or_404(request, pk)
    form = EntryForm(request.POST or None, request.FILES or None, instance=entry)
    preview = request.method == "POST" and "preview" in request.POST
    if request.method == "POST" and form.is_valid() and not preview:
        try:
            entry = services.entry_update(
                entry=entry, **form.entry_fields(),
                new_photos=form.processed_photos, remove_positions=form.remove_positions(),
            )
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your diary entry was saved."))
            return redirect(entry)
    return render(request, "diary/entry_form.html", {
        "form": form, "entry": entry, "preview": preview and form.is_valid(),
    })


@require_http_methods(["GET", "POST"])
def entry_delete(request, pk: int):
    """GET asks to confirm; POST deletes the entry with its photos and comments."""
    entry = _own_entry_or_404(request, pk)
    if request.method == "POST":
        services.entry_delete(entry=entry)
        messages.success(request, _("Your diary entry was deleted."))
        return redirect("diary:member", request.user.pk)
    return render(request, "diary/entry_delete.html", {"entry": entry})


# --- reading -------------------------------------------------------------------------------

@public_where_allowed
@require_GET
def entry_detail(request, pk: int):
    """An entry and its comments. The page's content is kept as HTML per viewer ({% part %}
    in the template, sns.cache.rendered), built by ``_entry_page`` only when something it
    showed changed; whether the viewer may open it is asked on every request (one lookup of a
    kept part, ``_entry_head``)."""
    viewer = request.user
    head = _entry_head(viewer, pk)
    if head is None:
        raise Http404
    title, author_id = head
    footprint_record(visitor=viewer, owner=User(pk=author_id))
    before = request.GET.get("comments_before")
    cursor = cursor_decode(before)
    return render(request, "diary/entry.html", {
        "title": title,
        "entry_pk": pk,
        # The part's key: the cursor as read (a malformed one is the latest comments).
        "comments_before": cursor_encode(*cursor) if cursor else "",
        "showing_earlier": "comments_before" in request.GET,
        "page": SimpleLazyObject(lambda: _entry_page(viewer, pk, before)),
        "comment_form": draft_form(request, f"diary:{pk}", CommentForm),
    })


def _entry_scopes(viewer, pk: int) -> list:
    """What decides whether ``viewer`` may open entry ``pk``: its level and hiding, the
    viewer's relations and blocks, members' standing and the site's policy."""
    return [cache.entry(pk), cache.friends(viewer), cache.blocks(viewer), cache.PEOPLE]


def _entry_head(viewer, pk: int) -> tuple[str, int] | None:
    """The entry's title and author if ``viewer`` may open it, else None: kept (sns.cache)
    under ``_entry_scopes``."""
    return cache.cached(
        "entry-head", _entry_scopes(viewer, pk),
        lambda: Entry.objects.visible_to(viewer).filter(pk=pk).values_list(
            "title", "author_id"
        ).first(),
        key=(pk, viewer.pk),
    )


def _entry_page(viewer, pk: int, comments_before: str | None) -> dict:
    """What the entry's page shows ``viewer``, each read declared before it is read (but the
    names of those it shows: a rename is late by at most the part's timeout)."""
    # Its comments, too.
    cache.depends_on(*_entry_scopes(viewer, pk), cache.comments(pk))
    visible = Entry.objects.visible_to(viewer)
    entry = get_object_or_404(visible.for_list().prefetch_related("photos"), pk=pk)
    author = entry.author
    # Its other entries (the links to the one before and after).
    cache.depends_on(cache.member(author), cache.diary(author))
    relation = relation_between(viewer, author)
    same_author = visible.filter(author=author).only("pk", "title", "created_at")
    older = same_author.filter(
        Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk)
    ).order_by("-created_at", "-pk").first()
    newer = same_author.filter(
        Q(created_at__gt=entry.created_at) | Q(created_at=entry.created_at, pk__gt=entry.pk)
    ).order_by("created_at", "pk").first()
    comments, earlier_comments = selectors.entry_comments_page(entry, comments_before)
    cache.depends_on(*{cache.member(c.author_id) for c in comments if c.author_id})
    # The likes of the entry and of the comments shown, in one query.
    cache.depends_on(cache.likes("entry", pk))
    like_states(viewer, [entry, *comments])
    return {
        "entry": entry,
        "author": author,
        "shown": author.profile.shown_to(relation),
        "is_mine": viewer.is_authenticated and author.pk == viewer.pk,
        "older": older,
        "newer": newer,
        "cards": comment_cards(
            viewer, comments, deletes_any=viewer.pk == author.pk,
            delete_url=lambda c: reverse("diary:comment_delete", args=[c.pk]),
        ),
        "earlier_comments": earlier_comments,
    }


@public_where_allowed
@require_GET
def photo(request, pk: int, position: int, size: str):
    """One size of an entry's photo, to whoever may see the entry; 404 to everyone else."""
    if size not in images.SIZES:
        raise Http404
    found = get_object_or_404(
        EntryPhoto.objects.filter(entry__in=Entry.objects.visible_to(request.user)),
        entry_id=pk, position=position,
    )
    return images.private_response(found.image, size)


def _entries_of(viewer, member):
    """``member``'s entries that ``viewer`` may see, newest first, as every list shows them."""
    return (
        Entry.objects.visible_to(viewer).filter(author=member).for_list()
        .prefetch_related(Prefetch("photos", queryset=EntryPhoto.objects.order_by("position")))
        .order_by("-created_at", "-pk")
    )


def _months_of(viewer, member) -> list[dict]:
    """The months in which ``member`` wrote entries ``viewer`` may see, newest first, each
    with how many (months in the site's time zone)."""
    return list(
        Entry.objects.visible_to(viewer).filter(author=member)
        .annotate(month=TruncMonth("created_at"))
        .values("month").annotate(count=Count("pk")).order_by("-month")
    )


def _diary_page(request, member, relation, entries, **extra):
    footprint_record(visitor=request.user, owner=member)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "diary/member.html", {
        "member": member,
        "shown": member.profile.shown_to(relation),
        "is_mine": request.user.is_authenticated and member.pk == request.user.pk,
        "page": page,
        "months": _months_of(request.user, member),
        **extra,
    })


def _member_or_404(request, pk: int):
    """The member whose diary this is and how the viewer stands to them; 404 across a block,
    and for a visitor who is not logged in unless the member has public entries: a visitor
    may know of a member only through those (a profile needs a login)."""
    member, relation = member_and_relation_or_404(request.user, pk)
    if relation is Relation.ANONYMOUS and not (
        Entry.objects.visible_to(None).filter(author=member).exists()
    ):
        raise Http404
    return member, relation


@public_where_allowed
@require_GET
def member_diary(request, pk: int):
    member, relation = _member_or_404(request, pk)
    return _diary_page(request, member, relation, _entries_of(request.user, member))


@public_where_allowed
@require_GET
def archive(request, pk: int, year: int, month: int):
    if not (1 <= month <= 12 and 1 <= year < 9999):
        raise Http404
    member, relation = _member_or_404(request, pk)
    # The month in the site's time zone, as a range so that the author index serves it.
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    entries = _entries_of(request.user, member).filter(
        created_at__gte=start, created_at__lt=end
    )
    return _diary_page(request, member, relation, entries, archive_month=start)
