"""The page that stops the daily news from the link of a mail, without logging in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User
from sns.mail import member_language
from sns.middleware import policy_exempt

from . import services
from .mail import unsubscribe_read


# Mail programs POST here without a session or a CSRF token (RFC 8058 one-click); the signed
# token in the URL is the authority, and it can only turn the news off. Whoever is logged in
# here does not matter.
@csrf_exempt
@login_not_required
@policy_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: ask to confirm (mail scanners follow links, and must not stop the news); POST:
    stop it. A token forged, altered or made for another purpose is a 404."""
    member_id = unsubscribe_read(token)
    if member_id is None:
        raise Http404
    if request.method == "POST":
        member = services.daily_news_unsubscribe(member_id=member_id)
    else:
        member = User.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        raise Http404
    # The page is for the member who got the mail, whoever is logged in here.
    with translation.override(member_language(member)):
        return render(request, "sns/daily_news_unsubscribe.html", {
            "done": request.method == "POST", "email": member.email,
        })
