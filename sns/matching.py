"""The site's Japanese matching: the searchable form of text, and what a member typed as a
query for it (kernel: models of every app keep a ``search`` column made here; the search page
is sns/search/).

Every searched table has a GIN index on ``to_tsvector('simple', tsunagari_ngrams(<its
text>))`` (the tokenizer is SQL, see ``sns/migrations/0009_search_ngrams.py``): Japanese text
becomes overlapping pairs of characters, ASCII words stay whole. A query term becomes a
phrase of the same pairs (``東京タワー`` → ``東京 <-> 京タ <-> タワ <-> ワー``), so any
substring of two characters or more is found through the index; a single character matches
pairs that start with it or a run that ends with it; an English word matches words starting
with it. Several terms separated by spaces must all match.
"""

from __future__ import annotations

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import models
from django.db.models import Func

# The same runs as the SQL tokenizer: ASCII words, or runs of anything else up to spaces
# and Japanese punctuation (ASCII punctuation ends a run too).
_RUN = re.compile(r"[a-z0-9]+|[^\x01-\x7f\s、。・「」『』【】〈〉《》〔〕〜]+")
MAX_TERMS = 5
MAX_QUERY_LENGTH = 100


class NgramVector(Func):
    """The searchable form of text columns: ``to_tsvector('simple', tsunagari_ngrams(a || ' '
    || b …))``. Each searched model keeps it in a stored generated column ``search`` with a
    GIN index, so matching a row never computes it again."""

    template = "to_tsvector('simple'::regconfig, tsunagari_ngrams(%(expressions)s))"
    arg_joiner = " || ' ' || "
    output_field = SearchVectorField()


def search_field(*columns: str):
    """The ``search`` generated column over ``columns``, for a model that can be searched."""
    return models.GeneratedField(
        expression=NgramVector(*columns), output_field=SearchVectorField(), db_persist=True,
    )


def _quote(token: str) -> str:
    # Tokens never hold ASCII punctuation (it ends a run), so quoting cannot be broken out of.
    return "'" + token + "'"


def _term_query(term: str) -> str | None:
    parts = []
    for run in _RUN.findall(term):
        if run[0].isascii():
            parts.append(_quote(run) + ":*")
        elif len(run) == 1:
            parts.append(f"({_quote(run)} | {_quote(run)}:*)")
        else:
            pairs = [run[i:i + 2] for i in range(len(run) - 1)]
            parts.append("(" + " <-> ".join(_quote(p) for p in pairs) + ")")
    return " & ".join(parts) or None


def normalize(text: str) -> str:
    """As the SQL tokenizer sees text: NFKC (full-width letters, half-width kana), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def tsquery(query: str) -> str | None:
    """The ``to_tsquery('simple', …)`` text for what a member typed, or None if nothing in
    it can be searched (only punctuation, say)."""
    terms = normalize(query[:MAX_QUERY_LENGTH]).split()[:MAX_TERMS]
    parts = [p for p in (_term_query(t) for t in terms) if p]
    return " & ".join(parts) or None


def matches(query: str) -> SearchQuery:
    """The value to filter a ``search`` column by: ``.filter(search=matches(query))``."""
    return SearchQuery(query, search_type="raw", config="simple")

