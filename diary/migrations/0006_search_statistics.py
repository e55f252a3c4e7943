"""Finer statistics of the entries' search column, which sns/search/selectors.py reads to tell a
common word (walk the entries newest first) from a rare one (the index).

With the default target PostgreSQL keeps only the words in more than about 1.3% of the
entries; "travel" (1.2% of 2,000,000) counted as rare, and its 24,000 matches were sorted
(200 ms) where walking by date finds a page in a few thousand rows.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("diary", "0005_deleted_member")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE diary_entry ALTER COLUMN search SET STATISTICS 500; "
            "ANALYZE diary_entry (search);",
            "ALTER TABLE diary_entry ALTER COLUMN search SET STATISTICS -1;",
        ),
    ]
