from django.utils.functional import SimpleLazyObject

from .models import FriendRequest


def friend_requests(request):
    """How many friend requests wait for the member's answer, for the main navigation.

    Lazy, so pages that do not show the navigation (errors, mail) spend no query on it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "FRIEND_REQUESTS_WAITING": SimpleLazyObject(
            lambda: FriendRequest.objects.filter(to_user=user, from_user__is_active=True).count()
        ),
    }
