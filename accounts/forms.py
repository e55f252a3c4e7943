from datetime import date

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from sns import images
from sns.photo_forms import ACCEPT
from sns.site_policy import email_domain_allowed, identity_policy, invite_domains

from .models import Profile, User


class IdentityFieldsMixin:
    """The name fields, required as the site's identity policy says."""

    def apply_identity_policy(self) -> None:
        policy = identity_policy()
        if "real_name" in self.fields:
            self.fields["real_name"].required = policy == "real_name"
            self.fields["real_name"].widget.attrs["autocomplete"] = "name"
        if "nickname" in self.fields:
            self.fields["nickname"].required = policy == "nickname"
            self.fields["nickname"].widget.attrs["autocomplete"] = "nickname"
        if policy != "either":
            self.fields.pop("shown_name_choice", None)
        if "other_name_visibility" in self.fields and policy != "either":
            # "Other name" alone would not tell a member of a nickname site that it is their
            # real name (and reading) they are about to show.
            self.fields["other_name_visibility"].label = (
                _("who sees my real name and its reading") if policy == "nickname"
                else _("who sees my nickname")
            )

    def check_identity(self, cleaned_data: dict) -> None:
        if identity_policy() != "either":
            return
        choice = cleaned_data.get("shown_name_choice") or Profile.NameChoice.REAL_NAME
        wanted = "real_name" if choice == Profile.NameChoice.REAL_NAME else "nickname"
        if not cleaned_data.get(wanted):
            self.add_error(wanted, _("Fill in the name you chose to be shown."))


def _numbers(first: int, last: int, names=None) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(n), str(names[n]) if names else str(n))
                          for n in range(first, last + 1)]


class ProfileForm(IdentityFieldsMixin, forms.ModelForm):
    # Selects, so that only a month and a day of the calendar can be sent (29 February
    # included; the model's clean refuses 31 April and the like).
    birth_month = forms.TypedChoiceField(
        label=_("Birthday: month"), required=False, coerce=int, empty_value=None,
        choices=lambda: _numbers(1, 12, MONTHS),
    )
    birth_day = forms.TypedChoiceField(
        label=_("Birthday: day"), required=False, coerce=int, empty_value=None,
        choices=_numbers(1, 31),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100,
        help_text=_("Optional; it has its own visibility."),
    )
    photo_upload = forms.FileField(
        label=_("Photo"), required=False,
        help_text=_("JPEG, PNG, WebP or GIF. Location data is removed."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ACCEPT}
        ),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    class Meta:
        model = Profile
        fields = [
            "real_name", "real_name_kana", "nickname", "shown_name_choice", "other_name_visibility",
            "company", "company_visibility", "title", "title_visibility",
            "photo_visibility", "introduction", "introduction_visibility",
            "interests", "interests_visibility",
            "birth_month", "birth_day", "birthday_visibility", "birth_year",
            "birth_year_visibility",
        ]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.apply_identity_policy()
        self.processed_photo = None

    def clean_photo_upload(self):
        upload = self.cleaned_data.get("photo_upload")
        if upload:
            self.processed_photo = images.process(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        self.check_identity(cleaned)
        month, day = cleaned.get("birth_month"), cleaned.get("birth_day")
        if (month is None) != (day is None):
            self.add_error("birth_day" if day is None else "birth_month",
                           _("Give both the month and the day of your birthday, or neither."))
        elif month is None and cleaned.get("birth_year") is not None:
            self.add_error("birth_year", _("Give the month and the day with the year."))
        else:
            try:
                if month is not None:
                    date(cleaned.get("birth_year") or 2000, month, day)
            except ValueError:
                self.add_error("birth_day", _("That day is not in the calendar."))
        return cleaned

    def profile_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "daily_news"]
        labels = {"language": _("Language")}


class ProfileSettingsForm(forms.ModelForm):
    """The settings that live on the profile, saved beside SettingsForm on the settings page."""

    class Meta:
        model = Profile
        fields = [
            "leaves_footprints",
            "friends_visibility",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A post without the choice (the select always sends one) keeps the current one.
        self.fields["friends_visibility"].required = False

    def clean_friends_visibility(self) -> str:
        return self.cleaned_data["friends_visibility"] or self.instance.friends_visibility

    def profile_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


class FriendRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message (optional)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say how you know each other."),
    )


class IntroductionForm(forms.Form):
    body = forms.CharField(
        label=_("Introduction"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Up to 1000 characters. Markdown works: **bold**, *italic*, lists and links."
        ),
    )


def _within_site_domains(email: str) -> str:
    """Refuse an address outside the email domains the site policy gathers (a company's
    SNS): the same rule as invitations, for an address a member adds later."""

    if not email_domain_allowed(email):
        raise forms.ValidationError(
            _("This site accepts email addresses at %(domains)s only.")
            % {"domains": ", ".join(invite_domains())}
        )
    return email


class LeaveForm(forms.Form):
    """/me/leave/: the password again, and a tick that says they mean it."""

    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and what I wrote for myself are "
                "deleted for good."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
    delete_messages = forms.BooleanField(
        label=_("Also delete the messages I sent."), required=False,
        help_text=_("Otherwise they stay in their conversations for the others, from “a "
                    "member who is no longer here”."),
    )


class AddEmailForm(allauth_forms.AddEmailForm):
    def clean_email(self) -> str:
        return _within_site_domains(super().clean_email())


class ChangeEmailForm(allauth_forms.ChangeEmailForm):
    def clean_email(self) -> str:
        return _within_site_domains(super().clean_email())


class PasswordRulesAsTextMixin:
    """The new password's rules as sentences, not Django's list: allauth renders its forms as
    paragraphs (``form.as_p``), where a ``<ul>`` in the help's ``<span>`` is invalid HTML."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = " ".join(password_validators_help_texts())


class ChangePasswordForm(PasswordRulesAsTextMixin, allauth_forms.ChangePasswordForm):
    pass


class SetPasswordForm(PasswordRulesAsTextMixin, allauth_forms.SetPasswordForm):
    pass


class ResetPasswordKeyForm(PasswordRulesAsTextMixin, allauth_forms.ResetPasswordKeyForm):
    pass
