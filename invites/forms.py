from django import forms
from django.contrib.auth import password_validation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from accounts.forms import IdentityFieldsMixin
from accounts.models import Profile
from sns.site_policy import domain_refusal, email_domain_allowed, invite_domains


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person you invite"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    message = forms.CharField(
        label=_("Personal message"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown in the email and on the invitation page."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        domains = invite_domains()
        if domains:
            # Help texts are HTML (forms show them as they are): the operator's text is escaped.
            self.fields["email"].help_text = _(
                "This site accepts addresses at these domains only: %(domains)s."
            ) % {"domains": escape(", ".join(domains))}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        # The service checks again; here the answer comes next to the field.
        if not email_domain_allowed(email):
            raise forms.ValidationError(domain_refusal())
        return email


class SignupForm(IdentityFieldsMixin, forms.ModelForm):
    """The account and the first profile fields, filled in on the invitation page."""

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("If you use another address than the invited one, we will ask you to "
                    "confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Ticking it is what accepting the rules means: redemption records the time.
    agree = forms.BooleanField(
        label=_("I have read the site policy and accept its rules."),
        error_messages={"required": _("Please agree to the site policy to join.")},
    )

    class Meta:
        model = Profile
        fields = ["real_name", "real_name_kana", "nickname", "shown_name_choice"]

    field_order = [
        "email", "real_name", "real_name_kana", "nickname", "shown_name_choice",
        "password1", "password2", "agree",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.apply_identity_policy()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if not email_domain_allowed(email):
            raise forms.ValidationError(domain_refusal())
        return email

    def clean(self):
        cleaned = super().clean()
        self.check_identity(cleaned)
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def profile_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
