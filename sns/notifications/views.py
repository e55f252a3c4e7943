"""Notification pages: the list, opening one, "mark all read", the email settings, the
one-click unsubscribe from a message, and an announcement's page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from sns.mail import member_language
from sns.middleware import policy_exempt
from sns.models import Notification
from sns.paging import FeedPage, cursor_decode, cursor_encode

from . import selectors, services
from .items import items_for
from .mail import unsubscribe_read
from .selectors import announcements_visible_to

PAGE_SIZE = 30

APP_ONLY, WITH_EMAIL, OFF = "app", "email", "off"


def notification_list(request):
    """My notifications, newest first, a cursor page (``?before=``) at a time."""
    rows = selectors.inbox(request.user).select_related("actor__profile")
    cursor = cursor_decode(request.GET.get("before"))
    if cursor is not None:
        created_at, pk = cursor
        rows = rows.filter(created_at__lte=created_at).filter(
            Q(created_at__lt=created_at) | Q(pk__lt=pk)
        )
    rows = list(rows[: PAGE_SIZE + 1])
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = cursor_encode(rows[-1].created_at, rows[-1].pk)
    page = FeedPage(items=items_for(request.user, rows), next_cursor=next_cursor,
                    is_first=cursor is None)
    # "Mark all read" shows with the header's unread count (the same query).
    return render(request, "sns/notifications.html", {"page": page})


def notification_open(request, pk: int):
    """Mark one notification read and go to what it is about (or back to the list when that
    is gone or hidden)."""
    try:
        services.notification_read_mark(member=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    notification = Notification.objects.select_related("actor__profile").get(pk=pk)
    item = items_for(request.user, [notification])[0]
    return redirect(item.url or "notifications:list")


@require_POST
def notifications_read_all(request):
    services.notifications_all_read_mark(member=request.user)
    messages.success(request, _("All your notifications are marked read."))
    return redirect("notifications:list")


class NotificationSettingsForm(forms.Form):
    """A choice per kind: in-app only, or in-app and email."""

    CHOICES = [
        (APP_ONLY, gettext_lazy("In-app only")),
        (WITH_EMAIL, gettext_lazy("In-app and email")),
    ]

    def __init__(self, *args, current: dict[str, bool], opted_in: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in selectors.CHOOSABLE:
            choices, initial = self.CHOICES, WITH_EMAIL if current[kind] else APP_ONLY
            if kind in selectors.OPT_IN:
                # Off unless chosen (sns.notifications.selectors.OPT_IN).
                choices = [(OFF, gettext_lazy("Off")), *choices]
                initial = initial if kind in opted_in else OFF
            self.fields[kind] = forms.ChoiceField(
                label=Notification.Kind(kind).label, choices=choices,
                widget=forms.RadioSelect, initial=initial,
            )

    def email_choices(self) -> dict[str, bool]:
        return {kind: value == WITH_EMAIL for kind, value in self.cleaned_data.items()}

    def turned_off(self) -> list[str]:
        return [kind for kind, value in self.cleaned_data.items() if value == OFF]


@require_http_methods(["GET", "POST"])
def notification_settings(request):
    current, opted_in = selectors.choices_of(request.user)
    form = NotificationSettingsForm(request.POST or None, current=current, opted_in=opted_in)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_set(
            member=request.user, email=form.email_choices(), off=form.turned_off()
        )
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:settings")
    return render(request, "sns/notifications_settings.html", {
        "form": form,
        "always_emailed": [
            Notification.Kind(kind).label for kind in Notification.Kind.values
            if kind in selectors.ALWAYS_EMAILED
        ],
    })


# Mail programs POST here without a session or a CSRF token (RFC 8058 one-click); the signed
# token in the URL is the authority, and it can only turn email off. Whoever is logged in (a
# member yet to accept new rules, say) does not matter here.
@csrf_exempt
@login_not_required
@policy_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: ask to confirm (mail scanners follow links); POST: turn email off for the kinds
    the token names."""

    found = unsubscribe_read(token)
    if found is None:
        raise Http404
    user_id, kinds = found
    member = get_object_or_404(User.objects.filter(is_active=True), pk=user_id)
    done = request.method == "POST"
    if done:
        services.notification_preferences_set(member=member, email=dict.fromkeys(kinds, False))
    # The page is for the member who got the message, whoever is logged in here.
    with translation.override(member_language(member)):
        return render(request, "sns/notifications_unsubscribe.html", {
            "kinds": [Notification.Kind(kind).label for kind in kinds],
            "done": done,
            "email": member.email,
        })


def announcement_detail(request, pk: int):
    """An announcement, for the members it was sent to (a 404 for others)."""
    announcement = get_object_or_404(
        announcements_visible_to(request.user).select_related("community"), pk=pk
    )
    return render(request, "sns/announcement.html", {"announcement": announcement})
