"""The per-address limit holds across server processes: two gunicorn instances on one database (the approach of
tests/test_instances.py), behind the proxy, one sender posting to both."""

import http.client
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from django.db import connection

from tests.test_applications import registration_number
from tests.test_backup import manage
from tests.test_instances import free_port

ROOT = Path(__file__).resolve().parent.parent
SENDER = "203.0.113.50"

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


class Instance:
    """One gunicorn process (two workers), reached as the proxy reaches it."""

    def __init__(self, database_url, static_root):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
        env.update(
            DATABASE_URL=database_url,
            DJANGO_SECRET_KEY="shared-secret-of-both-instances",
            DJANGO_ALLOWED_HOSTS="localhost",
            DJANGO_BEHIND_PROXY="1",
            DJANGO_STATIC_ROOT=str(static_root),
            DJANGO_CACHE_DIR=str(static_root.parent / f"cache-{self.port}"),
            GUNICORN_WORKERS="2",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
        )
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "tracker.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_until_up(self):
        for _ in range(150):
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("instance did not start")

    def request(self, method, path, cookies=None, form=None, forwarded_for=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Host": "localhost", "X-Forwarded-Proto": "https", "Referer": "https://localhost/apply/"}
        if forwarded_for:
            # What the client claims comes first; the proxy appends the address it saw.
            headers["X-Forwarded-For"] = f"192.0.2.99, {forwarded_for}"
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        set_cookies = dict(
            re.match(r"([^=]+)=([^;]*)", value).groups()
            for key, value in response.getheaders()
            if key.lower() == "set-cookie"
        )
        return response.status, set_cookies, response.read().decode()

    def apply(self, address):
        """A firm's whole visit: open the form, send it. The status of the POST."""
        status, cookies, page = self.request("GET", "/apply/", forwarded_for=address)
        assert status == 200, page[:300]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {
            "csrfmiddlewaretoken": token,
            "company_name": "주식회사 인스턴스",
            "registration_number": registration_number(),
            "region": "seoul",
            "industry": "instance-industry",
            "products": "부품",
            "employees": "10",
            "contact_name": "담당",
            "contact_email": "instance@example.invalid",
            "contact_phone": "02-123-4567",
            "bottleneck": "도금 불량",
            "consent": "on",
        }
        status, _, page = self.request("POST", "/apply/", cookies=cookies, form=form, forwarded_for=address)
        assert status in (302, 429), (status, page[:500])
        return status

    def stop(self):
        self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown (TERM waits for a graceful one)
        self.process.wait(timeout=10)


class Database:
    """A copy of the suite's test database (migrated once per session), for the two instances to share.

    Copied rather than migrated again, which takes about ten seconds: SQLite's in-memory database is backed up to
    a file, PostgreSQL's is copied with pg_dump and pg_restore (or migrated when those tools are missing).
    """

    def __init__(self, tmp_path):
        self.vendor = connection.vendor
        source = connection.settings_dict
        if self.vendor == "postgresql":
            self.name = f"{source['NAME']}_instances"
            options = {"user": source["USER"], "password": source["PASSWORD"], "port": source["PORT"]}
            options["host"] = source["HOST"]
            self.admin_dsn = psycopg.conninfo.make_conninfo(dbname="postgres", **options)
            self.dsn = psycopg.conninfo.make_conninfo(dbname=self.name, **options)
            with psycopg.connect(self.admin_dsn, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.name}"')
            auth = source["USER"] + (f":{source['PASSWORD']}" if source["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{source['HOST'] or 'localhost'}:{source['PORT'] or 5432}/{self.name}"
            if shutil.which("pg_dump") and shutil.which("pg_restore"):
                dump = tmp_path / "test-database.dump"
                source_dsn = psycopg.conninfo.make_conninfo(dbname=source["NAME"], **options)
                subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source_dsn], check=True)
                subprocess.run(["pg_restore", "--no-owner", f"--dbname={self.dsn}", str(dump)], check=True)
            else:
                manage(self.url, "migrate", "-v0")
        else:
            self.path = tmp_path / "instances.sqlite3"
            with sqlite3.connect(self.path) as copy:
                connection.connection.backup(copy)
            self.url = f"sqlite:///{self.path}"

    def execute(self, sql, params=()):
        if self.vendor == "postgresql":
            with psycopg.connect(self.dsn, autocommit=True) as db:
                rows = db.execute(sql.replace("?", "%s"), params)
                return rows.fetchall() if rows.description else None
        with sqlite3.connect(self.path) as db:
            return db.execute(sql, params).fetchall()

    def drop(self):
        if self.vendor == "postgresql":
            with psycopg.connect(self.admin_dsn, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def shared_database(db, tmp_path):
    """The instances' database, with an industry for the form (the test's own transaction never reaches it)."""
    connection.ensure_connection()
    database = Database(tmp_path)
    database.execute("INSERT INTO cases_industry (code, name, position) VALUES ('instance-industry', '부품', 99)")
    yield database
    database.drop()


def test_the_limit_holds_across_two_server_processes(shared_database, tmp_path):
    static_root = tmp_path / "static"
    manage(shared_database.url, "collectstatic", "--noinput", "-v0", env={"DJANGO_STATIC_ROOT": str(static_root)})
    first, second = Instance(shared_database.url, static_root), Instance(shared_database.url, static_root)
    try:
        first.wait_until_up()
        second.wait_until_up()
        statuses = [first.apply(SENDER) for _ in range(3)] + [second.apply(SENDER) for _ in range(3)]
        assert statuses == [302, 302, 302, 302, 302, 429]
        assert second.apply("198.51.100.60") == 302  # another sender is not affected
        assert first.apply(SENDER) == 429

        # Ten at once from a new sender, to both instances' four workers: still exactly five get through.
        with ThreadPoolExecutor(max_workers=10) as pool:
            rush = list(pool.map(lambda n: (first, second)[n % 2].apply("198.51.100.70"), range(10)))
        assert sorted(rush) == [302] * 5 + [429] * 5
    finally:
        first.stop()
        second.stop()
    stored = shared_database.execute(
        "SELECT COUNT(*), COUNT(DISTINCT client_fingerprint) FROM applications_application"
    )
    assert tuple(stored[0]) == (11, 3)
