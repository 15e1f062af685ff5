"""Print, as JSON, the database's plan for each public query the benchmark measures.

The querysets are built by the app's own code (CaseFilter, TailPaginator's id slices, ranked_similar), so the plans
are those of the pages, not of hand-written look-alikes. On PostgreSQL the plans are EXPLAIN ANALYZE (actual
times); SQLite gives its query plan. `scripts/bench.py` runs this and puts the plans into docs/performance*.md.

    DATABASE_URL=... python scripts/explain_queries.py
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402

from cases.filters import CaseFilter  # noqa: E402
from cases.models import ANY_AREA, Case, Firm, GuidanceArea, PublishedCount  # noqa: E402

PAGE = 20


def filtered(params):
    filterset = CaseFilter(params, queryset=Case.objects.published())
    assert filterset.is_valid(), filterset.errors
    return filterset


def plan(queryset):
    if connection.vendor == "postgresql":
        return queryset.explain(analyze=True)
    return queryset.explain()


def main():
    area = GuidanceArea.objects.order_by("code").values_list("code", flat=True).first()
    # A selective search: the newest firm's name ("합성 SYN1-099999 기업" in synthetic data). Every word of the
    # study's vocabulary is in a quarter to half of the synthetic cases, so those searches are all broad.
    rare = max(Firm.objects.order_by("-pk").values_list("name", flat=True).first().split(), key=len)
    published = Case.objects.published()
    median = published.order_by("pk").values_list("pk", flat=True)[published.count() // 2]
    queries = {
        "listing, page 1 ids (default order: case code)": filtered({}).qs.values("pk")[:PAGE],
        "listing, last page ids (read backwards)": filtered({}).qs.reverse().values("pk")[:PAGE],
        "listing, one page's rows by id": Case.objects.for_listing().filter(
            pk__in=list(filtered({}).qs.values_list("pk", flat=True)[:PAGE])
        ),
        "pattern=1, page 1 ids": filtered({"pattern": "1"}).qs.values("pk")[:PAGE],
        "year=2015, page 1 ids": filtered({"year": "2015"}).qs.values("pk")[:PAGE],
        f"area={area}, page 1 ids": filtered({"area": area}).qs.values("pk")[:PAGE],
        "q=금형 (two syllables, common), page 1 ids": filtered({"q": "금형"}).qs.values("pk")[:PAGE],
        "q=불량률 (three syllables), page 1 ids": filtered({"q": "불량률"}).qs.values("pk")[:PAGE],
        "q=사출 금형 (two words), page 1 ids": filtered({"q": "사출 금형"}).qs.values("pk")[:PAGE],
        f"q={rare} (a selective word), page 1 ids": filtered({"q": rare}).qs.values("pk")[:PAGE],
        "facet counts on a cache miss: pattern × period, summed from the kept counts": PublishedCount.objects.filter(
            area_id=ANY_AREA
        )
        .values_list("pattern_id", "started_year", "ended_year")
        .annotate(n=Sum("cases")),
        "facet counts on a cache miss: by area, summed from the kept counts": PublishedCount.objects.exclude(
            area_id=ANY_AREA
        )
        .values_list("area_id")
        .annotate(n=Sum("cases")),
        "case page: the case and its similar cases": Case.objects.published().ranked_similar(median),
    }
    plans = {name: plan(queryset) for name, queryset in queries.items()}
    print(json.dumps({"vendor": connection.vendor, "plans": plans}, ensure_ascii=False))


if __name__ == "__main__":
    main()
