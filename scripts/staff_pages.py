"""Time the staff pages against a loaded database, as a superuser and as an editor (편집자), in process.

    DATABASE_URL=postgres://… DJANGO_SECRET_KEY=x DJANGO_ALLOWED_HOSTS=testserver \
        .venv/bin/python scripts/staff_pages.py [--runs 7] [--slow 5] [--explain]

Per page: the median and worst of `--runs` requests after one warm-up (Django's test Client, so no network or
WSGI server: what the app itself costs), the number of queries and, with --slow, the slowest queries of the
last run. With --explain, EXPLAIN ANALYZE of the slowest. Two users are created if missing (bench-super,
bench-editor). scripts/bench.py measures the same pages under wrk; this is for finding where the time goes.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))  # run from the repository root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Case, Stage  # noqa: E402

PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


def users():
    superuser = User.objects.filter(username="bench-super").first() or User.objects.create_superuser(
        "bench-super", password="a-long-bench-password"
    )
    editor = User.objects.filter(username="bench-editor").first()
    if editor is None:
        editor = User.objects.create_user("bench-editor", password="a-long-bench-password", is_staff=True)
        editor.groups.add(Group.objects.get(name="편집자"))
    return {"superuser": superuser, "editor": editor}


def pages():
    matching = Case.objects.filter(stage=Stage.MATCHING).order_by("pk").first()
    busy = Case.objects.filter(stage=Stage.FOLLOWED_UP, visits__isnull=False).order_by("-pk").first()
    return {
        "dashboard": "/admin/",
        "case change (matching, shortlist)": f"/admin/cases/case/{matching.pk}/change/",
        "case change (followed up)": f"/admin/cases/case/{busy.pk}/change/",
        "case change list": "/admin/cases/case/",
        "case change list, stage=in_guidance": "/admin/cases/case/?stage=in_guidance",
        "case change list, search": "/admin/cases/case/?q=%EA%B8%88%ED%98%95",
        "visit change list": "/admin/cases/visit/",
        "visit change list, awaiting": "/admin/cases/visit/?report_state__exact=submitted",
        "follow-up change list, overdue": "/admin/cases/followup/?overdue=yes",
        "report": f"/admin/report/?year={timezone.localdate().year - 1}",
    }


def measure(client, url, runs):
    client.get(url, secure=True)  # warm-up: templates, the per-process caches
    times, queries = [], None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as context:
            start = time.perf_counter()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = context.captured_queries
    return times, queries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--slow", type=int, default=0)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    # No setup_test_environment(): its instrumented template rendering would add ~20% to every page.
    # No collectstatic needed: the manifest storage would refuse unknown files (as tests/conftest.py does).
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
    for role, user in users().items():
        client = Client()
        client.force_login(user)
        for name, url in pages().items():
            if args.only and args.only not in name:
                continue
            times, queries = measure(client, url, args.runs)
            db_ms = sum(float(query["time"]) for query in queries) * 1000
            print(
                f"{role:9} {name:40} p50 {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms  "
                f"{len(queries):3} queries  db {db_ms:6.1f} ms"
            )
            slowest = sorted(queries, key=lambda query: -float(query["time"]))[: args.slow]
            for query in slowest:
                print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
                if args.explain and float(query["time"]) > 0.02:
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                        print("\n".join("      " + row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
