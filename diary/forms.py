from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sns.photo_forms import PhotoUploadsMixin
from sns.visibility import Level

from .models import MAX_PHOTOS, DiaryPreference, Entry


def level_choices() -> list[tuple[str, str]]:
    """The levels a member may give an entry: PUBLIC only where the site has public pages."""
    return [
        (value, label) for value, label in Level.choices
        if value != Level.PUBLIC or settings.SITE_PUBLIC_PAGES
    ]


def allowed_level(level: str) -> str:
    """``level`` if the site allows it now, else the widest level it does allow."""
    return level if level in dict(level_choices()) else Level.MEMBERS


class EntryForm(PhotoUploadsMixin, forms.ModelForm):
    """Write or edit an entry. Photos are checked and re-encoded in ``clean`` (the results are
    in ``processed_photos``); with an ``instance``, a checkbox per existing photo removes it."""

    photo_count = MAX_PHOTOS

    class Meta:
        model = Entry
        fields = ["title", "body", "visibility"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
        help_texts = {
            "body": _("Markdown works: **bold**, *italic*, # headings, lists, > quotes and links."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = level_choices()
        self.fields["visibility"].label = _("Who can see it")
        self.existing_photos = list(self.instance.photos.all()) if self.instance.pk else []
        for photo in self.existing_photos:
            self.fields[f"remove{photo.position}"] = forms.BooleanField(
                label=_("Remove photo %(n)d") % {"n": photo.position + 1}, required=False
            )

    def remove_fields(self):
        return [self[f"remove{photo.position}"] for photo in self.existing_photos]

    def main_fields(self):
        return [self[name] for name in self.Meta.fields]

    def clean(self):
        cleaned = super().clean()
        kept = len(self.existing_photos) - len(self.remove_positions())
        if kept + len(self.processed_photos) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("An entry has at most %(n)d photos. Remove one before adding another.")
                % {"n": MAX_PHOTOS},
                code="too_many_photos",
            )
        return cleaned

    def remove_positions(self) -> list[int]:
        return [
            photo.position for photo in self.existing_photos
            if self.cleaned_data.get(f"remove{photo.position}")
        ]

    def entry_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DiaryPreferenceForm(forms.ModelForm):
    """The diary's part of the settings page."""

    class Meta:
        model = DiaryPreference
        fields = ["default_visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["default_visibility"]
        field.choices = level_choices()
        field.label = _("Who can see my new diary entries")
        # A post without the choice (the select always sends one) keeps the current one.
        field.required = False
        self.initial["default_visibility"] = allowed_level(self.instance.default_visibility)

    def clean_default_visibility(self) -> str:
        return self.cleaned_data["default_visibility"] or self.instance.default_visibility
