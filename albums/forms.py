"""Album forms: an album's title, description and level; many photos in one upload, each
through the one image pipeline as the form is cleaned; a photo's caption."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from diary.forms import level_choices
from sns import images
from sns.photo_forms import ACCEPT
from sns.visibility import Level

from .models import CAPTION_MAX_LENGTH, MAX_PHOTOS_PER_UPLOAD, Album


class AlbumForm(forms.ModelForm):
    """A member's album (with its level) or a community's (``community=True``: seen as the
    community is, so no level)."""

    class Meta:
        model = Album
        fields = ["title", "description", "visibility"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "description": _("Markdown works: **bold**, *italic*, lists and links."),
        }

    def __init__(self, *args, community: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if community:
            del self.fields["visibility"]
        else:
            self.fields["visibility"].choices = level_choices()
            self.fields["visibility"].label = _("Who can see it")

    def album_fields(self) -> dict:
        data = self.cleaned_data
        fields = {"title": data["title"], "description": data.get("description", "")}
        if "visibility" in self.fields:
            fields["visibility"] = data.get("visibility") or Level.FRIENDS
        return fields


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _named(upload, error: forms.ValidationError) -> forms.ValidationError:
    """``error`` about one of several files, naming it (as text: templates escape it)."""
    return forms.ValidationError(
        _("“%(name)s”: %(reason)s") % {
            "name": (getattr(upload, "name", "") or "")[:100], "reason": " ".join(error.messages),
        },
        code="file",
    )


def _none_added(errors: list) -> forms.ValidationError:
    return forms.ValidationError([*errors, forms.ValidationError(
        _("No photo was added. Choose the photos again without the ones named."),
        code="none_added",
    )])


class MultiplePhotoField(forms.FileField):
    """Many files in one input (``<input type=file multiple>``): each checked as a file field
    checks one, then through the image pipeline (``images.process``); those refused are
    named, and then none is taken. Cleaned, it is the list of re-encoded images."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not items:
            super().clean(None, initial)  # "required", when it is
            return []
        if len(items) > MAX_PHOTOS_PER_UPLOAD:
            raise forms.ValidationError(
                _("Add at most %(n)d photos at a time (you chose %(count)d).")
                % {"n": MAX_PHOTOS_PER_UPLOAD, "count": len(items)},
                code="too_many",
            )
        processed, errors = [], []
        for item in items:
            try:
                processed.append(images.process(super().clean(item, initial)))
            except forms.ValidationError as error:
                errors.append(_named(item, error))
        if errors:
            raise _none_added(errors)
        return processed


class PhotosUploadForm(forms.Form):
    """Up to MAX_PHOTOS_PER_UPLOAD photos at once, each re-encoded as the form is cleaned
    (the results in ``processed_photos``, only when every one passed)."""

    photos = MultiplePhotoField(
        label=_("Photos"), required=True,
        error_messages={"required": _("Choose at least one photo to add.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the language of the request (not of the process that imported the form).
        self.fields["photos"].help_text = _(
            "Choose up to %(n)d photos at once: JPEG, PNG, WebP or GIF. Location data is "
            "removed."
        ) % {"n": MAX_PHOTOS_PER_UPLOAD}

    @property
    def processed_photos(self) -> list[images.ProcessedImage]:
        return self.cleaned_data.get("photos") or []


class CaptionForm(forms.Form):
    caption = forms.CharField(
        label=_("Caption"), max_length=CAPTION_MAX_LENGTH, required=False,
    )
