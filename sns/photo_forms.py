"""The photos of a form (kernel): up to N optional file fields, each upload checked and
re-encoded through the one image pipeline (``sns.images.process``) as the form is cleaned, a
refused one named on its own field. Diary entries and messages take it; more to come
(albums)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import images

# What the file inputs offer to pick (the pipeline decides what it takes).
ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class PhotoUploadsMixin:
    """For a form with ``photo_count`` photos: fields ``photo1``…, and after ``clean`` the
    re-encoded images in ``processed_photos``, in the fields' order."""

    photo_count = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n, name in enumerate(self.photo_names(), start=1):
            self.fields[name] = forms.FileField(
                label=_("Photo %(n)d") % {"n": n}, required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
                help_text=_("JPEG, PNG, WebP or GIF. Location data is removed.") if n == 1 else "",
            )
        self.processed_photos: list[images.ProcessedImage] = []

    def photo_names(self) -> list[str]:
        return [f"photo{n}" for n in range(1, self.photo_count + 1)]

    def photo_fields(self):
        return [self[name] for name in self.photo_names()]

    def clean(self):
        cleaned = super().clean()
        for name in self.photo_names():
            upload = cleaned.get(name)
            if upload:
                try:
                    self.processed_photos.append(images.process(upload))
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned
