"""Gather the planner's statistics for the columns this release added and every page
filters on (``hidden_at``, the members' standing, nullable authors).

A column added by ALTER TABLE has no statistics until the next ANALYZE, and autovacuum
analyzes a table only after a tenth of its rows change; until then PostgreSQL takes
"hidden_at IS NULL" to keep one row in two hundred and picks plans for a handful of rows
(the topic list of a 5,000-topic community went from 37 to 99 ms on the bench). ANALYZE
reads a sample, so this takes seconds even on large tables.
"""

from django.db import migrations

TABLES = [
    "accounts_user", "diary_entry", "diary_comment", "communities_topic",
    "communities_topiccomment", "offkai_event", "offkai_eventcomment",
]


class Migration(migrations.Migration):
    dependencies = [
        ("sns", "0010_notification_target"),
        ("accounts", "0007_search"),
        ("diary", "0005_deleted_member"),
        ("communities", "0006_deleted_member"),
        ("offkai", "0004_deleted_member"),
    ]

    operations = [
        migrations.RunSQL(
            [f"ANALYZE {table}" for table in TABLES], migrations.RunSQL.noop, elidable=True
        ),
    ]
