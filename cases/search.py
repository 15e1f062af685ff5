"""Korean free-text search over cases.

Each case keeps `search_text`: its firm, products, guidance, outcomes, mentor and guidance areas in one
NFC-normalised, lower-cased string. A query matches when every word is a substring of it, so two-syllable
words (금형, 용접) and words inside compounds (사출금형) match on SQLite and PostgreSQL alike.

On PostgreSQL a GIN index over the text's character bigrams (`tracker_bigrams()`, migration 0005) finds the
candidates first; trigram indexes cannot serve two-character queries, bigrams can. The substring test then
confirms each candidate. docs/search.md has the design and EXPLAIN output.
"""

import unicodedata

from django.db import connection
from django.db.models import Lookup

MAX_TERMS = 8


def normalize(text):
    """NFC (so decomposed Hangul matches), lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text or "").lower().split())


def search_terms(query):
    """The distinct words of a query, longest first, at most MAX_TERMS."""
    terms = dict.fromkeys(normalize(query).split())
    return sorted(terms, key=len, reverse=True)[:MAX_TERMS]


def build_search_text(case):
    """Reads case.firm, case.mentor and case.guidance_areas: select/prefetch them first."""
    firm, mentor = case.firm, case.mentor
    parts = [
        firm.code,
        firm.name,
        firm.products,
        firm.profile,
        case.background,
        case.guidance,
        case.guidance_details,
        case.outcomes,
        mentor.name if mentor else "",
        mentor.background if mentor else "",
        *(area.name for area in case.guidance_areas.all()),
    ]
    return normalize(" ".join(part for part in parts if part))


def bigram_tsquery(term):
    """'사출금형' -> "'사출' & '출금' & '금형'": the bigrams every matching text contains."""
    bigrams = dict.fromkeys(term[i : i + 2] for i in range(len(term) - 1))
    quoted = ("'" + bigram.replace("\\", "\\\\").replace("'", "''") + "'" for bigram in bigrams)
    return " & ".join(quoted)


def uses_bigram_index():
    return connection.vendor == "postgresql"


class BigramMatch(Lookup):
    """`search_text__bigrams=bigram_tsquery(term)`: the row's stored bigrams (the generated column
    `search_bigrams` beside `search_text`, PostgreSQL only) contain every bigram of the term.

    A lookup, not raw SQL, so the condition names the row's own alias wherever the queryset is nested: it is
    tested on the row being read (its bigrams are kept in the row, migration 0019) or answered by the GIN index,
    whichever the planner finds cheaper, with no second pass over the cases."""

    lookup_name = "bigrams"

    def as_sql(self, compiler, connection):
        column = f"{compiler.quote_name_unless_alias(self.lhs.alias)}.search_bigrams"
        rhs, params = self.process_rhs(compiler, connection)
        return f"{column} @@ ({rhs})::tsquery", params
