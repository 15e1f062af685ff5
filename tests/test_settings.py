"""Settings come from the environment, and production refuses to start on unsafe defaults."""

import gc
import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from tracker.settings import env_bool

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("On", True), ("0", False), ("no", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", default=None) is expected


def test_env_bool_rejects_what_it_does_not_understand(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "yes?")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG", default=False)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_debug_defaults_to_off():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    assert result.stdout.strip().endswith("False"), result.stderr


def test_collectstatic_builds_the_compressed_manifest(tmp_path):
    script = (
        "from django.conf import settings; from django.core.management import call_command; "
        f"settings.STATIC_ROOT = {str(tmp_path)!r}; call_command('collectstatic', '--noinput', verbosity=0)"
    )
    result = run_manage("shell", "-c", script, DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list((tmp_path / "css").glob("site.*.css.gz"))


def test_the_gunicorn_master_leaves_what_it_loaded_out_of_the_workers_collections():
    # gunicorn.conf.py's when_ready runs in the master before it forks: a worker's full garbage collection then
    # skips Django and the app (the API list's p99 pauses, docs/performance.md).
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    server = SimpleNamespace(cfg=SimpleNamespace(preload_app=True))
    try:
        config["when_ready"](server)
        assert gc.get_freeze_count() > 10_000  # Django's modules, the URL patterns, the compiled templates
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("work_mem", ["32 megabytes", "32mb", "63kB", "3000GB"])
def test_a_work_mem_postgresql_would_refuse_stops_the_start(work_mem):
    # PostgreSQL would refuse every connection, and so every page; say so at start-up instead.
    result = run_manage(
        "check",
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        DJANGO_DB_WORK_MEM=work_mem,
    )
    assert result.returncode != 0
    assert "DJANGO_DB_WORK_MEM must be a size from 64kB to 2047GB" in result.stderr


@pytest.mark.parametrize(
    ("work_mem", "url_options", "expected"),
    [
        ("32MB", "", "-c work_mem=32MB"),
        ("64kB", "?options=-c%20search_path%3Dtracker", "-c search_path=tracker -c work_mem=64kB"),
        ("", "?options=-c%20search_path%3Dtracker", "-c search_path=tracker"),  # empty: left to the database role
    ],
)
def test_work_mem_is_added_to_the_connection_s_options(work_mem, url_options, expected):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}).get('options'))",
        DJANGO_DEBUG="true",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/test{url_options}",
        DJANGO_DB_WORK_MEM=work_mem,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
