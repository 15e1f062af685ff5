"""The listing's facet counts (for each filter, every value with the number of cases it would give) and the
cache of the public pages.

Counting aggregates every matching case, which at 100,000 cases costs far more than the page itself, so the
counts, and the rendered results of the listing and statistics pages, are cached under the DataVersion token.
Database triggers change the token on every write the pages depend on (migration 0007), so nothing cached is
served after staff publish, edit or import anything, on any instance. The vocabularies (pattern, industry and
area names) come fresh with the token in one query (`Vocabulary.load`).

Cold, a listing costs 1 (vocabularies + token) + 3 (counts) + 2 (rows and their areas) queries; warm, 1.
"""

import functools
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Count, IntegerField, Value
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import DataVersion, GuidanceArea, Industry, OutcomePattern

CACHE_ALIAS = "public"
logger = logging.getLogger(__name__)
VOCABULARY_KINDS = ("pattern", "industry", "area")


@dataclass
class Vocabulary:
    """Every outcome pattern, industry and guidance area, and the current DataVersion token."""

    pattern: list = field(default_factory=list)  # OutcomePattern instances, for the pattern cards
    industry: list = field(default_factory=list)
    area: list = field(default_factory=list)
    token: int | None = None

    @classmethod
    def load(cls):
        """One query: the three small vocabularies and the token, as a UNION ALL of uniform rows."""
        sql, params = vocabulary_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        vocabulary = cls()
        for kind, pk, code, name, position, title, korean_side, japanese_side, description in rows:
            if kind == "token":
                vocabulary.token = pk
            elif kind == "pattern":
                vocabulary.pattern.append(
                    OutcomePattern(
                        id=pk,
                        code=code,
                        name=name,
                        position=position,
                        title=title,
                        korean_side=korean_side,
                        japanese_side=japanese_side,
                        description=description,
                    )
                )
            elif kind == "industry":
                vocabulary.industry.append(Industry(id=pk, code=code, name=name, position=position))
            else:
                vocabulary.area.append(GuidanceArea(id=pk, code=code, name=name, description=description))
        # The models' own orderings (UNION ALL cannot order each part).
        vocabulary.pattern.sort(key=lambda p: (p.position, p.code))
        vocabulary.industry.sort(key=lambda i: (i.position, i.name))
        vocabulary.area.sort(key=lambda a: a.name)
        return vocabulary

    def by_code(self, kind, code):
        return next((item for item in getattr(self, kind) if item.code == code), None)


@functools.cache
def vocabulary_sql():
    """The SQL of Vocabulary.load, compiled by the ORM once per process (compiling a four-part UNION costs more
    than running it, and it has no per-request parameters)."""
    columns = ("kind", "id", "code", "name", "position", "title", "korean_side", "japanese_side", "description")
    blank = Value("")
    union = (
        OutcomePattern.objects.order_by()
        .annotate(kind=Value("pattern"))
        .values_list(*columns)
        .union(
            Industry.objects.order_by()
            .annotate(kind=Value("industry"), title=blank, korean_side=blank, japanese_side=blank, description=blank)
            .values_list(*columns),
            GuidanceArea.objects.order_by()
            .annotate(
                kind=Value("area"),
                position=Value(0, IntegerField()),
                title=blank,
                korean_side=blank,
                japanese_side=blank,
            )
            .values_list(*columns),
            DataVersion.objects.filter(pk=1)
            .order_by()
            .annotate(
                kind=Value("token"),
                code=blank,
                name=blank,
                position=Value(0, IntegerField()),
                title=blank,
                korean_side=blank,
                japanese_side=blank,
                description=blank,
            )
            .values_list("kind", "token", *columns[2:]),
            all=True,
        )
    )
    return union.query.sql_with_params()


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    active: bool


@dataclass
class Facets:
    patterns: list  # OutcomePattern objects with case_count, for the pattern cards
    pattern: list
    industry: list
    area: list
    year: list
    total: int  # cases matching all the filters

    def chips(self):
        """The active filter values, for the removable chips."""
        names = {"pattern": _("성과 패턴"), "industry": _("업종"), "area": _("지도 분야"), "year": _("지도 연도")}
        return [(name, label, value) for name, label in names.items() for value in getattr(self, name) if value.active]


@dataclass
class FacetCounts:
    """The raw counts behind Facets, by id: small, and what the cache holds."""

    # (pattern id, start year, end year) -> cases, over the cases matching every filter but pattern and year:
    # both the pattern and the year counts (and the total) follow from it.
    periods: dict
    industry: dict  # industry id -> cases, every filter but industry
    area: dict  # area id -> cases, every filter but area

    @classmethod
    def count(cls, filterset):
        """Three queries. `filterset` must be valid."""
        periods = filterset.without("pattern", "year").values_list("outcome_pattern_id", "started_year", "ended_year")
        industries = filterset.without("industry").values_list("firm__industry_id")
        areas = filterset.without("area").values_list("guidance_areas")
        return cls(
            periods={(p, start, end): n for p, start, end, n in periods.annotate(n=Count("pk"))},
            industry=dict(industries.annotate(n=Count("pk"))),
            area=dict(areas.annotate(n=Count("pk"))),
        )

    @classmethod
    def cached(cls, filterset, token):
        """The counts for this filterset's cleaned values under `token`, computed once per instance and token."""
        if token is None:  # no DataVersion row (a freshly flushed database): nothing safe to cache under
            return cls.count(filterset)
        cache = caches[CACHE_ALIAS]
        key = f"facets:{token}:{filterset.cache_key()}"
        counts = cache.get(key)
        if counts is None:
            counts = cls.count(filterset)
            remember(cache, key, counts)
        return counts


def covers(start, end, year):
    """Whether a guidance period includes `year` (as CaseQuerySet.active_in: a one-year period has no end)."""
    if start is None:
        return False
    return start <= year <= (end or start)


def build_facets(counts, vocabulary, active):
    """Facets from the counts, labelled from the vocabulary, with `active` (the cleaned filter values) marked."""
    pattern, year = active.get("pattern"), active.get("year")
    pattern_counts, year_counts, total = Counter(), Counter(), 0
    for (pattern_id, start, end), n in counts.periods.items():
        in_year = year is None or covers(start, end, year)
        in_pattern = pattern is None or pattern_id == pattern.id
        if in_year:
            pattern_counts[pattern_id] += n
        if in_pattern and start is not None:
            for covered in range(start, (end or start) + 1):
                year_counts[covered] += n
        if in_year and in_pattern:
            total += n

    patterns = vocabulary.pattern
    for item in patterns:
        item.case_count = pattern_counts[item.id]

    def values(kind, counter):
        chosen = active.get(kind)
        return [
            FacetValue(item.code, item.name, counter.get(item.id, 0), chosen is not None and item.id == chosen.id)
            for item in getattr(vocabulary, kind)
        ]

    return Facets(
        patterns=patterns,
        pattern=values("pattern", pattern_counts),
        industry=values("industry", counts.industry),
        area=values("area", counts.area),
        year=[
            FacetValue(str(y), _("%(year)s년") % {"year": y}, n, y == year)
            for y, n in sorted(year_counts.items(), reverse=True)
        ],
        total=total,
    )


def cache_key_for(cleaned_data):
    """A short, stable key for a set of cleaned filter values (codes, numbers and the search text)."""
    parts = []
    for name in sorted(cleaned_data):
        value = cleaned_data[name]
        if name == "sort" or value in (None, "", [], ()):
            continue  # the order does not change any count
        parts.append(f"{name}={getattr(value, 'code', value)}")
    return hashlib.sha256("&".join(parts).encode()).hexdigest()[:32]


def remember(cache, key, value):
    """Store in the cache; a cache that cannot be written (a full disk, a read-only DJANGO_CACHE_DIR) costs speed,
    never a page."""
    try:
        cache.set(key, value)
    except OSError:
        logger.warning("could not write the page cache", exc_info=True)


def page_cache():
    """Where rendered public pages are kept (a dummy cache when CACHE_PUBLIC_PAGES is off)."""
    return caches[CACHE_ALIAS if settings.CACHE_PUBLIC_PAGES else "disabled"]


def page_cache_key(request, token, absolute=False):
    """A public page's key: the data version, the language and the full URL (with scheme and host if `absolute`).
    None when nothing may be cached (no token: a freshly flushed database)."""
    if token is None:
        return None
    url = request.build_absolute_uri() if absolute else request.get_full_path()
    digest = hashlib.sha256(url.encode()).hexdigest()[:32]
    return f"page:{token}:{get_language()}:{digest}"
