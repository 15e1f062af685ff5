"""`make bench`: throughput and latency of the public pages under the production server, as a ladder of levels.

    python scripts/bench.py                      # PostgreSQL, 100,000 cases -> docs/performance.md / .json
    python scripts/bench.py --sqlite             # SQLite, 10,000 cases -> docs/performance-sqlite.md / .json
    python scripts/bench.py --cases 2000 --duration 3 --reuse-db

The ladder, every row measured by wrk at the same fixed concurrency:

* L0 `static`: a file of exactly the listing's byte size, served by whitenoise from the same gunicorn + Django
  (HTTP, WSGI and the first middlewares, no template and no database): the ceiling of this stack.
* L1 `floor`: `scripts/bench_floor.py`, a bare WSGI callable under the same gunicorn config that counts the
  published cases and renders one page of 20 by joining strings (one kept connection per worker, no Django).
* L4: the real pages (`/cases/` and its filters, search, last page, a case page, the API, statistics), `/cases/`
  answered `304` to its own ETag, and once more `/cases/` with DJANGO_CONN_MAX_AGE=0 to show what connection reuse
  buys, and five pages with the page cache off (DJANGO_CACHE_PUBLIC_PAGES=false).
* staff: the dashboard, a case's change page (a case in matching, with its shortlist), the case and visit change
  lists and the yearly report, with the session of a superuser made for the bench.

Then the first request after an edit (one at a time) for each L4 URL and a search matching about half the cases.

PostgreSQL mode drops and recreates the database `tracker_bench` (BENCH_DB overrides the name) on the server of
BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), loads `seed` + `generate_cases N --seed 1`,
then VACUUM ANALYZE.
Servers run one at a time, exactly as production starts them (`gunicorn tracker.wsgi -c gunicorn.conf.py`),
with the access log silenced on the command line. Exit status 1 when any row had errors.
"""

import argparse
import json
import math
import os
import platform
import re
import runpy
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
if not GUNICORN.exists():
    GUNICORN = Path(sys.executable).parent / "gunicorn"
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = os.environ.get("BENCH_DB", "tracker_bench")  # a helper's trial runs use a database of their own
SQLITE_PATH = Path(tempfile.gettempdir()) / "tracker-bench-sqlite" / "bench.sqlite3"
PAGE_SIZE = 20
ANALYSIS_MARK = "<!-- analysis -->"
DRAIN_SECONDS = 5  # wrk's last requests finish before the one-at-a-time measurements after an edit
READY_TIMEOUT = 60
STOP_TIMEOUT = 40  # gunicorn.conf.py's graceful_timeout is 30 s

# Targets, checked against the run and listed under the results.
TARGET_LISTING_VS_FLOOR = 0.8
TARGET_LAST_VS_FIRST = 0.8
TARGET_TAIL_RATIO = 3.0
TARGET_LONG_SEARCH_P50_MS = 50
TARGET_SHORT_SEARCH_P50_MS = 150
TARGET_RSS_MB = 150
TARGET_CASE_PAGE_VS_FLOOR = 0.8  # the case page is never page-cached
TARGET_UNCACHED_VS_FLOOR = 0.5  # listing, statistics and API list with the page cache off
TARGET_NOT_MODIFIED_VS_FLOOR = 2.0
TARGET_COLD_LISTING_MS = 60
TARGET_COLD_HALF_SEARCH_MS = 250
TARGET_STAFF_PAGE_P50_MS = 150  # dashboard, a case's change page
TARGET_STAFF_LIST_P50_MS = 200  # the case and visit change lists

# Row names the targets look up.
NOT_MODIFIED = "listing, If-None-Match → 304"
HALF_SEARCH = "search matching about half"
# Words of the study's vocabulary; the run searches the one whose matches are nearest half the published cases.
HALF_SEARCH_CANDIDATES = ("금형", "설비", "생산", "개선", "용접", "가공", "품질", "사출", "소재", "개발", "기술")
STAFF_USERNAME = "bench-staff"

STARTED = time.monotonic()


def log(message):
    print(f"[bench {time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


class BenchError(Exception):
    """A step failed: stop and say why."""


# --- Tools --------------------------------------------------------------------------------------------------------


def ensure_wrk():
    if not shutil.which("wrk"):
        log("wrk not found: installing Debian's package (apt-get install wrk)")
        subprocess.run("apt-get update -qq && apt-get install -y -qq wrk", shell=True, check=True, timeout=300)
    if not shutil.which("wrk"):
        raise BenchError("wrk is still not on PATH after apt-get install wrk")
    # `wrk -v` prints its version and exits with status 1.
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    match = re.search(r"wrk (\S+)", out.stdout + out.stderr)
    return match.group(1) if match else "unknown"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Databases ----------------------------------------------------------------------------------------------------


class Postgres:
    label = "PostgreSQL"

    def __init__(self, admin_url):
        self.admin_url = admin_url
        parts = urllib.parse.urlsplit(admin_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 5432
        self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{BENCH_DB}"))

    def ensure_running(self):
        ready = ["pg_isready", "-q", "-h", self.host, "-p", str(self.port)]
        if subprocess.run(ready, timeout=15).returncode == 0:
            return
        versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in v.split(".") if x.isdigit()])
        log(f"PostgreSQL is not accepting connections: starting cluster {versions[-1]}/main")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"], check=True, timeout=60
        )
        deadline = time.monotonic() + 60
        while subprocess.run(ready, timeout=15).returncode != 0:
            if time.monotonic() > deadline:
                raise BenchError(f"PostgreSQL at {self.host}:{self.port} did not come up within 60 s")
            time.sleep(1)

    def query(self, sql):
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def case_count(self):
        try:
            return self.query("SELECT count(*) FROM cases_case")[0][0]
        except Exception:  # no database or no table yet
            return 0

    def recreate(self):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")

    def analyze(self):
        self.query("VACUUM ANALYZE")

    def version(self):
        return self.query("SHOW server_version")[0][0]

    def size_bytes(self):
        return self.query(f"SELECT pg_database_size('{BENCH_DB}')")[0][0]


class Sqlite:
    label = "SQLite"

    def __init__(self, path):
        self.path = path
        self.url = f"sqlite:///{path}"

    def ensure_running(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def query(self, sql):
        conn = sqlite3.connect(self.path)
        try:
            rows = conn.execute(sql).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()

    def case_count(self):
        if not self.path.exists():
            return 0
        try:
            return self.query("SELECT count(*) FROM cases_case")[0][0]
        except sqlite3.Error:
            return 0

    def recreate(self):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def analyze(self):
        self.query("ANALYZE")

    def version(self):
        return sqlite3.sqlite_version

    def size_bytes(self):
        return self.path.stat().st_size


# --- Django and gunicorn ------------------------------------------------------------------------------------------


def manage(env, *args, timeout, capture=False):
    """Run manage.py with the bench environment; output streams to the console unless captured."""
    result = subprocess.run(
        [PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, timeout=timeout, capture_output=capture, text=True
    )
    if result.returncode != 0:
        detail = f"\n{result.stdout}\n{result.stderr}" if capture else ""
        raise BenchError(f"manage.py {' '.join(args)} failed with status {result.returncode}{detail}")
    return result.stdout if capture else None


def django_probe(env, code):
    """Run `code` in `manage.py shell` (it prints one line starting with BENCH:) and return the rest of that line."""
    out = manage(env, "shell", "-c", code, timeout=120, capture=True)
    for line in out.splitlines():
        if line.startswith("BENCH:"):
            return line.removeprefix("BENCH:").strip()
    raise BenchError(f"no BENCH: line from manage.py shell:\n{out}")


def load(db, cases, reuse, env):
    db.ensure_running()
    existing = db.case_count() if reuse else 0
    if reuse and existing >= cases:
        log(f"--reuse-db: {db.label} database already has {existing:,} cases; skipping the load")
        manage(env, "migrate", "--noinput", "-v0", timeout=600)
        db.analyze()
        return None
    started = time.monotonic()
    log(f"creating an empty {db.label} database ({db.url})")
    db.recreate()
    log("manage.py migrate")
    manage(env, "migrate", "--noinput", "-v0", timeout=600)
    log("manage.py seed")
    manage(env, "seed", "-v0", timeout=300)
    log(f"manage.py generate_cases {cases} --seed 1")
    manage(env, "generate_cases", str(cases), "--seed", "1", timeout=None)  # bounded by --time-limit
    log("VACUUM ANALYZE" if isinstance(db, Postgres) else "ANALYZE")
    db.analyze()
    return round(time.monotonic() - started, 1)


class Server:
    """One gunicorn master with the production config; stopped with SIGTERM (then SIGKILL) on exit."""

    def __init__(self, app, env, logdir, name, ready_path):
        self.app, self.env, self.name, self.ready_path = app, env, name, ready_path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.logfile = Path(logdir) / f"gunicorn-{name}.log"
        self.process = None

    def start(self):
        cmd = [str(GUNICORN), self.app, "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"]
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        env.pop("GUNICORN_WORKERS", None)  # the config's default: 2 x cores + 1
        log(f"starting gunicorn {self.app} ({self.name}) on {self.base}")
        with open(self.logfile, "wb") as out:
            self.process = subprocess.Popen(
                cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn ({self.name}) exited with status {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=2) as response:
                    if response.status == 200:
                        break
            except (OSError, urllib.error.HTTPError):
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn ({self.name}) not ready within {READY_TIMEOUT} s:\n{self.tail()}")
            time.sleep(0.25)
        # Let every worker boot before measuring.
        deadline = time.monotonic() + READY_TIMEOUT
        while len(self.workers()) < expected_workers() and time.monotonic() < deadline:
            time.sleep(0.25)
        return self

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        log(f"gunicorn ({self.name}) stopped")

    def recycles(self):
        """How many times a worker has restarted after `max_requests` (gunicorn logs each one)."""
        try:
            return self.logfile.read_text(errors="replace").count("Autorestarting worker")
        except OSError:
            return 0

    def tail(self, lines=40):
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def workers(self):
        """Process ids of the master's children (its workers), from /proc."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may contain spaces and parentheses: the parent pid is the 2nd field after the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return pids

    def worker_rss_mb(self):
        values = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
            if match:
                values.append(int(match.group(1)) / 1024)
        return values


def expected_workers():
    return gunicorn_config()["workers"]


def gunicorn_config():
    """The production config's values, read from gunicorn.conf.py itself (so the report cannot drift from it)."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return {name: config.get(name) for name in ("workers", "max_requests", "max_requests_jitter", "preload_app")}


@contextmanager
def running(server):
    try:
        yield server.start()
    finally:
        server.stop()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(server, path, headers=None):
    """GET once without following redirects: (status, headers, body)."""
    request = urllib.request.Request(server.base + path, headers=headers or {})
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def check(server, path, headers=None, status=200, contains=None):
    """GET once: must answer `status` (a redirect is a failure too) and, if given, contain `contains`.
    Returns the body size."""
    answered, _headers, body = get(server, path, headers)
    if answered != status or (contains is not None and contains not in body):
        text = body[:500].decode(errors="replace")
        wanted = f"{status}" + (f" with {contains!r}" if contains is not None else "")
        raise BenchError(f"GET {path} answered {answered}, not {wanted}. First 500 chars:\n{text}")
    return len(body)


# --- wrk ----------------------------------------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def to_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"cannot read wrk latency {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(output):
    def number(pattern):
        match = re.search(pattern, output, re.M)
        if match is None:
            raise BenchError(f"wrk output has no match for {pattern!r}:\n{output}")
        return match

    percentiles = {int(p): to_ms(value) for p, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.M)}
    if 50 not in percentiles or 99 not in percentiles:
        raise BenchError(f"wrk output has no latency distribution:\n{output}")
    socket_errors = {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if match:
        socket_errors = dict(zip(socket_errors, map(int, match.groups()), strict=True))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = number(r"^\s+(\d+) requests in ([\d.]+\w+), (\S+) read")
    return {
        "requests_per_s": float(number(r"^Requests/sec:\s+([\d.]+)").group(1)),
        "requests": int(requests.group(1)),
        "elapsed_ms": to_ms(requests.group(2)),
        "p50_ms": percentiles[50],
        "p75_ms": percentiles.get(75),
        "p90_ms": percentiles.get(90),
        "p99_ms": percentiles[99],
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors,
    }


def wrk(url, args, seconds, headers=None):
    threads = max(1, min(args.threads, args.connections))
    cmd = ["wrk", f"-t{threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        cmd[1:1] = ["-H", f"{name}: {value}"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        shown = " ".join(cmd[:1] + cmd[1 + 2 * len(headers or {}) :])  # no session cookie in the message
        raise BenchError(f"{shown} failed with status {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


def measure(server, row, args, headers=None):
    """wrk against the row's URL (warm-up, then the measured run). `headers` go on every request and are not
    kept in the row (a session cookie must not end up in docs/performance.json)."""
    url = server.base + row["path"]
    if args.warmup > 0:
        wrk(url, args, args.warmup, headers)
    recycled_before = server.recycles()
    output = wrk(url, args, args.duration, headers)
    numbers = parse_wrk(output)
    numbers["worker_recycles"] = server.recycles() - recycled_before
    numbers["errors"] = numbers["non_2xx"] + sum(numbers["socket_errors"].values())
    if numbers["requests"] == 0:
        # Nothing completed within the run: a failure even though wrk saw no error.
        log(f"no request to {row['path']} completed in {args.duration} s")
        numbers["errors"] = max(numbers["errors"], 1)
    row.update(numbers, wrk_output=output)
    log(
        f"{row['level']:<5} {row['what']:<22} {numbers['requests_per_s']:9.1f} req/s  p50 {numbers['p50_ms']:8.2f} ms"
        f"  p99 {numbers['p99_ms']:8.2f} ms  errors {numbers['errors']}  recycles {numbers['worker_recycles']}"
    )
    return row


# --- The run ------------------------------------------------------------------------------------------------------


def q(text):
    return "/cases/?q=" + urllib.parse.quote(text)


def django_rows(last_page, case_id):
    return [
        ("listing", "/cases/"),
        ("last page", f"/cases/?page={last_page}"),  # right after the first page: the two are compared
        ("pattern filter", "/cases/?pattern=1"),
        ("search 2-syllable word", q("금형")),
        ("search two 2-syl. words", q("사출 금형")),
        ("search 3-syllable word", q("불량률")),
        ("case page", f"/cases/{case_id}/"),
        ("API list", "/api/cases/"),
        ("statistics", "/stats/"),
    ]


def no_page_cache_rows(last_page):
    return [
        ("listing, no page cache", "/cases/"),
        ("last page, no page cache", f"/cases/?page={last_page}"),
        ("search 2-syllable word, no page cache", q("금형")),
        ("statistics, no page cache", "/stats/"),
        ("API list, no page cache", "/api/cases/"),
    ]


def staff_rows(matching_case_id):
    """The staff pages; the case is in matching, so its change page shows the engineer shortlist."""
    return [
        ("dashboard", "/admin/"),
        ("case change page", f"/admin/cases/case/{matching_case_id}/change/"),
        ("case change list", "/admin/cases/case/"),
        ("visit change list", "/admin/cases/visit/"),
        ("staff report", "/admin/report/"),
    ]


def staff_session(env):
    """A logged-in session of a superuser made for the bench (created once per database): a Cookie header.
    The test client's force_login writes the session to the database the server reads."""
    name, value = django_probe(
        env,
        "from django.conf import settings; from django.contrib.auth import get_user_model; "
        "from django.test import Client; User = get_user_model(); "
        f"user = User.objects.filter(username='{STAFF_USERNAME}').first() "
        f"or User.objects.create_superuser('{STAFF_USERNAME}', 'bench@example.invalid', None); "
        "client = Client(); client.force_login(user); "
        "print('BENCH:', settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)",
    ).split()
    return {"Cookie": f"{name}={value}"}


def measure_staff(server, matching_case_id, args):
    """The staff rows under the same wrk settings, each URL first checked to answer 200 to the session (a redirect
    to the login page fails the check)."""
    headers = staff_session(server.env)
    rows = []
    for what, path in staff_rows(matching_case_id):
        shortlist = b'class="shortlist"' if "/change/" in path else None
        row = {"level": "staff", "what": what, "path": path}
        row["bytes"] = check(server, path, headers, contains=shortlist)
        rows.append(measure(server, row, args, headers))
    return rows


def measure_not_modified(server, path, args):
    """wrk sending the page's current ETag: every answer is a 304. Checked before and after the run (the ETag
    changes only with a write, so if it still holds after, it held throughout)."""
    status, headers, _body = get(server, path)
    if status != 200 or not headers.get("ETag"):
        raise BenchError(f"GET {path} answered {status} with ETag {headers.get('ETag')!r}: no 304 row possible")
    held = {"If-None-Match": headers["ETag"]}
    check(server, path, held, status=304)
    row = measure(server, {"level": "L4", "what": NOT_MODIFIED, "path": path, "bytes": 0}, args, held)
    check(server, path, held, status=304)
    return row


def half_match_word(db, published):
    """The candidate word whose search matches the share of published cases nearest one half, counted with the
    search's own test (a substring of `search_text`, cases/search.py) in one scan. Returns (word, matched)."""
    counts = ", ".join(
        f"SUM(CASE WHEN search_text LIKE '%{word}%' THEN 1 ELSE 0 END)" for word in HALF_SEARCH_CANDIDATES
    )
    matched = db.query(f"SELECT {counts} FROM cases_case WHERE status = 'published'")[0]
    word, count = min(
        zip(HALF_SEARCH_CANDIDATES, matched, strict=True), key=lambda pair: abs(pair[1] / published - 0.5)
    )
    return word, int(count)


def run(args):
    mode = "sqlite" if args.sqlite else "postgresql"
    cases = args.cases or (10_000 if args.sqlite else 100_000)
    db = Sqlite(SQLITE_PATH) if args.sqlite else Postgres(os.environ.get("BENCH_ADMIN_URL", DEFAULT_ADMIN_URL))
    wrk_version = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    static_root = workdir / "static"
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "bench-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DATABASE_URL": db.url,
    }
    env.pop("DJANGO_CONN_MAX_AGE", None)  # the settings' default, except for the comparison row
    servers = []
    try:
        load_seconds = load(db, cases, args.reuse_db, env)

        log("manage.py collectstatic")
        manage(env, "collectstatic", "--noinput", "-v0", timeout=300)
        # L0: a file of the listing's exact size. whitenoise indexes STATIC_ROOT when it starts, so a file written
        # there before gunicorn starts is served like any collected file (no manifest entry needed: the manifest
        # only maps names for the {% static %} tag).
        listing_bytes = int(
            django_probe(
                env,
                "from django.test import Client; r = Client().get('/cases/', headers={'host': '127.0.0.1'}); "
                "assert r.status_code == 200, (r.status_code, r.content[:500]); print('BENCH:', len(r.content))",
            )
        )
        static_file = static_root / "bench" / "listing.html"
        static_file.parent.mkdir(parents=True, exist_ok=True)
        filler = b"<!-- bench -->" + b"x" * listing_bytes
        static_file.write_bytes((b"<!doctype html><title>bench</title>" + filler)[:listing_bytes])
        log(f"L0 file: {static_file} ({listing_bytes:,} bytes, the size of /cases/)")

        conn_max_age = django_probe(
            env, "from django.conf import settings; print('BENCH:', settings.DATABASES['default']['CONN_MAX_AGE'])"
        )
        no_reuse_env = {**env, "DJANGO_CONN_MAX_AGE": "0"}
        conn_max_age_off = django_probe(
            no_reuse_env,
            "from django.conf import settings; print('BENCH:', settings.DATABASES['default']['CONN_MAX_AGE'])",
        )
        if conn_max_age_off != "0":
            log(f"WARNING: DJANGO_CONN_MAX_AGE=0 is not honoured by the settings (CONN_MAX_AGE={conn_max_age_off})")

        total_cases = db.query("SELECT count(*) FROM cases_case")[0][0]
        published = db.query("SELECT count(*) FROM cases_case WHERE status = 'published'")[0][0]
        synthetic = db.query("SELECT count(*) FROM cases_case WHERE status = 'published' AND code LIKE 'syn%'")[0][0]
        if not synthetic:
            raise BenchError("no published synthetic case: did generate_cases run?")
        case_id = db.query(
            "SELECT id FROM cases_case WHERE status = 'published' AND code LIKE 'syn%' "
            f"ORDER BY id LIMIT 1 OFFSET {synthetic // 2}"
        )[0][0]
        last_page = max(1, math.ceil(published / PAGE_SIZE))
        log(f"{total_cases:,} cases, {published:,} published; last page {last_page}, case {case_id}")
        in_matching = [row[0] for row in db.query("SELECT id FROM cases_case WHERE stage = 'matching' ORDER BY id")]
        if not in_matching:
            raise BenchError("no case in matching: the staff case change page would show no engineer shortlist")
        matching_case_id = in_matching[len(in_matching) // 2]
        half_word, half_matched = half_match_word(db, published)
        log(f"case in matching {matching_case_id}; q={half_word} matches {half_matched:,} of {published:,} published")

        log("scripts/explain_queries.py (the public queries' plans, before any load)")
        plans = explain_queries(env)

        load_before = loadavg()
        rows = []

        # L1: the floor app, same config and environment.
        floor = Server("scripts.bench_floor:application", env, workdir, "floor", "/")
        servers.append(floor)
        with running(floor):
            check(floor, "/")
            rows.append(measure(floor, {"level": "L1", "what": "floor", "path": "/"}, args))

        # L0 and L4 on the production Django server.
        django = Server("tracker.wsgi", env, workdir, "django", "/healthz")
        servers.append(django)
        rss_samples = []
        with running(django):
            l4 = [{"level": "L4", "what": what, "path": path} for what, path in django_rows(last_page, case_id)]
            static_row = {"level": "L0", "what": "static", "path": "/static/bench/listing.html"}
            served = check(django, static_row["path"])
            if served != listing_bytes:
                raise BenchError(f"whitenoise served {served} bytes for the L0 file, expected {listing_bytes}")
            for row in l4:
                size = check(django, row["path"])
                row["bytes"] = size
            static_row["bytes"] = served
            log(f"all URLs answer 200; /cases/ is {l4[0]['bytes']:,} bytes live ({listing_bytes:,} via test client)")
            rows.insert(0, measure(django, static_row, args))
            for row in l4:
                rows.append(measure(django, row, args))
                rss_samples.append(django.worker_rss_mb())
            rss = django.worker_rss_mb()
            log(f"worker RSS after the L4 rows: max {max(rss):.1f} MB, mean {statistics.mean(rss):.1f} MB")
            rows.append(measure_not_modified(django, "/cases/", args))
            for row in measure_staff(django, matching_case_id, args):
                rows.append(row)
                rss_samples.append(django.worker_rss_mb())
            # "No other load": the staff rows leave requests queued in the workers (the report's take seconds).
            time.sleep(DRAIN_SECONDS)
            cold = cold_requests(django, db, [*django_rows(last_page, case_id), (HALF_SEARCH, q(half_word))])

        # Comparison rows: /cases/ without connection reuse; pages rendered on every request (no page cache,
        # the facet counts still cached), to show what the page cache saves and that late pages stay cheap.
        comparisons = [
            (no_reuse_env, "django-conn-max-age-0", [("listing, CONN_MAX_AGE=0", "/cases/")]),
            ({**env, "DJANGO_CACHE_PUBLIC_PAGES": "false"}, "django-no-page-cache", no_page_cache_rows(last_page)),
        ]
        for server_env, name, paths in comparisons:
            server = Server("tracker.wsgi", server_env, workdir, name, "/healthz")
            servers.append(server)
            with running(server):
                for what, path in paths:
                    row = {"level": "L4", "what": what, "path": path, "comparison": True}
                    row["bytes"] = check(server, path)
                    rows.append(measure(server, row, args))
                    rss_samples.append(server.worker_rss_mb())

        result = {
            "mode": mode,
            "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "elapsed_s": round(time.monotonic() - STARTED, 1),
            "load_s": load_seconds,
            "machine": {**machine(db), "loadavg_before": load_before, "loadavg_after": loadavg()},
            "data": {
                "cases_requested": cases,
                "cases": total_cases,
                "published": published,
                "database_bytes": db.size_bytes(),
                "last_page": last_page,
                "case_id": case_id,
                "matching_case_id": matching_case_id,
                "half_search": {
                    "word": half_word,
                    "matched": half_matched,
                    "share": round(half_matched / published, 3),
                },
                "listing_bytes": listing_bytes,
                "reused": load_seconds is None,
            },
            "server": {
                "gunicorn_workers": len(rss),
                "conn_max_age": conn_max_age,
                "conn_max_age_comparison": conn_max_age_off,
                "access_log": "--access-logfile /dev/null (command line, overrides gunicorn.conf.py)",
            },
            "wrk": {
                "version": wrk_version,
                "threads": max(1, min(args.threads, args.connections)),
                "connections": args.connections,
                "duration_s": args.duration,
                "warmup_s": args.warmup,
            },
            "rows": rows,
            "cold": cold,
            "plans": plans,
            "rss_mb": {
                "workers": [round(v, 1) for v in rss],
                "max": round(max(rss), 1),
                "mean": round(statistics.mean(rss), 1),
                "peak_during_rows": round(max(v for sample in rss_samples for v in sample), 1),
            },
        }
        result["targets"] = targets(result)
        write(result)
        print()
        print(table(rows))
        print()
        for target in result["targets"]:
            print(f"{'PASS' if target['ok'] else 'FAIL'}  {target['what']}: {target['measured']}")
        errors = sum(row["errors"] for row in rows)
        if errors:
            log(f"{errors} errors in the measured rows")
            return 1
        return 0
    except BenchError as error:
        print(f"\nbench failed: {error}", file=sys.stderr)
        if servers and servers[-1].process is not None:
            print(f"--- last lines of {servers[-1].logfile.name} ---\n{servers[-1].tail()}", file=sys.stderr)
        return 2
    finally:
        signal.alarm(0)  # the clean-up below is bounded on its own
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def loadavg():
    """The 1-minute load average: shows whether something else was busy on the machine."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def machine(db):
    import django

    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "database": f"{db.label} {db.version()}",
        "python": platform.python_version(),
        "django": django.get_version(),
    }


# --- Reporting ----------------------------------------------------------------------------------------------------


def ratio(a, b):
    return a / b if b else float("nan")


def find(rows, what):
    return next(row for row in rows if row["what"] == what and not row.get("comparison"))


def target(what, value, goal, measured, *, sense="≥", unit="×", note=""):
    """One row of the Targets table (`sense`: ≥, ≤ or <, as the target reads); a missed target says by how much."""
    ok = {"≥": value >= goal, "≤": value <= goal, "<": value < goal}[sense]
    if not ok and not math.isnan(value):
        gap = goal - value if sense == "≥" else value - goal
        gap_text = f"{gap:.2f}×" if unit == "×" else f"{gap:.1f} {unit}"
        measured += f", missed by {gap_text} ({gap / goal:.0%} {'short' if sense == '≥' else 'over'})"
    return {"what": what, "measured": measured + note, "ok": ok}


def vs_floor(what, row, floor, goal):
    """A row's req/s as a multiple of L1's, against a goal."""
    value = ratio(row["requests_per_s"], floor["requests_per_s"])
    measured = f"{value:.2f}× ({row['requests_per_s']:.0f} vs {floor['requests_per_s']:.0f})"
    return target(f"{what} ≥ {goal:g}× L1 req/s", value, goal, measured)


def completed_in_time(row):
    """wrk counts timed-out requests among its requests but has no latency for them (it reports 0 ms if none else)."""
    return row["requests"] > row["socket_errors"]["timeout"]


def p50_within(row, goal):
    what = f"{row['what']} (staff) p50 ≤ {goal} ms"
    if not completed_in_time(row):
        return target(what, math.nan, goal, "no request completed within wrk's 2 s timeout", sense="≤")
    return target(what, row["p50_ms"], goal, f"{row['p50_ms']:.1f} ms", sense="≤", unit="ms")


def targets(result):
    rows = result["rows"]
    floor, listing, last = find(rows, "floor"), find(rows, "listing"), find(rows, "last page")
    measured_rows = [row for row in rows if row["level"] in ("L4", "staff")]
    empty = [row["what"] for row in measured_rows if not completed_in_time(row)]  # errors already; no latency
    tails = {row["what"]: ratio(row["p99_ms"], row["p50_ms"]) for row in measured_rows if completed_in_time(row)}
    worst = max(tails, key=tails.get)
    over = [what for what, tail in tails.items() if tail > TARGET_TAIL_RATIO and what != worst]
    long_search = find(rows, "search 3-syllable word")
    short_search = find(rows, "search 2-syllable word")
    two_words = find(rows, "search two 2-syl. words")
    rss_max = max(result["rss_mb"]["max"], result["rss_mb"]["peak_during_rows"])
    last_vs_first = ratio(last["requests_per_s"], listing["requests_per_s"])
    uncached = {row["what"]: row for row in rows if row.get("comparison")}
    uncached_first, uncached_last = uncached["listing, no page cache"], uncached["last page, no page cache"]
    uncached_last_vs_first = ratio(uncached_last["requests_per_s"], uncached_first["requests_per_s"])
    cold = {row["what"]: row["median_ms"] for row in result["cold"]}
    half = result["data"]["half_search"]
    staff = {row["what"]: row for row in rows if row["level"] == "staff"}
    return [
        vs_floor("`/cases/`", listing, floor, TARGET_LISTING_VS_FLOOR),
        target(
            f"last page ≥ {TARGET_LAST_VS_FIRST}× first page req/s",
            last_vs_first,
            TARGET_LAST_VS_FIRST,
            f"{last_vs_first:.2f}× ({last['requests_per_s']:.0f} vs {listing['requests_per_s']:.0f})",
        ),
        target(
            f"the same, pages rendered on every request (no page cache) ≥ {TARGET_LAST_VS_FIRST}×",
            uncached_last_vs_first,
            TARGET_LAST_VS_FIRST,
            f"{uncached_last_vs_first:.2f}× ({uncached_last['requests_per_s']:.0f} vs "
            f"{uncached_first['requests_per_s']:.0f})",
        ),
        vs_floor("case page (never page-cached)", find(rows, "case page"), floor, TARGET_CASE_PAGE_VS_FLOOR),
        *(
            vs_floor(f"{what}, no page cache", uncached[f"{what}, no page cache"], floor, TARGET_UNCACHED_VS_FLOOR)
            for what in ("listing", "statistics", "API list")
        ),
        vs_floor(
            "`304` to `If-None-Match` on `/cases/`", find(rows, NOT_MODIFIED), floor, TARGET_NOT_MODIFIED_VS_FLOOR
        ),
        target(
            f"p99 ≤ {TARGET_TAIL_RATIO:g}× p50, every L4 and staff row",
            math.nan if empty else tails[worst],  # a row without one timely answer fails it
            TARGET_TAIL_RATIO,
            f"worst {tails[worst]:.1f}× ({worst})",
            sense="≤",
            note=(f"; also over: {', '.join(over)}" if over else "")
            + (f"; no request completed within wrk's 2 s timeout: {', '.join(empty)}" if empty else ""),
        ),
        target(
            f"3+-syllable search `q=불량률` p50 < {TARGET_LONG_SEARCH_P50_MS} ms",
            long_search["p50_ms"],
            TARGET_LONG_SEARCH_P50_MS,
            f"{long_search['p50_ms']:.1f} ms",
            sense="<",
            unit="ms",
        ),
        target(
            f"two-syllable search `q=금형` p50 < {TARGET_SHORT_SEARCH_P50_MS} ms",
            short_search["p50_ms"],
            TARGET_SHORT_SEARCH_P50_MS,
            f"{short_search['p50_ms']:.1f} ms",
            sense="<",
            unit="ms",
        ),
        target(
            f"two two-syllable words `q=사출 금형` p50 < {TARGET_SHORT_SEARCH_P50_MS} ms",
            two_words["p50_ms"],
            TARGET_SHORT_SEARCH_P50_MS,
            f"{two_words['p50_ms']:.1f} ms",
            sense="<",
            unit="ms",
        ),
        target(
            f"first `/cases/` after an edit ≤ {TARGET_COLD_LISTING_MS} ms (median of 3 edits)",
            cold["listing"],
            TARGET_COLD_LISTING_MS,
            f"{cold['listing']:.1f} ms",
            sense="≤",
            unit="ms",
        ),
        target(
            f"first search matching about half the cases after an edit ≤ {TARGET_COLD_HALF_SEARCH_MS} ms "
            f"(`q={half['word']}`, {half['share']:.0%} of published)",
            cold[HALF_SEARCH],
            TARGET_COLD_HALF_SEARCH_MS,
            f"{cold[HALF_SEARCH]:.1f} ms",
            sense="≤",
            unit="ms",
        ),
        *(p50_within(staff[what], TARGET_STAFF_PAGE_P50_MS) for what in ("dashboard", "case change page")),
        *(p50_within(staff[what], TARGET_STAFF_LIST_P50_MS) for what in ("case change list", "visit change list")),
        target(
            f"worker RSS < {TARGET_RSS_MB} MB", rss_max, TARGET_RSS_MB, f"max {rss_max:.1f} MB", sense="<", unit="MB"
        ),
    ]


def display_path(path):
    return urllib.parse.unquote(path)


def table(rows):
    l0 = find(rows, "static")["requests_per_s"]
    l1 = find(rows, "floor")["requests_per_s"]
    lines = [
        "| level | what | URL | req/s | p50 ms | p99 ms | p99/p50 | errors | × L1 | × L0 |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        rps = row["requests_per_s"]
        lines.append(
            f"| {row['level']} | {row['what']} | `{display_path(row['path'])}` | {rps:,.0f} | {row['p50_ms']:.2f} "
            f"| {row['p99_ms']:.2f} | {ratio(row['p99_ms'], row['p50_ms']):.1f} | {row['errors']} "
            f"| {ratio(rps, l1):.2f} | {ratio(rps, l0):.2f} |"
        )
    return "\n".join(lines)


def markdown(result):
    m, d, s, w, rss = result["machine"], result["data"], result["server"], result["wrk"], result["rss_mb"]
    g = gunicorn_config()
    sqlite = result["mode"] == "sqlite"
    command = "make bench ARGS=--sqlite" if sqlite else "make bench"
    load = "reused from an earlier run (`--reuse-db`)" if d["reused"] else f"loaded in {result['load_s']:.0f} s"
    analyze = "ANALYZE" if sqlite else "VACUUM ANALYZE"
    lines = [
        f"# Performance{' (SQLite)' if sqlite else ''}",
        "",
        f"`{command}` (`scripts/bench.py`) on {result['date_utc']}; the whole run took "
        f"{result['elapsed_s'] / 60:.1f} min.",
        "",
        "## Setup",
        "",
        f"- **Machine:** {m['cores']} cores, {m['ram_gb']:g} GB RAM, {m['os']}; {m['database']}, "
        f"Python {m['python']}, Django {m['django']}. wrk, gunicorn and the database share the machine; "
        f"1-minute load average {m['loadavg_before']:.2f} before the measurements, {m['loadavg_after']:.2f} after.",
        f"- **Data:** {d['cases']:,} cases ({d['published']:,} published): the study's cases plus "
        f"`generate_cases {d['cases_requested']} --seed 1`, {load}, then `{analyze}`; "
        f"database size {d['database_bytes'] / 1024 / 1024:,.1f} MB.",
        f"- **Server:** `gunicorn tracker.wsgi -c gunicorn.conf.py` as in production: {s['gunicorn_workers']} sync "
        f"workers (the config's 2 × cores + 1), `max_requests` {g['max_requests']} ± {g['max_requests_jitter']}, "
        f"`preload_app` {g['preload_app']}, DEBUG off, `CONN_MAX_AGE` "
        f"{s['conn_max_age']}, static files by whitenoise. The access log is off for the bench "
        "(`--access-logfile /dev/null` on the command line, which overrides the config file). "
        "One server at a time.",
        f"- **Load:** wrk {w['version']}, `wrk -t{w['threads']} -c{w['connections']} -d{w['duration_s']}s --latency` "
        f"per URL after a {w['warmup_s']} s warm-up run, the same concurrency for every row. "
        "Errors are wrk's non-2xx/3xx responses plus socket errors (connect, read, write, timeout); "
        "each URL was first checked to answer 200 without a redirect.",
        "",
        "Levels: **L0** a static file of exactly the listing's size "
        f"({d['listing_bytes']:,} bytes) written into `STATIC_ROOT` and served by whitenoise from the same Django "
        "gunicorn (the first middlewares, no view, template or database): the most any Django response of that "
        "size can do here. **L1** `scripts/bench_floor.py`: a bare WSGI app under the same "
        "gunicorn config that counts the published cases and renders 20 of them with their joins by joining "
        "strings, one kept connection per worker: the floor of a listing with a total, without facets. "
        "**L4** the real pages, then `/cases/` sent with `If-None-Match` holding its current `ETag` (every answer a "
        "`304` without rendering; checked before and after the run). **staff** the staff pages under the same wrk "
        f"settings, logged in as a superuser made for the bench (`{STAFF_USERNAME}`, its session written by the test "
        "client's `force_login` and sent as a `Cookie` header; each URL first checked to answer 200, not a redirect "
        "to the login page). The last rows, for comparison: `/cases/` with `DJANGO_CONN_MAX_AGE=0` "
        "(a new database connection per request), and five pages with `DJANGO_CACHE_PUBLIC_PAGES=false` "
        "(rendered on every request; the facet counts stay cached).",
        "",
        "## Results",
        "",
        table(result["rows"]),
        "",
        f"Last page = page {d['last_page']:,}; the case page is a published synthetic case (id {d['case_id']}, "
        f"the median id); the staff case change page is case {d['matching_case_id']}, in matching (the median id of "
        "those), so it shows the engineer shortlist (checked). Socket timeouts are responses that took longer "
        "than wrk's 2 s timeout.",
        "",
        "Worker restarts by `max_requests` during each measured run: "
        + "; ".join(f"{row['what']}: {row['worker_recycles']}" for row in result["rows"])
        + ".",
        "",
        "## Worker memory",
        "",
        f"Resident memory (VmRSS) of the {len(rss['workers'])} gunicorn workers after the L4 rows: "
        f"max {rss['max']:.1f} MB, mean {rss['mean']:.1f} MB (peak seen after any L4, staff or comparison row: "
        f"{rss['peak_during_rows']:.1f} MB). Workers are recycled after "
        f"{g['max_requests']} ± {g['max_requests_jitter']} requests, so some may be young.",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        *(f"| {t['what']} | {t['measured']} | {'✅' if t['ok'] else '❌'} |" for t in result["targets"]),
        "",
        *cold_section(result.get("cold"), d.get("half_search"), d["published"]),
        *plans_section(result.get("plans", {})),
    ]
    return "\n".join(lines)


def cold_requests(server, db, paths, repeats=3):
    """The first request for each URL after an edit: a write changes the DataVersion token, so nothing cached
    applies and the page is counted and rendered anew. One request at a time, no other load; the median of
    `repeats` edits."""
    results = []
    for what, path in paths:
        times = []
        for _ in range(repeats):
            db.query("UPDATE cases_industry SET name = name")  # any write to a tracked table changes the token
            started = time.monotonic()
            with OPENER.open(server.base + path, timeout=60) as response:
                response.read()
            times.append((time.monotonic() - started) * 1000)
        results.append({"what": what, "path": path, "median_ms": round(statistics.median(times), 1)})
        log(f"cold {what:<28} {results[-1]['median_ms']:8.1f} ms")
    return results


def cold_section(cold, half, published):
    if not cold:
        return []
    half_note = []
    if half:
        half_note = [
            f"The search matching about half the cases is `q={half['word']}`: of the study's vocabulary words "
            f"({', '.join(HALF_SEARCH_CANDIDATES)}), the one whose matches, counted in the database, are nearest "
            f"half: {half['matched']:,} of {published:,} published cases ({half['share']:.0%}).",
            "",
        ]
    return [
        "## After an edit",
        "",
        "The public L4 rows above are served from the page cache, as real traffic mostly is. The first request "
        "for a page after any edit finds nothing cached under the new data version and counts and renders it anew "
        "(one request at a time, no other load; median of 3 edits):",
        "",
        "| what | URL | first request after an edit, ms |",
        "|---|---|--:|",
        *(f"| {row['what']} | `{display_path(row['path'])}` | {row['median_ms']:,.1f} |" for row in cold),
        "",
        *half_note,
    ]


def explain_queries(env):
    script = ROOT / "scripts" / "explain_queries.py"
    out = subprocess.run([PY, str(script)], env=env, cwd=ROOT, timeout=300, capture_output=True, text=True)
    if out.returncode != 0:
        raise BenchError(f"scripts/explain_queries.py failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])["plans"]


def plans_section(plans):
    lines = [
        "## Query plans",
        "",
        "The plans of the public queries at this size, from the app's own querysets (`scripts/explain_queries.py`"
        + (", `EXPLAIN ANALYZE`)." if "actual time" in "".join(plans.values()) else ", SQLite's query plan)."),
        "",
    ]
    for name, text in plans.items():
        lines += [f"<details><summary>{name}</summary>", "", "```", text.rstrip(), "```", "", "</details>", ""]
    return lines


def write(result):
    suffix = "-sqlite" if result["mode"] == "sqlite" else ""
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    md_path, json_path = docs / f"performance{suffix}.md", docs / f"performance{suffix}.json"
    analysis = ""
    if md_path.exists():
        old = md_path.read_text(encoding="utf-8")
        lines = old.splitlines(keepends=True)
        for index, line in enumerate(lines):
            if line.strip() == ANALYSIS_MARK:
                analysis = "".join(lines[index + 1 :])
                break
    md_path.write_text(markdown(result) + ANALYSIS_MARK + "\n" + analysis, encoding="utf-8")
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {md_path.relative_to(ROOT)} and {json_path.relative_to(ROOT)}")


def time_limit_reached(*_):
    raise BenchError("time limit reached (--time-limit): stopping")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL (10,000 cases)")
    parser.add_argument("--cases", type=int, help="synthetic cases to load (default 100000, 10000 with --sqlite)")
    parser.add_argument("--reuse-db", action="store_true", help="skip the load if the database has enough cases")
    parser.add_argument("--duration", type=int, default=10, help="seconds of measurement per URL (default 10)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per URL (default 5)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--time-limit", type=int, default=1200, help="stop after this many seconds (default 1200)")
    args = parser.parse_args()
    if args.cases is not None and args.cases < 1:
        parser.error("--cases must be at least 1")
    # SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C, so the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # The whole run is bounded: past the limit, the current step is interrupted and everything is cleaned up.
    signal.signal(signal.SIGALRM, time_limit_reached)
    signal.alarm(args.time_limit)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
