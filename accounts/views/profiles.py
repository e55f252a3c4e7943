"""A member's page (kept as HTML per viewer), their photo, and my profile and settings."""

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from communities.selectors import communities_of
from conversations import selectors as conversation_selectors
from conversations import services as conversation_services
from conversations.forms import MessagePreferenceForm
from diary import selectors as diary_selectors
from diary import services as diary_services
from diary.forms import DiaryPreferenceForm
from offkai.selectors import met_any, met_at
from sns import cache, images
from sns.errors import Refused
from sns.middleware import public_where_allowed
from sns.prepared import Prepared
from sns.visibility import (
    Relation,
    annotated_relation,
    can_see,
    relation_annotations,
    relation_between,
)

from .. import services
from ..forms import FriendRequestForm, ProfileForm, ProfileSettingsForm, SettingsForm
from ..models import FriendRequest, User
from ..selectors import connections
from .introductions import profile_introductions

# How long a viewer's browser may keep a profile photo it was shown (its address changes with
# the photo; an unfriended viewer's own copy lasts at most this long).
PHOTO_MAX_AGE = 600


def _profile_member(member, viewer):
    """The member a profile shows, with their profile and inviter, the pending friend
    request either way and whether the two met at an off-kai."""

    return User.objects.filter(is_active=True, pk=member.pk).select_related(
        "profile", "accepted_invitation__inviter__profile"
    ).annotate(
        **_pending_request_annotations(viewer), met_viewer=met_any(viewer),
        message_reach=conversation_selectors.chosen_reach(),
    )


# Compiled once per process (sns/prepared.py): building it cost more than running it.
_PROFILE_MEMBER = Prepared(_profile_member, member=User, viewer=User)


def profile(request, pk: int, *, friend_request_form: FriendRequestForm | None = None):
    """A member's page; ``friend_request_form`` is a refused request, shown with its text.

    The page's content is kept as HTML per viewer ({% part %} in the template,
    sns.cache.rendered), built by ``_profile_page`` only when something it showed changed
    (but for a refused request, shown afresh); whether the viewer may open it is asked on
    every request (one lookup of a kept part, ``_profile_head``)."""
    viewer = request.user
    name = _profile_head(viewer, pk)
    if name is None:
        raise Http404
    services.footprint_record(visitor=viewer, owner=User(pk=pk))
    return render(request, "accounts/profile.html", {
        "title": name,
        "member_pk": pk,
        "keep": friend_request_form is None,
        "page": SimpleLazyObject(lambda: _profile_page(viewer, pk, friend_request_form)),
    })


def _profile_scopes(viewer, pk: int) -> list:
    """What decides whether ``viewer`` may open member ``pk``'s page and the name it shows:
    the member's row and profile, the viewer's relations and blocks, members' standing."""
    return [cache.member(pk), cache.friends(viewer), cache.blocks(viewer), cache.PEOPLE]


def _profile_head(viewer, pk: int) -> str | None:
    """The name member ``pk``'s page shows ``viewer``, or None if it is not theirs to open:
    kept (sns.cache) under ``_profile_scopes``."""

    def name() -> str | None:
        members = User.objects.filter(is_active=True, pk=pk).select_related("profile")
        if viewer.is_authenticated:
            members = members.annotate(**relation_annotations(viewer))
        member = members.first()
        if member is None:
            return None
        relation = annotated_relation(viewer, member)
        if relation is Relation.BLOCKED:
            return None
        return member.profile.shown_to(relation).name

    return cache.cached("profile-head", _profile_scopes(viewer, pk), name, key=(pk, viewer.pk))


def _profile_page(viewer, pk: int, friend_request_form: FriendRequestForm | None) -> dict:
    """What member ``pk``'s page shows ``viewer``, each read declared before it is read (but
    the names of those it shows: a rename is late by at most the part's timeout)."""

    cache.depends_on(
        *_profile_scopes(viewer, pk),
        # The pending friend request either way (each bumps its recipient's inbox), their
        # friends (cards, mutual friends), introductions, communities, off-kai answered.
        cache.requests(viewer), cache.requests(pk), cache.friends(pk), cache.introductions(pk),
        cache.memberships(pk), cache.memberships(viewer), cache.offkai(pk), cache.offkai(viewer),
    )
    found = _PROFILE_MEMBER(member=User(pk=pk), viewer=viewer)
    if not found:
        raise Http404
    [member] = found
    relation = relation_between(viewer, member)
    friend_graph = connections.profile_graph(viewer, member, relation)
    invitation = getattr(member, "accepted_invitation", None)
    invited_by = invitation.inviter if invitation and invitation.inviter_id else None
    member_communities, community_count = communities_of(member, viewer)
    introductions = profile_introductions(viewer, member, relation)
    # One more query, only when the two came to an off-kai together.
    met = met_at(viewer, member) if member.met_viewer else []
    # Those named, and the chain's friendships (each end's friend list, its visibility).
    cache.depends_on(
        *{cache.member(m) for m, _shown in [*friend_graph.friends, *friend_graph.mutual]},
        *{cache.member(m) for m, _shown in friend_graph.path or []},
        *{cache.friends(m) for m, _shown in friend_graph.path or []},
        *{cache.member(card.author) for card in introductions["introductions"]},
        *{cache.community(c) for c in member_communities}, *{cache.event(e) for e in met},
        *([cache.member(invited_by)] if invited_by else []),
    )
    return {
        "member": member,
        "shown": member.profile.shown_to(relation),
        "is_me": member.pk == viewer.pk,
        "friend_state": _friend_state(relation, member),
        "can_message": viewer.is_authenticated and conversation_selectors.may_message_member(
            viewer, member, relation
        ),
        "friend_request_form": friend_request_form or FriendRequestForm(),
        "invited_by": invited_by,
        **introductions,
        "graph": friend_graph,
        "communities": member_communities,
        "community_count": community_count,
        "met_at": met,
    }


@public_where_allowed
@require_GET
def photo(request, pk: int, size: str):
    """One size of a member's profile photo, to whoever the photo's visibility lets see it
    (as the profile shows it); a 404 to everyone else, as for a member without a photo."""
    if size not in images.SIZES:
        raise Http404
    member, relation = connections.member_and_relation_or_404(request.user, pk)
    profile = member.profile
    if not profile.photo or not can_see(profile.photo_visibility, relation):
        raise Http404
    return images.private_response(profile.photo, size, max_age=PHOTO_MAX_AGE)


@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = request.user.profile
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=request.user,
                fields=form.profile_fields(),
                photo=form.processed_photo,
                remove_photo=form.cleaned_data["remove_photo"],
            )
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect(request.user)
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


@require_http_methods(["GET", "POST"])
def member_settings(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    profile_form = ProfileSettingsForm(request.POST or None, instance=request.user.profile)
    diary_form = DiaryPreferenceForm(
        request.POST or None, instance=diary_selectors.diary_preference(request.user)
    )
    message_form = MessagePreferenceForm(
        request.POST or None, instance=conversation_selectors.preference_of(request.user)
    )
    forms = [form, profile_form, diary_form, message_form]
    if request.method == "POST" and all([f.is_valid() for f in forms]):
        form.save()
        services.profile_update(user=request.user, fields=profile_form.profile_fields())
        diary_services.diary_preference_update(
            user=request.user, default_visibility=diary_form.cleaned_data["default_visibility"]
        )
        conversation_services.message_preference_update(
            member=request.user, reach=message_form.cleaned_data["reach"],
            text_in_mail=message_form.cleaned_data["text_in_mail"],
        )
        if request.user.language:
            translation.activate(request.user.language)
        messages.success(request, _("Your settings were saved."))
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {
        "form": form, "profile_form": profile_form, "diary_form": diary_form,
        "message_form": message_form,
    })


def _pending_request_annotations(viewer) -> dict:
    """The pending request either way between ``viewer`` and a member, read in the member's
    own query so the profile page spends no query on it."""
    if not viewer.is_authenticated:
        return {}
    sent = FriendRequest.objects.filter(from_user=viewer, to_user=OuterRef("pk"))
    received = FriendRequest.objects.filter(from_user=OuterRef("pk"), to_user=viewer)
    return {
        "request_sent_id": Subquery(sent.values("pk")[:1]),
        "request_received_id": Subquery(received.values("pk")[:1]),
        "request_received_message": Subquery(received.values("message")[:1]),
    }


def _friend_state(relation: Relation, member: User) -> str | None:
    """Which friend action the profile offers: friends, sent, received, none (None: mine)."""
    if relation is Relation.SELF:
        return None
    if relation is Relation.FRIEND:
        return "friends"
    if getattr(member, "request_received_id", None):
        return "received"
    if getattr(member, "request_sent_id", None):
        return "sent"
    return "none"
