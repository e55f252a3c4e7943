"""The data the database-restart test serves, written into its private database by a
process of its own (the test process keeps its Django connection on the suite's database).

Run as ``manage.py shell -c "from tests.faults.world import main; main()"`` with the
private server's DATABASE_URL; prints one line of JSON: the ids and each member's session.
"""

from __future__ import annotations

import json
import os

from django.conf import settings
from django.test import Client

from diary import services as diary_services
from tests import factories


def _session(user) -> str:
    """A logged-in session kept in the database, as the login form would leave it."""
    client = Client()
    client.force_login(user, backend="accounts.backends.MemberBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def build(members: int) -> dict:
    """``members`` members, the first friends with all the others, all in one community
    with a topic by the first, and a diary entry of the first for friends."""
    people = [factories.member(f"Load Person {n}") for n in range(members)]
    author = people[0]
    for person in people[1:]:
        factories.befriend(author, person)
    club = factories.community(author, members=people[1:])
    topic = factories.topic(club, author, title="Where shall we meet?")
    entry = diary_services.entry_create(author=author, title="Lunch by the river",
                                        body="Grilled fish.", visibility="friends")
    return {
        "members": [{"id": p.pk, "session": _session(p)} for p in people],
        "entry": entry.pk, "community": club.pk, "topic": topic.pk,
    }


def main() -> None:
    print(json.dumps(build(int(os.environ["FAULTS_MEMBERS"]))))
