"""The landing page for visitors and home (新着) for members: ``/``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from .home import home_for
from .models import SitePolicy


@login_not_required
def home(request):
    if not request.user.is_authenticated:
        return render(request, "sns/landing.html", {"policy": SitePolicy.current()})
    member = request.user
    home = home_for(member)
    quota = member.effective_invite_quota
    return render(request, "sns/home.html", {
        "home": home,
        "invites_left": None if quota is None else max(quota - home.invitations_used, 0),
    })
