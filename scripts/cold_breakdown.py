"""Where a public page's time goes when nothing of it is cached: database, templates, and the rest (ORM, view,
middleware), one request at a time through Django's test client, the median of 30.

    DATABASE_URL=postgres://…/tracker_bench python scripts/cold_breakdown.py [URL …]

The page cache is off (as DJANGO_CACHE_PUBLIC_PAGES=false); the aggregates (facets, cross-tables, follow-up
outcomes) stay cached per data version, as they are in production. Queries that run while a template renders (the
listing's rows are read lazily) count as database time, not template time. Used for docs/performance.md.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import base as template_base  # noqa: E402
from django.test import Client  # noqa: E402

from cases.models import Case  # noqa: E402

RUNS = 30


class Clock:
    """Database time, and template time without the queries run inside templates."""

    def __init__(self):
        self.db = self.templates = self.db_in_templates = 0.0
        self.depth = 0

    def database(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.db += spent
            if self.depth:
                self.db_in_templates += spent

    def wrap_templates(self):
        render = template_base.Template.render
        clock = self

        def timed(template, context):
            clock.depth += 1
            started = time.perf_counter()
            try:
                return render(template, context)
            finally:
                clock.depth -= 1
                if not clock.depth:
                    clock.templates += time.perf_counter() - started

        template_base.Template.render = timed


def main(urls):
    settings.CACHE_PUBLIC_PAGES = False
    published = Case.objects.published().order_by("pk").values_list("pk", flat=True)
    middle = published[published.count() // 2]
    urls = urls or [f"/cases/{middle}/", "/cases/", "/cases/?q=금형", "/stats/", "/api/cases/"]
    clock = Clock()
    clock.wrap_templates()
    client = Client()
    print(f"{'URL':24} {'total':>7} {'database':>9} {'templates':>10} {'rest':>7}  (ms, median of {RUNS})")
    for url in urls:
        for _ in range(5):
            assert client.get(url).status_code == 200, url
        samples = []
        with connection.execute_wrapper(clock.database):
            for _ in range(RUNS):
                clock.db = clock.templates = clock.db_in_templates = 0.0
                started = time.perf_counter()
                client.get(url)
                total = time.perf_counter() - started
                templates = clock.templates - clock.db_in_templates
                samples.append((total, clock.db, templates, total - clock.db - templates))
        total, db, templates, rest = (statistics.median(column) * 1000 for column in zip(*samples, strict=True))
        print(f"{url:24} {total:7.1f} {db:9.1f} {templates:10.1f} {rest:7.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
