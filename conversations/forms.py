from django import forms
from django.utils.translation import gettext_lazy as _

from sns.models import MESSAGE_REACH_CHOICES
from sns.photo_forms import PhotoUploadsMixin

from .models import MAX_PHOTOS, SUBJECT_MAX_LENGTH, MessagePreference
from .selectors import reach_allowed, site_reach
from .services import MESSAGE_MAX_LENGTH


class MessageForm(PhotoUploadsMixin, forms.Form):
    """A message: its text and up to three photos, checked and re-encoded in ``clean`` (the
    results in ``processed_photos``). The service checks the text again (its one rule)."""

    body = forms.CharField(
        label=_("Message"), max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italic*, [links](https://…), lists."),
    )

    photo_count = MAX_PHOTOS


class ConversationForm(MessageForm):
    """A new conversation: whom to (the members chosen on the page), a subject, the first
    message."""

    field_order = ["to", "subject", "body"]

    to = forms.TypedMultipleChoiceField(
        label=_("To"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose who to write to.")},
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The members the sender may write to, offered by the page: (pk, name) pairs.
        self.fields["to"].choices = list(people)
        self.order_fields(self.field_order)


class MessagePreferenceForm(forms.ModelForm):
    """The messages' part of the settings page."""

    class Meta:
        model = MessagePreference
        fields = ["reach", "text_in_mail"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reach"]
        default = dict(MESSAGE_REACH_CHOICES)[site_reach()]
        field.choices = [("", _("The site's default (%(reach)s)") % {"reach": default})] + [
            (value, label) for value, label in MESSAGE_REACH_CHOICES
            if reach_allowed(value) == value
        ]
        field.required = False
        self.fields["text_in_mail"].help_text = _(
            "Off, the email only says that a message arrived and from whom."
        )
