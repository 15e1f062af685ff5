"""`backup` and `restore` round-trip SQLite → PostgreSQL → SQLite with every row and every history entry,
and the documented pg_dump / pg_restore commands work against the local server."""

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("TRACKER_TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
BASE_ENV = {"DJANGO_SECRET_KEY": "backup-test", "DJANGO_ALLOWED_HOSTS": "localhost"}


def postgres_available():
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


needs_postgres = pytest.mark.skipif(
    not postgres_available(), reason="PostgreSQL not reachable: backup round-trip test skipped."
)


def fresh_pg_database(name):
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def manage(database_url, *args, env=None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **BASE_ENV, **(env or {}), "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def rows(path):
    """Every record of a backup as a comparable tuple, counted.

    Django's JSON serializer keeps milliseconds: "…:23.000Z" written once is "…:23Z" the next time.
    """
    return Counter(
        (
            record["model"],
            json.dumps(record.get("pk")),
            re.sub(r"\.000Z", "Z", json.dumps(record["fields"], sort_keys=True)),
        )
        for record in json.loads(Path(path).read_text(encoding="utf-8"))
    )


# A case run through its lifecycle with visits, an accepted application and a logged access to personal data.
LIFECYCLE = """
import datetime
from django.contrib.auth.models import User
from django.utils import timezone
from applications.models import Application
from cases.models import Case, Firm, GuidanceArea, Industry, Mentor, Visit
from privacy.models import PersonalDataAccess
boss = User.objects.create_superuser("boss", password="a-long-boss-password")
firm = Firm.objects.create(code="M", name="M기업", industry=Industry.objects.first(), legal_name="주식회사 엠",
                           registration_number="1208147521", contact_email="m@example.invalid")
mentor = Mentor.objects.create(code="mentor-new", name="새 퇴직기술자", real_name="山田太郎", capacity=2)
mentor.guidance_areas.set(GuidanceArea.objects.all()[:2])
case = Case.objects.create(code="2026-M", firm=firm, request_text="신청 내용")
case.guidance_areas.set(GuidanceArea.objects.all()[:2])
case.start_matching(by=boss, note="신청 수락")
case.assign_mentor(mentor, by=boss, note="분야 일치")
case.complete(by=boss)
today = timezone.localdate()
for start in (today, today + datetime.timedelta(days=3)):
    visit = Visit(case=case, started_on=start, ended_on=start, hours=6, summary="금형 점검")
    visit.full_clean()
    visit.save()
    visit.topics.set(case.guidance_areas.all())
Application.objects.create(company_name="주식회사 엠", registration_number="1208147521", region="seoul",
    industry=firm.industry, products="금형", employees=30, contact_name="김담당", contact_email="m@example.invalid",
    contact_phone="010-1234-5678", bottleneck="불량률", consent_version="test", consented_at=timezone.now(),
    state="accepted", firm=firm, case=case)
PersonalDataAccess.objects.create(user=boss, username="boss", model="cases.firm", object_id=firm.pk,
                                  object_label="M기업")
"""


@needs_postgres
def test_backup_restores_sqlite_to_postgresql_and_back_without_losing_a_row(tmp_path):
    sqlite_a = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    sqlite_b = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    postgres = fresh_pg_database("tracker_backup_roundtrip")

    manage(sqlite_a, "migrate", "-v0")
    manage(sqlite_a, "seed", "-v0")
    edit = (
        "from django.contrib.auth.models import User; from cases.models import Case; "
        "u = User.objects.create_user('editor', password='a-long-editor-password'); "
        "c = Case.objects.get(code='2017-J'); c.outcomes = '담당자가 고친 성과'; c._history_user = u; c.save(); "
        "c.guidance_areas.remove(c.guidance_areas.first())"
    )
    manage(sqlite_a, "shell", "-c", edit)
    manage(sqlite_a, "shell", "-c", LIFECYCLE)
    manage(sqlite_a, "backup", "-o", str(tmp_path / "a.json"))

    manage(postgres, "migrate", "-v0")
    manage(postgres, "restore", str(tmp_path / "a.json"), "--yes")
    manage(postgres, "backup", "-o", str(tmp_path / "p.json"))

    manage(sqlite_b, "migrate", "-v0")
    manage(sqlite_b, "restore", str(tmp_path / "p.json"), "--yes")
    manage(sqlite_b, "backup", "-o", str(tmp_path / "b.json"))

    original = rows(tmp_path / "a.json")
    models = Counter(model for model, _pk, _fields in original.elements())
    assert models["cases.case"] == 13  # the 12 seeded and the one run through its lifecycle
    assert models["cases.historicalcase"] >= 14  # 12 seeded inserts, the edit, the area removal
    assert models["auth.group"] == 2 and models["auth.user"] == 2
    # The lifecycle's records travel too: stage changes, visits with topics, an application, the access log.
    assert models["cases.stagechange"] == 3 and models["cases.visit"] == 2 and models["cases.historicalvisit"] >= 2
    assert models["applications.application"] == 1 and models["privacy.personaldataaccess"] == 1
    assert rows(tmp_path / "p.json") == original
    assert rows(tmp_path / "b.json") == original

    # The restored PostgreSQL database serves search from its rebuilt bigram column.
    found = manage(
        postgres, "shell", "-c", "from cases.models import Case; print(Case.objects.search('고친 성과').count())"
    )
    assert found.strip().endswith("1")


@needs_postgres
@pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="pg_dump not installed")
def test_documented_pg_dump_and_pg_restore_commands(tmp_path):
    source = fresh_pg_database("tracker_pgdump_source")
    target = fresh_pg_database("tracker_pgdump_target")
    manage(source, "migrate", "-v0")
    manage(source, "seed", "-v0")
    dump = tmp_path / "tracker.dump"
    # The commands as README.md documents them.
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source], check=True)
    subprocess.run(["pg_restore", "--no-owner", "--clean", "--if-exists", f"--dbname={target}", str(dump)], check=True)
    count = manage(target, "shell", "-c", "from cases.models import Case; print(Case.objects.search('금형').count())")
    assert count.strip().endswith("1")
