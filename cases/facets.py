"""The listing's facet counts (for each filter, every value with the number of cases it would give) and the
cache of the public pages.

Counting aggregates every matching case, which at 100,000 cases costs far more than the page itself, so the
counts (the facets, the statistics page's cross-tables and follow-up outcomes: `counted`), and the rendered
results of the listing and statistics pages, are cached under the DataVersion token. Database triggers change the
token on every write the pages depend on (migrations 0007, 0012, 0014, 0015, 0016: cases, their areas, firms,
vocabularies, metrics, outcome items, follow-ups, engineers' public fields, visits), so nothing cached is
served after staff publish, edit or import anything, on any instance. The vocabularies (pattern, industry and
area names) come fresh with the token in one query (`Vocabulary.load`).

The counts themselves are not recounted after an edit: published cases are kept counted by every filter value
(PublishedCount, by database triggers), and CaseGroups sums those rows, or a search's grouped matches, into any
facet or cross-table. Cold, a listing costs 1 (vocabularies + token) + 4 (sums over the kept counts; a search
instead groups its matches in 1) + 2 (rows and their areas) queries; warm, 1.
"""

import functools
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import filelock
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import F, IntegerField, Q, Sum, Value
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import (
    ANY_AREA,
    Case,
    DataVersion,
    EvolutionPath,
    GuidanceArea,
    Industry,
    OutcomePattern,
    PublishedCount,
    period_years,
)
from .models.counts import NONE

CACHE_ALIAS = "public"
LOCAL_ALIAS = "local"  # each worker's memory: what is cheap to keep per worker and must not crowd the shared cache
logger = logging.getLogger(__name__)
VOCABULARY_KINDS = ("pattern", "industry", "area")  # the filters chosen from a vocabulary, by code


class Vocabulary:
    """Every outcome pattern, industry, guidance area and evolution path, and the current DataVersion token.

    Read in one query per request; the model objects are built only if the page is rendered (a page served from
    the page cache needs the token alone).
    """

    def __init__(self, rows):
        self._rows = rows
        self.token = next((pk for kind, pk, *_ in rows if kind == "token"), None)

    @classmethod
    def load(cls):
        """One query: the four small vocabularies and the token, as a UNION ALL of uniform rows."""
        sql, params = vocabulary_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cls(cursor.fetchall())

    def _items(self, kind):
        return [columns for row_kind, *columns in self._rows if row_kind == kind]

    @cached_property
    def pattern(self):
        """OutcomePattern objects in the model's order (UNION ALL cannot order each part), for the pattern cards."""
        patterns = [
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
            for pk, code, name, position, title, korean_side, japanese_side, description in self._items("pattern")
        ]
        return sorted(patterns, key=lambda p: (p.position, p.code))

    @cached_property
    def industry(self):
        industries = [
            Industry(id=pk, code=code, name=name, position=position)
            for pk, code, name, position, *_ in self._items("industry")
        ]
        return sorted(industries, key=lambda i: (i.position, i.name))

    @cached_property
    def area(self):
        areas = [
            GuidanceArea(id=pk, code=code, name=name, description=description)
            for pk, code, name, _position, _title, _korean, _japanese, description in self._items("area")
        ]
        return sorted(areas, key=lambda a: a.name)

    @cached_property
    def path(self):
        """EvolutionPath objects (그림11's paths ①②③), in code order."""
        paths = [
            EvolutionPath(id=pk, code=code, name=name, product=product, technology=technology, description=description)
            for pk, code, name, _position, product, technology, _japanese, description in self._items("path")
        ]
        return sorted(paths, key=lambda p: p.code)

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
            EvolutionPath.objects.order_by()
            .annotate(
                kind=Value("path"),
                position=Value(0, IntegerField()),
                title=F("product"),
                korean_side=F("technology"),
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
    product: list
    technology: list
    grid: dict  # (product, technology, evolution path id or None) -> cases, every filter but product and technology
    total: int  # cases matching all the filters

    def chips(self):
        """The active filter values, for the removable chips."""
        names = {
            "pattern": _("성과 패턴"),
            "industry": _("업종"),
            "area": _("지도 분야"),
            "year": _("지도 연도"),
            "product": _("상품"),
            "technology": _("기술"),
        }
        return [(name, label, value) for name, label in names.items() for value in getattr(self, name) if value.active]


FACET_FILTERS = ("pattern", "year", "industry", "area", "product", "technology")  # every public filter but q and sort


class CaseGroups:
    """Counts of published cases by the values the public filters choose, for any combination of them
    (`count`), over the cases a search selects or, without one, over all.

    Every facet and both cross-tables follow from these counts. Without a search they are summed from the
    PublishedCount rows that triggers keep (no case is read, so the first page after an edit costs little); a
    search's matches are grouped once per data version and search text (one query), then counted here.
    """

    # What can be counted by and filtered on: (name, PublishedCount's column, the Case lookup), the area first as
    # in the kept counts' key. A search's grouped rows hold these values in this order, then the cases.
    DIMENSIONS = (
        ("area", "area_id", "guidance_areas"),
        ("pattern", "pattern_id", "outcome_pattern_id"),
        ("started_year", "started_year", "started_year"),
        ("ended_year", "ended_year", "ended_year"),
        ("industry", "industry_id", "firm__industry_id"),
        ("product", "product", "product"),
        ("technology", "technology", "technology"),
        ("path", "path_id", "evolution_path_id"),
    )
    FIELDS = tuple(name for name, _column, _lookup in DIMENSIONS)
    COLUMNS = {name: column for name, column, _lookup in DIMENSIONS}
    OPTIONAL = {"pattern", "started_year", "ended_year", "path"}  # NONE in the kept rows, None in the counts

    @classmethod
    def of(cls, filterset):
        """The groups of this filterset's search (call after `is_valid()`)."""
        text = filterset.form.cleaned_data.get("q") or ""
        if not text:
            return cls()
        key = hashlib.sha256(text.encode()).hexdigest()[:32]
        return SearchGroups(kept("groups", key, filterset.vocabulary.token, lambda: SearchGroups.select(filterset)))

    @staticmethod
    def conditions(by, active, ignore):
        """What a count keeps: {field: value} to match, the year the period must cover (or None), and whether
        it reads the per-area rows (counting by area: a case counts in each of its areas). Otherwise a chosen
        area reads its own rows and no area the ANY_AREA ones, so each case counts once."""
        equal = {
            name: value.id if hasattr(value, "id") else value
            for name, value in active.items()
            if value is not None and name not in ignore and name in CaseGroups.COLUMNS
        }
        per_area = "area" in by
        if not per_area:
            equal.setdefault("area", ANY_AREA)
        year = active.get("year") if "year" not in ignore else None
        return equal, year, per_area

    def count(self, by, active, ignore=()):
        """{value of `by` (a tuple of COLUMNS' names, or one name): cases} over the cases matching the `active`
        filter values (FilterSet.active_values) but those named in `ignore`. One grouped query over the kept
        counts."""
        fields = (by,) if isinstance(by, str) else by
        equal, year, per_area = self.conditions(fields, active, ignore)
        rows = PublishedCount.objects.filter(**{self.COLUMNS[name]: value for name, value in equal.items()})
        if per_area:
            rows = rows.exclude(area_id=ANY_AREA)
        if year is not None:
            rows = rows.filter(Q(started_year__lte=year, ended_year__gte=year) | Q(started_year=year, ended_year=NONE))
        grouped = rows.order_by().values_list(*(self.COLUMNS[name] for name in fields)).annotate(n=Sum("cases"))
        counts = {}
        for *key, n in grouped:
            if n:
                key = tuple(
                    None if value == NONE and name in self.OPTIONAL else value
                    for name, value in zip(fields, key, strict=True)
                )
                counts[key[0] if isinstance(by, str) else key] = n
        return counts


class SearchGroups(CaseGroups):
    """A search's matches grouped by every dimension (ANY_AREA once per case, then per area), as rows of
    (the values of CaseGroups.FIELDS…, cases): counted in Python, with no further query."""

    def __init__(self, rows):
        self.case_rows = [row for row in rows if row[0] == ANY_AREA]
        self.area_rows = [row for row in rows if row[0] != ANY_AREA]

    @classmethod
    def select(cls, filterset):
        """One query: the matches (read once) grouped by case and by each of their areas."""
        lookups = [lookup for name, _column, lookup in cls.DIMENSIONS if name != "area"]
        matches = filterset.without(*FACET_FILTERS).values_list("pk", *lookups)
        sql, params = matches.query.sql_with_params()
        dims = ", ".join(f"d{n}" for n in range(len(lookups)))
        through = Case.guidance_areas.through._meta.db_table
        query = (
            f"WITH m (id, {dims}) AS ({sql}) "
            f"SELECT {ANY_AREA}, {dims}, count(*) FROM m GROUP BY {dims} UNION ALL "
            f"SELECT a.guidancearea_id, {dims}, count(*) FROM m "
            f"JOIN {through} a ON a.case_id = m.id GROUP BY a.guidancearea_id, {dims}"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return [tuple(row) for row in cursor.fetchall()]

    def count(self, by, active, ignore=()):
        fields = (by,) if isinstance(by, str) else by
        equal, year, per_area = self.conditions(fields, active, ignore)
        wanted = [(self.FIELDS.index(name), value) for name, value in equal.items()]
        positions = [self.FIELDS.index(name) for name in fields]
        start, end = self.FIELDS.index("started_year"), self.FIELDS.index("ended_year")
        counts = Counter()
        for row in self.area_rows if per_area or equal["area"] != ANY_AREA else self.case_rows:
            if any(row[position] != value for position, value in wanted):
                continue
            if year is not None and year not in period_years(row[start], row[end]):
                continue
            counts[row[positions[0]] if isinstance(by, str) else tuple(row[p] for p in positions)] += row[-1]
        return dict(counts)


@dataclass
class FacetCounts:
    """The raw counts behind Facets, by id: small, and what the cache holds."""

    # (pattern id, start year, end year) -> cases, over the cases matching every filter but pattern and year:
    # both the pattern and the year counts (and the total) follow from it.
    periods: dict
    industry: dict  # industry id -> cases, every filter but industry
    area: dict  # area id -> cases, every filter but area
    # (product, technology, evolution path id) -> cases, every filter but product and technology: the product and
    # technology counts, and 그림11's grid with the paths taken, follow from it.
    grid: dict

    @classmethod
    def count(cls, filterset):
        """From the search's CaseGroups. `filterset` must be valid."""
        groups, active = CaseGroups.of(filterset), filterset.active_values()
        return cls(
            periods=groups.count(("pattern", "started_year", "ended_year"), active, ignore=("pattern", "year")),
            industry=groups.count("industry", active, ignore=("industry",)),
            area=groups.count("area", active, ignore=("area",)),
            grid=groups.count(("product", "technology", "path"), active, ignore=("product", "technology")),
        )

    @classmethod
    def cached(cls, filterset, token):
        """The counts for this filterset's cleaned values under `token`, computed once per instance and token."""
        return counted("facets", filterset, token, lambda: cls.count(filterset))


def counted(name, filterset, token, count):
    """What `count()` aggregates over this filterset's cases, kept under `token` and its cleaned values.

    Aggregates are the costly part of a page at 100,000 cases (the facets, the statistics page's cross-tables
    and follow-up outcomes), so they are computed once per data version and filter values, whether or not the
    page around them is cached (CACHE_PUBLIC_PAGES). The token makes them as fresh as the page: any write they
    depend on gives a new one.
    """
    return kept(name, filterset.cache_key(), token, count)


def similar_ranking(pk, token):
    """`Case.objects.published().ranked_similar(pk)` as a list, ranked once per data version and worker (the ranking
    is most of a case page's database time); empty when case `pk` is not published.

    Kept in each worker's memory (LOCAL_ALIAS), not in the shared page cache: a crawler walking every case page
    would otherwise push the costly counts and pages out of it, and ids that are not published are not kept."""
    return kept("similar", str(pk), token, lambda: list(Case.objects.published().ranked_similar(pk)), alias=LOCAL_ALIAS)


def kept(name, key, token, compute, alias=CACHE_ALIAS):
    """`compute()`, kept in the cache `alias` under `name`, `token` and `key` (computed anew without a token: a
    freshly flushed database has nothing safe to cache under). An empty result is not kept."""
    if token is None:
        return compute()
    cache = caches[alias]
    full_key = f"{name}:{token}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        if value or value == 0:
            remember(cache, full_key, value)
    return value


def build_facets(counts, vocabulary, active):
    """Facets from the counts, labelled from the vocabulary, with `active` (the cleaned filter values) marked."""
    pattern, year = active.get("pattern"), active.get("year")
    pattern_counts, year_counts, total = Counter(), Counter(), 0
    for (pattern_id, start, end), n in counts.periods.items():
        years = period_years(start, end)
        in_year = year is None or year in years
        in_pattern = pattern is None or pattern_id == pattern.id
        if in_year:
            pattern_counts[pattern_id] += n
        if in_pattern:
            for covered in years:
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

    product, technology = active.get("product"), active.get("technology")
    product_counts, technology_counts = Counter(), Counter()
    for (cell_product, cell_technology, _path), n in counts.grid.items():
        if technology is None or cell_technology == technology:
            product_counts[cell_product] += n
        if product is None or cell_product == product:
            technology_counts[cell_technology] += n

    def kinds(counter, chosen):
        return [
            FacetValue(kind.value, kind.label, counter[kind.value], kind.value == chosen) for kind in EvolutionPath.Kind
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
        product=kinds(product_counts, product),
        technology=kinds(technology_counts, technology),
        grid=counts.grid,
        total=total,
    )


def cache_key_for(cleaned_data):
    """A short, stable key for a set of cleaned filter values (codes, a year and the search text)."""
    parts = []
    for name in sorted(cleaned_data):
        value = cleaned_data[name]
        if name == "sort" or value in (None, "", [], ()):
            continue  # the order does not change any count
        parts.append(f"{name}={value}")
    return hashlib.sha256("&".join(parts).encode()).hexdigest()[:32]


def remember(cache, key, value):
    """Store in the cache; a cache that cannot be written (a full disk, a read-only DJANGO_CACHE_DIR) costs speed,
    never a page."""
    try:
        cache.set(key, value)
    except OSError:
        logger.warning("could not write the page cache", exc_info=True)


class PageCache:
    """A public page (or API list) in the page cache, keyed by the data version, the language and the full URL
    (with scheme and host if `absolute`: API results hold absolute URLs).

    Nothing is kept without a token (a freshly flushed database) or with CACHE_PUBLIC_PAGES off, and a cache that
    cannot be written costs speed, never a page.

    After a write, the first requests for a page find nothing under the new token. `get_or_build` lets one of them
    build it while the others wait and then read what it stored (single flight, per instance: the cache directory
    is the instance's). Waiting is safe where serving the previous version would not be: every waiter asked under
    the same token, so a request that began after a publish or unpublish never waits for, or gets, a page of the
    data before it.
    """

    def __init__(self, request, token, absolute=False):
        self.cache = caches[CACHE_ALIAS if settings.CACHE_PUBLIC_PAGES else "disabled"]
        self.key = None
        if token is not None:
            url = request.build_absolute_uri() if absolute else request.get_full_path()
            self.key = f"page:{token}:{get_language()}:{hashlib.sha256(url.encode()).hexdigest()[:32]}"

    def get(self):
        return self.cache.get(self.key) if self.key else None

    def put(self, value):
        if self.key:
            remember(self.cache, self.key, value)

    def get_or_build(self, build):
        """The cached value, or the one `build()` returns as `(value, keep)`, stored if `keep`.

        Concurrent callers with the same key build once. A waiter that does not get the lock within
        BUILD_WAIT_SECONDS (a build stuck on a slow query) builds for itself: slower, never an error.
        """
        if (value := self.get()) is not None:
            return value
        if not (self.key and settings.CACHE_PUBLIC_PAGES):
            return build()[0]
        try:
            with build_lock(self.key):
                if (value := self.get()) is not None:  # built by the request we waited for
                    return value
                return self._build(build)
        except filelock.Timeout:
            logger.warning("waited %s s for a page being built; building it again", BUILD_WAIT_SECONDS)
        except OSError:  # no lock directory to write in: as without the lock
            logger.warning("could not lock the page cache", exc_info=True)
        return self._build(build)

    def _build(self, build):
        value, keep = build()
        if keep:
            self.put(value)
        return value


BUILD_WAIT_SECONDS = 10
BUILD_LOCK_STRIPES = 256  # lock files, reused by all keys: a bounded directory, and rare, harmless sharing


def build_lock(key):
    """An exclusive lock (flock) for building `key`, shared by the processes of this instance. Held only while the
    page is built; the operating system releases it if the worker dies."""
    stripe = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % BUILD_LOCK_STRIPES
    directory = Path(settings.CACHES[CACHE_ALIAS]["LOCATION"]) / "locks"
    directory.mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(directory / f"{stripe:02x}.lock", timeout=BUILD_WAIT_SECONDS)
