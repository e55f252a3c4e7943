"""The landing page for visitors and home (新着) for members: ``/``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from invites.selectors import invitations_left, invite_refusal

from .home import home_for
from .models import SitePolicy


@login_not_required
def home(request):
    if not request.user.is_authenticated:
        return render(request, "sns/landing.html", {"policy": SitePolicy.current()})
    member = request.user
    home = home_for(member)
    # A member who may not invite at all is told so, not offered what is left of a quota.
    refusal = invite_refusal(member)
    return render(request, "sns/home.html", {
        "home": home,
        "invite_refusal": refusal,
        "invites_left": None if refusal else invitations_left(member, used=home.invitations_used),
    })
