"""The landing page for visitors and home (新着) for members: ``/``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from sns.models import SitePolicy

from .selectors import Sections, home_for


@login_not_required
def home(request):
    if not request.user.is_authenticated:
        return render(request, "sns/landing.html", {"policy": SitePolicy.current()})
    member = request.user
    # Read only when home's kept HTML, or one of its sections kept apart, is built again
    # ({% part %} in the template).
    sections = Sections(member)
    return render(request, "sns/home.html", {
        "home": SimpleLazyObject(lambda: home_for(member, sections)), "sections": sections,
    })
