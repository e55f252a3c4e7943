"""The one base of every service's refusal (kernel).

A service that will not do what it was asked raises a ``Refused`` (a subclass of its app's:
``CommunityError``, ``InvitationError``, ``RateLimited``…) whose message is for the member, in
their language. It is a ``ValidationError``, so a form shows it as it shows its own errors
(``form.add_error(None, refusal)``, or by field when the service names fields), and
``str(refusal)`` is the message itself, for ``messages.error(request, str(refusal))``. Every
view catches ``Refused`` the same way; a subclass is caught on its own only where the view
answers it differently (an address taken at signup must not say so).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Refused(ValidationError):
    """Why a service would not do what was asked, in words for the member."""

    def __str__(self) -> str:
        return " ".join(self.messages)
