"""Albums: mine (with my album space), a new one (mine or a community's), an album's page
with its photos in order, editing, deleting, adding photos; a member's albums and a
community's. Every album is read through ``Album.objects.visible_to``; what a viewer may not
see, or may not change, is the same 404 as nothing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.selectors.connections import member_and_relation_or_404
from communities import selectors as community_selectors
from diary.forms import allowed_level
from diary.selectors import diary_preference
from sns.client_input import id_or_none
from sns.errors import Refused
from sns.middleware import public_where_allowed
from sns.visibility import Relation, relation_between

from .. import selectors, services
from ..forms import AlbumForm, PhotosUploadForm
from ..models import MAX_PHOTOS_PER_UPLOAD, Album

ALBUMS_PER_PAGE = 24
PHOTOS_PER_PAGE = 60


def _page(request, rows, size: int):
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _posted(request):
    """The form's data on a POST (bound even when empty: an empty post is told what is
    missing), None on a GET."""
    return request.POST if request.method == "POST" else None


def _editable_or_404(request, pk: int) -> Album:
    album = selectors.album_or_404(request.user, pk)
    if not selectors.may_edit(album, request.user):
        raise Http404
    return album


# --- lists ------------------------------------------------------------------------------------

@require_GET
def mine(request):
    """My albums and how much of my album space they take."""
    albums = selectors.albums_of(request.user, request.user)
    return render(request, "albums/mine.html", {
        "page": _page(request, albums, ALBUMS_PER_PAGE),
        "space": selectors.space_of(request.user),
    })


@public_where_allowed
@require_GET
def member_albums(request, pk: int):
    """A member's albums that the viewer may see (a visitor: public ones, and only of a
    member who has some)."""
    member, relation = member_and_relation_or_404(request.user, pk)
    albums = selectors.albums_of(member, request.user)
    if relation is Relation.ANONYMOUS and not albums.exists():
        raise Http404
    return render(request, "albums/member.html", {
        "member": member, "shown": member.profile.shown_to(relation),
        "is_mine": relation is Relation.SELF,
        "page": _page(request, albums, ALBUMS_PER_PAGE),
    })


@require_GET
def community_albums(request, pk: int):
    """A community's albums (seen as the community is), and a way to start one for its
    members."""
    community = community_selectors.community_or_404(request.user, pk)
    return render(request, "albums/community.html", {
        "community": community,
        "page": _page(request, selectors.community_albums(community, request.user),
                      ALBUMS_PER_PAGE),
        "may_make": selectors.may_make_community_album(community, request.user),
    })


# --- writing ----------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def new(request):
    """A new album of mine, or (``?community=<id>``) of a community I am in."""
    community = None
    community_id = id_or_none(request.GET.get("community"))
    if "community" in request.GET:
        if community_id is None:
            raise Http404
        community = community_selectors.community_or_404(request.user, community_id)
        if not selectors.may_make_community_album(community, request.user):
            raise Http404
    level = allowed_level(diary_preference(request.user).default_visibility)
    form = AlbumForm(_posted(request), community=community is not None,
                     initial={"visibility": level})
    if request.method == "POST" and form.is_valid():
        try:
            album = services.album_create(owner=request.user, community=community,
                                          **form.album_fields())
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your album was made. Now add photos to it."))
            return redirect("albums:upload", album.pk)
    return render(request, "albums/album_form.html", {
        "form": form, "album": None, "community": community,
    })


@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    album = _editable_or_404(request, pk)
    form = AlbumForm(_posted(request), instance=album, community=album.is_community)
    if request.method == "POST" and form.is_valid():
        try:
            album = services.album_update(album_id=album.pk, editor=request.user,
                                          **form.album_fields())
        except ObjectDoesNotExist:
            raise Http404 from None
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The album was saved."))
            return redirect(album)
    return render(request, "albums/album_form.html", {
        "form": form, "album": album, "community": album.community,
    })


@require_http_methods(["GET", "POST"])
def delete(request, pk: int):
    """GET asks to confirm; POST deletes the album with all its photos and comments."""
    album = _editable_or_404(request, pk)
    if request.method == "POST":
        try:
            services.album_delete(album_id=album.pk, editor=request.user)
        except ObjectDoesNotExist:
            raise Http404 from None
        messages.success(request, _("The album was deleted."))
        if album.community_id:
            return redirect("albums:community", album.community_id)
        return redirect("albums:mine")
    return render(request, "albums/album_delete.html", {"album": album})


@require_http_methods(["GET", "POST"])
def upload(request, pk: int):
    """Add photos, many at once: each through the image pipeline; one refused names its
    file and none of them is kept; past the album space, nothing is kept either."""
    album = selectors.album_or_404(request.user, pk)
    if not selectors.may_add(album, request.user):
        raise Http404
    form = PhotosUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        try:
            added = services.photos_upload(album_id=album.pk, uploader=request.user,
                                           photos=form.processed_photos)
        except ObjectDoesNotExist:
            raise Http404 from None
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, ngettext(
                "%(n)d photo was added.", "%(n)d photos were added.", len(added)
            ) % {"n": len(added)})
            return redirect(album)
    return render(request, "albums/upload.html", {
        "form": form, "album": album, "space": selectors.space_of(request.user),
        "max_photos": MAX_PHOTOS_PER_UPLOAD,
    })


# --- reading ----------------------------------------------------------------------------------

@public_where_allowed
@require_GET
def detail(request, pk: int):
    """An album: its description and its photos in order (a page of them); its editors move
    photos, those who may add photos add them."""
    viewer = request.user
    album = selectors.album_or_404(viewer, pk)
    owner = album.owner
    shown = None
    if owner is not None:
        shown = owner.profile.shown_to(relation_between(viewer, owner))
    editor = selectors.may_edit(album, viewer)
    return render(request, "albums/detail.html", {
        "album": album, "shown": shown,
        "is_mine": viewer.is_authenticated and album.owner_id == viewer.pk,
        "editor": editor,
        "may_add": selectors.may_add(album, viewer),
        "page": _page(request, selectors.photos_of(album, viewer), PHOTOS_PER_PAGE),
    })
