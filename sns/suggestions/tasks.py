"""Background work of people you may know."""

from django_tasks import task

from accounts.models import User

from .services import suggestions_refresh


@task()
def refresh_suggestions(*, member_id: int) -> int:
    """Rank one member's people-you-may-know again; return how many were kept."""
    member = User.objects.filter(pk=member_id, is_active=True).first()
    return suggestions_refresh(member=member) if member else 0
