"""Seed the bench database with private messages on top of the friend graph (a dev tool, never
a test).

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/seed_messages.py \
        [--reseed-messages]

Seeds the friend graph first if needed (``seed_graph.py``), then adds 1,000,000 conversations
with 5,000,000 messages (issue 18, item 8):

* **Conversations** started over the last three years, more each month (the diaries'
  growth), never before their members joined: 90% between two members (the other a friend
  80% of the time), 10% groups of 3-10 (the starter's friends where they have enough). Nobody
  shares one with someone they stand in a block with. 20% of members never write; the others
  take part by the diaries' Pareto weight; 200 members drawn from the best-connected 2%
  (organisers, shops) have 1,000-4,000 conversations each, half with members who are not
  their friends.
* **Messages**: most conversations are short (a log-normal count, median 3, mean under 5),
  300 have 500-2,000 messages over months. Replies come minutes to hours apart, now and then
  days; members mostly take turns. Text: chat lines, a diary sentence or a few (80% Japanese,
  by the author, as in the diaries), from pools made once.
* **Participants** as the services leave them: everyone's ``last_message_at`` is the
  conversation's latest message (no block inside a conversation); whoever wrote the last one
  has read it; the others too, but for 3% of old conversations and 35% of those of the last
  two weeks (unread: read up to their own last message, never if they wrote none); 4% of
  read places archived after the last message; 5% of a group's invited members left it
  (their marks stop there, they write nothing after).

Who, when and what are planned in ``message_plan.py``. No photos (they need files) and no
notifications. Conversations and participants go in with COPY (FREEZE, secondary indexes
rebuilt after), messages over two connections in the order they were written (PostgreSQL
computes each one's generated search column), then VACUUM ANALYZE. The same rows on every
run (fixed random seed; dates end at the hour of seeding). A marker table
``bench_messages_seed`` records the size, so a second run does nothing; ``--reseed-messages``
empties the message tables and seeds them again.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime

import message_plan
import seed_communities
import seed_diary
import seed_graph
from message_plan import BUSY_INBOX, CONV_BITS, DAY, DAYS, LONG_MESSAGES, SEAT_BITS, japanese
from seed_diary import Timestamps
from seed_graph import Progress

MARKER = "bench_messages_seed"
SEED_VERSION = 1
RANDOM_SEED = 20261206
CONVERSATIONS = 1_000_000
MESSAGES = 5_000_000


def _copy(cursor, model, columns: list[str], lines, total: int, label: str, url=None) -> int:
    """COPY ``lines`` (without their newline) into ``model``'s table, any column this seeder
    does not know with its default; over two connections when given the ``url`` (then
    ``lines`` is ``lines(first, last, part)``)."""
    extra, suffix = seed_diary._extra_columns(model, set(columns))
    table, columns = model._meta.db_table, [*columns, *extra]
    if url is None:
        lines = (line + suffix + "\n" for line in lines)
        return seed_diary._copy_lines(cursor, table, columns, lines, total, label)
    return seed_diary._copy_parallel(
        url, table, columns,
        lambda first, last, part: (line + suffix + "\n" for line in lines(first, last, part)),
        total, label,
    )


def seed_messages(conversations: int, messages: int) -> dict:
    import psycopg
    from django.db import connection

    from conversations.models import Conversation, Message, MessagePhoto, Participant

    started = time.monotonic()
    rng = random.Random(RANDOM_SEED)
    end = int(datetime.now(UTC).timestamp()) // 3600 * 3600
    url = seed_graph._psycopg_url(seed_graph.bench_database_url())
    pools = message_plan.text_pools(rng)
    tables = [m._meta.db_table for m in (Message, MessagePhoto, Participant, Conversation)]

    with psycopg.connect(url, autocommit=False) as conn, conn.cursor() as cursor:
        rows, friends, blocks = message_plan.members_of(cursor)
        members, offsets, starts, busy = message_plan.plan(
            rng, rows, friends, blocks, end - DAYS * DAY, end, conversations
        )
        conv, seat, keys, start0, counts = message_plan.write_plan(
            rng, members, offsets, starts, end, messages
        )
        del members, offsets, starts, friends
        stamp = Timestamps(start0 - DAY, (end - start0) // DAY + 10)

        def when(t: int) -> str:
            return "\\N" if t < 0 else stamp(t)

        seed_diary._no_triggers(conn, cursor)
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
        # Secondary indexes off during the load, built again after it.
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        ids = range(len(conv["start"]))
        subjects = {True: pools["subject_ja"], False: pools["subject_en"]}
        shortest = min(map(len, subjects.values()))
        _copy(cursor, Conversation,
              ["id", "subject", "started_by_id", "created_at", "last_message_at"],
              (f"{k + 1}\t{subjects[japanese(who)][k % shortest]}\t{who}\t"
               f"{stamp(conv['start'][k])}\t{stamp(conv['last'][k])}"
               for k, who in zip(ids, conv["starter"], strict=True)),
              len(ids), "conversations")
        seats = _copy(
            cursor, Participant,
            ["id", "conversation_id", "member_id", "joined_at", "last_message_at",
             "last_read_at", "archived_at", "left_at"],
            (f"{s + 1}\t{k + 1}\t{seat['member'][s]}\t{stamp(conv['start'][k])}\t"
             f"{stamp(seat['last'][s])}\t{when(seat['read'][s])}\t"
             f"{when(seat['archived'][s])}\t{when(seat['left'][s])}"
             for k in ids for s in range(seat["offset"][k], seat["offset"][k + 1])),
            len(seat["member"]), "participants",
        )
        # Committed before the messages go in over two connections (see _copy_parallel).
        conn.commit()
        mask_conv, mask_seat = (1 << CONV_BITS) - 1, (1 << SEAT_BITS) - 1
        bodies = {True: pools["body_ja"], False: pools["body_en"]}

        def message_lines(first: int, last: int, part: int):
            randrange = random.Random(RANDOM_SEED + 1 + part).randrange
            for k in range(first, last):
                key = keys[k]
                cid = (key >> SEAT_BITS) & mask_conv
                author = seat["member"][seat["offset"][cid - 1] + (key & mask_seat)]
                body = bodies[japanese(author)]
                at = (key >> (SEAT_BITS + CONV_BITS)) + start0
                yield f"{k + 1}\t{cid}\t{author}\t{body[randrange(len(body))]}\t{stamp(at)}"

        written = _copy(cursor, Message,
                        ["id", "conversation_id", "author_id", "body", "created_at"],
                        message_lines, len(keys), "messages", url=url)
        progress = Progress("indexes", len(indexes))
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            cursor.execute(definition)
            progress.update(1)
        progress.close()
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )
        marker = {"conversations": len(ids), "participants": seats, "messages": written,
                  "longest": counts[-1], "long": sum(c >= LONG_MESSAGES[0] for c in counts),
                  "busy": len(busy), "version": SEED_VERSION}
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER}")
        cursor.execute(
            f"CREATE TABLE {MARKER} (conversations int NOT NULL, participants int NOT NULL, "
            "messages int NOT NULL, longest int NOT NULL, long int NOT NULL, busy int NOT NULL, "
            "version int NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(f"INSERT INTO {MARKER} ({', '.join(marker)}) "  # noqa: S608
                       f"VALUES ({', '.join(['%s'] * len(marker))})", list(marker.values()))
        conn.commit()
    connection.close()
    print("  vacuum analyze …", file=sys.stderr)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in tables:
            conn.execute(f'VACUUM (ANALYZE) "{table}"')
    print(
        f"  seeded {len(ids):,} conversations, {seats:,} participants, {written:,} messages "
        f"in {time.monotonic() - started:.0f}s; messages per conversation: median "
        f"{counts[len(counts) // 2]}, max {counts[-1]}, {marker['long']} with "
        f"≥ {LONG_MESSAGES[0]}; {len(busy)} members with {BUSY_INBOX[0]:,}-{BUSY_INBOX[1]:,}",
        file=sys.stderr,
    )
    return marker


def ensure_seeded(*, reseed: bool = False, reseed_messages: bool = False,
                  conversations: int = CONVERSATIONS, messages: int = MESSAGES) -> None:
    """The friend graph (seeded first if needed), then the messages unless already there."""
    seed_graph.ensure_seeded(reseed=reseed)
    marker = seed_communities.seeded(seed_graph.bench_database_url(), MARKER)
    if (marker and not (reseed or reseed_messages) and marker["version"] == SEED_VERSION
            and (marker["conversations"], marker["messages"]) == (conversations, messages)):
        print(f"  messages already seeded ({marker['conversations']:,} conversations, "
              f"{marker['messages']:,} messages); --reseed-messages to redo", file=sys.stderr)
        return
    seed_messages(conversations, messages)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed-messages", action="store_true",
                        help="empty the message tables and seed them again")
    parser.add_argument("--reseed", action="store_true",
                        help="drop the whole database and seed the friend graph too")
    parser.add_argument("--conversations", type=int, default=CONVERSATIONS)
    parser.add_argument("--messages", type=int, default=MESSAGES)
    args = parser.parse_args(argv)
    seed_graph.configure_django()
    ensure_seeded(reseed=args.reseed, reseed_messages=args.reseed_messages,
                  conversations=args.conversations, messages=args.messages)


if __name__ == "__main__":
    main()
