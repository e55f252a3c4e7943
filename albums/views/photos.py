"""A photo's page (the photo large, its caption, the ones before and after, its comments),
its caption, its place in the album's order, making it the cover, deleting it, its files
(served through the album's visibility), and its comments (the comment kit's views)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sns import images
from sns.comments import CommentForm, comment_cards, comment_post, comment_remove, draft_form
from sns.errors import Refused
from sns.likes import like_states
from sns.middleware import public_where_allowed
from sns.visibility import Relation, relations_to

from .. import selectors, services
from ..forms import CaptionForm
from ..models import AlbumPhoto


def _photo_page(request, photo: AlbumPhoto, caption_form: CaptionForm | None = None):
    viewer = request.user
    album = photo.album
    editor = selectors.may_edit(album, viewer)
    may_change = selectors.may_change_photo(photo, viewer, editor=editor)
    before, after = selectors.neighbours(photo, viewer)
    comments, earlier = selectors.photo_comments_page(
        photo, request.GET.get("comments_before")
    )
    like_states(viewer, [photo])
    people = [photo.uploader] + [c.author for c in comments if c.author_id]
    relations = relations_to(viewer, people)
    # Photos of members who left or are suspended are not shown at all (visible_to).
    shown = photo.uploader.profile.shown_to(relations.get(photo.uploader_id, Relation.MEMBER))
    if may_change and caption_form is None:
        caption_form = CaptionForm(initial={"caption": photo.caption})
    return render(request, "albums/photo.html", {
        "photo": photo, "album": album, "uploader_shown": shown,
        "editor": editor, "may_change": may_change, "caption_form": caption_form,
        "before": before, "after": after,
        "cards": comment_cards(
            viewer, comments, deletes_any=may_change, relations=relations,
            delete_url=lambda c: reverse("albums:comment_delete", args=[c.pk]),
        ),
        "earlier_comments": earlier,
        "showing_earlier": "comments_before" in request.GET,
        "comment_form": draft_form(request, f"albums:{photo.pk}", CommentForm),
    }, status=400 if caption_form is not None and caption_form.errors else 200)


@public_where_allowed
@require_GET
def photo(request, pk: int):
    return _photo_page(request, selectors.photo_or_404(request.user, pk))


@public_where_allowed
@require_GET
def photo_file(request, pk: int, size: str):
    """One size of an album photo, to whoever may see it; 404 to everyone else."""
    if size not in images.SIZES:
        raise Http404
    found = AlbumPhoto.objects.visible_to(request.user).filter(pk=pk).values_list(
        "image", flat=True
    ).first()
    if found is None:
        raise Http404
    return images.private_response(found, size)


@require_POST
def caption(request, pk: int):
    found = selectors.photo_or_404(request.user, pk)
    form = CaptionForm(request.POST)
    if form.is_valid():
        try:
            services.photo_caption_update(photo_id=pk, editor=request.user,
                                          caption=form.cleaned_data["caption"])
        except ObjectDoesNotExist:
            raise Http404 from None
        except Refused as error:
            form.add_error("caption", error)
        else:
            messages.success(request, _("The caption was saved."))
            return redirect(found)
    if not selectors.may_change_photo(found, request.user,
                                      editor=selectors.may_edit(found.album, request.user)):
        raise Http404
    return _photo_page(request, found, form)


@require_POST
def cover(request, pk: int):
    try:
        found = services.photo_cover_set(photo_id=pk, editor=request.user)
    except ObjectDoesNotExist:
        raise Http404 from None
    messages.success(request, _("This photo is now the album's cover."))
    if request.POST.get("from") == "album":
        # Back to where the button was: the album, at the photo.
        return redirect(f"{reverse('albums:detail', args=[found.album_id])}#photo-{pk}")
    return redirect(found)


@require_POST
def move(request, pk: int):
    """Move the photo one place earlier (``by=-1``) or later (``by=1``); back to the album
    at the photo (works without JavaScript)."""
    by = {"-1": -1, "1": 1}.get(request.POST.get("by", ""))
    if by is None:
        messages.error(request, _("Choose whether to move the photo earlier or later."))
        found = selectors.photo_or_404(request.user, pk)
        return redirect(f"{found.album.get_absolute_url()}#photo-{pk}")
    try:
        moved = services.photo_move(photo_id=pk, editor=request.user, by=by)
    except ObjectDoesNotExist:
        raise Http404 from None
    return redirect(f"{reverse('albums:detail', args=[moved.album_id])}#photo-{pk}")


@require_http_methods(["GET", "POST"])
def delete(request, pk: int):
    """GET asks to confirm; POST deletes the photo with its comments."""
    found = selectors.photo_or_404(request.user, pk)
    if not selectors.may_change_photo(found, request.user,
                                      editor=selectors.may_edit(found.album, request.user)):
        raise Http404
    if request.method == "POST":
        try:
            album = services.photo_delete(photo_id=pk, editor=request.user)
        except ObjectDoesNotExist:
            raise Http404 from None
        messages.success(request, _("The photo was deleted."))
        return redirect(album)
    return render(request, "albums/photo_delete.html", {"photo": found})


# --- comments (sns.comments) -----------------------------------------------------------------

@require_POST
def comment_create(request, pk: int):
    return comment_post(
        request, thread=f"albums:{pk}", page_url=reverse("albums:photo", args=[pk]),
        create=lambda body: services.comment_create(photo_id=pk, author=request.user,
                                                    body=body),
    )


@require_POST
def comment_delete(request, pk: int):
    return comment_remove(
        request,
        delete=lambda: services.comment_delete(comment_id=pk, user=request.user),
        page_url=lambda photo_id: reverse("albums:photo", args=[photo_id]),
    )
