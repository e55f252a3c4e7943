"""One base for every service's refusal (sns.errors.Refused, issue 17): each app's refusal is
one, its text is its message, a form shows it, and the views catch nothing else."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sns.errors import Refused
from sns.visibility import Level
from tests import factories

# Where services live: every module of each app's services (module or package) and of the
# features' services.
SERVICE_PACKAGES = [
    "accounts.services", "invites.services", "diary.services", "communities.services",
    "offkai.services", "sns.moderation", "sns.leaving.services", "sns.policy.services",
    "sns.notifications.services", "sns.limits", "sns.images",
]
# An access check, not a refusal: the views answer 404 before a service could raise it.
NOT_REFUSALS = {"offkai.services.events.NotHost"}


def _modules():
    for name in SERVICE_PACKAGES:
        module = importlib.import_module(name)
        yield module
        if hasattr(module, "__path__"):
            for info in pkgutil.iter_modules(module.__path__, name + "."):
                yield importlib.import_module(info.name)


def _exceptions_defined():
    for module in _modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Exception) and cls.__module__ == module.__name__:
                yield cls


def test_every_refusal_a_service_raises_is_a_refused():
    found = {f"{cls.__module__}.{cls.__qualname__}": cls for cls in _exceptions_defined()}
    # The classes the issue counted, each found where it lives now.
    assert {name.rsplit(".", 1)[-1] for name in found} >= {
        "IntroductionError", "BlockError", "FriendRequestError", "InvitationError",
        "QuotaExhausted", "InvitationNotUsable", "AddressTaken", "TooManyPhotos",
        "CommunityError", "NameTaken", "AttendanceError", "ModerationError", "LeaveError",
        "RateLimited",
    }
    for name, cls in found.items():
        if name in NOT_REFUSALS:
            continue
        assert issubclass(cls, Refused), name


def test_its_text_is_the_message_in_the_members_language():
    refusal = Refused(_("Write something before posting."))
    assert str(refusal) == "Write something before posting."
    with translation.override("ja"):
        assert str(refusal) == "投稿する前に内容を書いてください。"


def test_a_form_shows_it_as_its_own_errors_whole_or_by_field():
    class Form(forms.Form):
        name = forms.CharField(required=False)

    form = Form({"name": "x"})
    assert form.is_valid()
    form.add_error(None, Refused("Not now."))
    assert form.non_field_errors() == ["Not now."]
    form = Form({"name": "x"})
    assert form.is_valid()
    form.add_error(None, Refused({"name": ["Taken."]}))
    assert form.errors == {"name": ["Taken."]}


def test_views_catch_refused_not_each_apps_class():
    """A view, admin or command catches ``Refused`` (a subclass only where it answers it
    differently: the rate limit that keeps a friend request's text, the signup's address
    taken or invitation gone, a community's name taken)."""
    root = Path(settings.BASE_DIR)
    each_apps = re.compile(
        r"except \(?[\w., ]*\b(IntroductionError|BlockError|FriendRequestError|InvitationError|"
        r"CommunityError|AttendanceError|ModerationError|LeaveError|TooManyPhotos|"
        r"ValidationError)\b"
    )
    offenders = []
    for app in ["accounts", "invites", "diary", "communities", "offkai", "sns"]:
        for path in (root / app).rglob("*.py"):
            parts = path.relative_to(root).parts
            interface = (
                "views" in parts or path.stem in {"views", "admin", "admin_moderation"}
                or "commands" in parts
            )
            if interface and "migrations" not in parts:
                offenders += [f"{path.relative_to(root)}: {m[0]}"
                              for m in each_apps.finditer(path.read_text())]
    assert offenders == []


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_refused_comment_keeps_its_reason(language, owner, as_user):
    """End to end: a service's refusal (an empty comment) reaches the member as a message."""
    owner.language = language
    owner.save(update_fields=["language"])
    post = factories.entry(owner, Level.FRIENDS, title="Hello")
    page = as_user(owner).post(reverse("diary:comment_create", args=[post.pk]), {"body": "  "},
                               follow=True).content.decode()
    with translation.override(language):
        assert gettext("Write something before posting a comment.") in page
