"""紹介文: friends write about a member; it shows on the member's profile.

The member removes what they do not want on their page; the author edits or deletes their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sns.errors import Refused
from sns.people import ShownProfile
from sns.visibility import Relation

from .. import services
from ..forms import IntroductionForm
from ..models import Introduction, User
from ..selectors.connections import member_and_relation_or_404

INTRODUCTIONS_ON_PROFILE = 20
INTRODUCTIONS_PER_PAGE = 20


@dataclass(frozen=True)
class IntroductionCard:
    """One introduction as the viewer sees it, with what they may do with it."""

    introduction: Introduction
    author: User
    shown: ShownProfile
    mine: bool  # the viewer wrote it: edit, delete
    removable: bool  # it is about the viewer: remove


def _cards(viewer, introductions) -> list[IntroductionCard]:
    # Authors are shown with what every member may see of them, as the friend cards are.
    return [
        IntroductionCard(
            introduction=i,
            author=i.author,
            shown=i.author.profile.shown_to(
                Relation.SELF if i.author_id == viewer.pk else Relation.MEMBER
            ),
            mine=i.author_id == viewer.pk,
            removable=i.subject_id == viewer.pk,
        )
        for i in introductions
    ]


def profile_introductions(viewer, member: User, relation: Relation) -> dict:
    """The profile's "Introductions from friends" context, read in one query."""
    # One more than shown tells whether to link to the full list without counting.
    found = list(
        Introduction.objects.shown_on(member, viewer=viewer)[: INTRODUCTIONS_ON_PROFILE + 1]
    )
    shown = found[:INTRODUCTIONS_ON_PROFILE]
    return {
        "introductions": _cards(viewer, shown),
        "introductions_more": len(found) > len(shown),
        "can_introduce": relation is Relation.FRIEND,
        "introduced": any(i.author_id == viewer.pk for i in found),
    }


def introduction_list(request, pk: int):
    """Every introduction on a member's page, newest first."""
    member, relation = member_and_relation_or_404(request.user, pk)
    page = Paginator(
        Introduction.objects.shown_on(member, viewer=request.user), INTRODUCTIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "accounts/introductions.html", {
        "member": member,
        "shown": member.profile.shown_to(relation),
        "page": page,
        "introductions": _cards(request.user, page.object_list),
        "is_me": relation is Relation.SELF,
        "can_introduce": relation is Relation.FRIEND,
    })


@require_http_methods(["GET", "POST"])
def introduction_write(request, pk: int):
    """GET shows the form (with my introduction if I wrote one); POST saves it."""
    subject, relation = member_and_relation_or_404(request.user, pk)
    if relation is not Relation.FRIEND:
        if relation is Relation.SELF:
            messages.error(request, _("You cannot write an introduction about yourself."))
        else:
            messages.error(request, _("Only friends can write an introduction."))
        return redirect(subject)
    existing = Introduction.objects.filter(author=request.user, subject=subject).first()
    form = IntroductionForm(
        request.POST or None, initial={"body": existing.body} if existing else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.introduction_write(
                author=request.user, subject=subject, body=form.cleaned_data["body"]
            )
        except Refused as error:
            messages.error(request, str(error))
            return redirect(subject)
        messages.success(
            request,
            _("Your introduction of %(name)s was saved.") % {"name": subject.display_name},
        )
        return redirect(reverse("accounts:profile", args=[subject.pk]) + "#introductions")
    return render(request, "accounts/introduction_form.html", {
        "form": form,
        "subject": subject,
        "shown": subject.profile.shown_to(relation),
        "existing": existing,
    })


@require_POST
def introduction_delete(request, pk: int):
    """The subject removes an introduction from their page, or the author deletes theirs."""
    try:
        introduction = services.introduction_delete(user=request.user, introduction_id=pk)
    except Introduction.DoesNotExist:
        raise Http404 from None
    if introduction.subject_id == request.user.pk:
        message = _("The introduction by %(name)s was removed from your profile.") % {
            "name": introduction.author.display_name
        }
    else:
        message = _("Your introduction of %(name)s was deleted.") % {
            "name": introduction.subject.display_name
        }
    messages.success(request, message)
    return redirect(reverse("accounts:profile", args=[introduction.subject_id]) + "#introductions")
