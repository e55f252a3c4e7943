"""Background work of the accounts app."""

from django_tasks import task


@task()
def prune_footprints() -> int:
    """Delete footprints older than the 30 days members see; return how many went."""
    from .footprints import footprints_prune

    return footprints_prune()


@task()
def refresh_suggestions(*, member_id: int) -> int:
    """Rank one member's people-you-may-know again; return how many were kept."""
    from .graph import suggestions_refresh
    from .models import User

    member = User.objects.filter(pk=member_id, is_active=True).first()
    return suggestions_refresh(member) if member else 0
