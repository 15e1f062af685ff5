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
    manage(sqlite_a, "backup", "-o", str(tmp_path / "a.json"))

    manage(postgres, "migrate", "-v0")
    manage(postgres, "restore", str(tmp_path / "a.json"), "--yes")
    manage(postgres, "backup", "-o", str(tmp_path / "p.json"))

    manage(sqlite_b, "migrate", "-v0")
    manage(sqlite_b, "restore", str(tmp_path / "p.json"), "--yes")
    manage(sqlite_b, "backup", "-o", str(tmp_path / "b.json"))

    original = rows(tmp_path / "a.json")
    models = Counter(model for model, _pk, _fields in original.elements())
    assert models["cases.case"] == 12
    assert models["cases.historicalcase"] >= 14  # 12 seeded inserts, the edit, the area removal
    assert models["auth.group"] == 2 and models["auth.user"] == 1
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
