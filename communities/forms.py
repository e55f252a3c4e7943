"""Community forms: starting or editing a community, asking to join, a topic, a comment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sns import images
from sns.photo_forms import ACCEPT

from .models import Community, Topic


class CommunityForm(forms.ModelForm):
    """Start or edit a community; the image is checked and re-encoded in ``clean_image``."""

    image = forms.FileField(
        label=_("Image"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("JPEG, PNG, WebP or GIF. Location data is removed."),
    )

    class Meta:
        model = Community
        fields = ["name", "description", "category", "join_policy", "topic_policy"]
        widgets = {"description": forms.Textarea(attrs={"rows": 10})}
        help_texts = {
            "description": _("Markdown works: **bold**, *italic*, lists, > quotes and links."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.processed_image: images.ProcessedImage | None = None
        if self.instance.pk and self.instance.image:
            self.fields["remove_image"] = forms.BooleanField(
                label=_("Remove the image"), required=False
            )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Community.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("A community with this name already exists."), code="taken"
            )
        return name

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload:
            self.processed_image = images.process(upload)
        return upload

    def community_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the admins"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {
            "body": _("Markdown works: **bold**, *italic*, lists, > quotes and links."),
        }
