"""The search tokenizer: ``tsunagari_ngrams(text)``, used by every search index.

Japanese has no spaces between words, so text is cut into overlapping pairs of characters
(bigrams, as pg_bigm does) plus the last character of each run, while ASCII words stay
whole; ``to_tsvector('simple', …)`` of that, with positions, lets a phrase query of the
pairs find any Japanese substring of two characters or more through a GIN index, using
nothing but PostgreSQL's core. ``sns/matching.py`` builds the matching queries in Python
with the same rules: change both together (and the indexes, by a new migration).
"""

from django.db import migrations

NGRAMS = r"""
CREATE OR REPLACE FUNCTION tsunagari_ngrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(
    CASE WHEN m[1] ~ '^[a-z0-9]' OR char_length(m[1]) = 1 THEN m[1]
         ELSE (SELECT string_agg(substr(m[1], i, 2), ' ' ORDER BY i)
               FROM generate_series(1, char_length(m[1]) - 1) AS i) || ' ' || right(m[1], 1)
    END, ' '), '')
  FROM regexp_matches(lower(normalize(t, NFKC)),
    '[a-z0-9]+|[^\x01-\x7f\s、。・「」『』【】〈〉《》〔〕〜]+', 'g') AS m
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("sns", "0008_moderation_policy_announcements")]

    operations = [
        migrations.RunSQL(NGRAMS, "DROP FUNCTION IF EXISTS tsunagari_ngrams(text);"),
    ]
