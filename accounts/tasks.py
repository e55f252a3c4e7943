"""Background work of the accounts app."""

from django_tasks import task


@task()
def prune_footprints() -> int:
    """Delete footprints older than the 30 days members see; return how many went."""
    from .footprints import footprints_prune

    return footprints_prune()
