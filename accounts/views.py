from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sns.visibility import Relation, relation_between

from . import services
from .forms import ProfileForm, SettingsForm
from .models import ShownProfile, User

FRIENDS_ON_PROFILE = 12


def profile(request, pk: int):
    member = get_object_or_404(
        User.objects.filter(is_active=True).select_related(
            "profile", "accepted_invitation__inviter__profile"
        ),
        pk=pk,
    )
    relation = relation_between(request.user, member)
    friends = services.friends_of(member)
    invitation = getattr(member, "accepted_invitation", None)
    return render(request, "accounts/profile.html", {
        "member": member,
        "shown": member.profile.shown_to(relation),
        "relation": relation.value,
        "is_me": member.pk == request.user.pk,
        "invited_by": invitation.inviter if invitation and invitation.inviter_id else None,
        "friends": _cards(request.user, friends[:FRIENDS_ON_PROFILE]),
        "friend_count": friends.count(),
    })


def friend_list(request, pk: int):
    member = get_object_or_404(User.objects.filter(is_active=True).select_related("profile"), pk=pk)
    page = Paginator(services.friends_of(member), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/friends.html", {
        "member": member, "page": page, "cards": _cards(request.user, page.object_list),
    })


def _cards(viewer, members) -> list[tuple[User, ShownProfile]]:
    """Each member with what every member may see of them (what friends see needs issue 3's
    batch relation lookup; showing less is the safe side)."""
    return [
        (m, m.profile.shown_to(Relation.SELF if m.pk == viewer.pk else Relation.MEMBER))
        for m in members
    ]


@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = request.user.profile
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=request.user,
            fields=form.profile_fields(),
            photo=form.processed_photo,
            remove_photo=form.cleaned_data["remove_photo"],
        )
        messages.success(request, _("Your profile was saved."))
        return redirect(request.user)
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


@require_http_methods(["GET", "POST"])
def member_settings(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        if request.user.language:
            translation.activate(request.user.language)
        messages.success(request, _("Your settings were saved."))
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form})
