"""Background work of the diary."""

from django_tasks import task


@task()
def tell_friends(*, author_id: int) -> int:
    """Bump the home lists of ``author_id``'s friends: a new, or newly shown, entry of theirs
    (``diary.services.friends_tell``); returns how many were told."""
    from .services import friends_tell

    return friends_tell(author_id=author_id)
