"""Background work of the albums."""

from django_tasks import task


@task()
def tell_friends(*, owner_id: int) -> int:
    """Make the home of ``owner_id``'s friends list their new (or newly shown) album
    (``albums.services.friends_tell``); returns how many were told."""
    from .services import friends_tell

    return friends_tell(owner_id=owner_id)
