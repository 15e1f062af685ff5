"""The production server's logs never hold a link's token: gunicorn, started with gunicorn.conf.py, writes
`/mentor/…/` where the request carried an engineer's token, and Django's "Not Found" line is redacted too."""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.test_backup import manage
from tests.test_instances import ROOT, free_port

ISSUE_LINK = (
    "from cases.models import Mentor; "
    "print(Mentor.objects.create(code='mentor-log', name='로그 시험 퇴직기술자').issue_link())"
)


def test_link_tokens_are_redacted_from_the_access_log(tmp_path):
    database = f"sqlite:///{tmp_path / 'log.sqlite3'}"
    manage(database, "migrate", "-v0")
    static = {"DJANGO_STATIC_ROOT": str(tmp_path / "static")}
    manage(database, "collectstatic", "--noinput", "-v0", env=static)  # the manifest the production storage needs
    path = manage(database, "shell", "--no-imports", "-c", ISSUE_LINK).strip().splitlines()[-1]
    token = path.strip("/").rsplit("/", 1)[1]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=database,
        DJANGO_SECRET_KEY="access-log-test-secret",
        DJANGO_ALLOWED_HOSTS="localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_CACHE_DIR=str(tmp_path / "cache"),
        GUNICORN_WORKERS="1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    log = tmp_path / "access.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "tracker.wsgi"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
        try:
            statuses = []
            for attempt in range(100):
                try:
                    for request_path in (path, "/followup/forged-token-of-nobody/"):
                        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                        connection.request("GET", request_path, headers={"Host": "localhost"})
                        statuses.append(connection.getresponse().status)
                    break
                except OSError:
                    time.sleep(0.1 * (attempt < 99))
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert statuses == [200, 404]
    written = log.read_text()
    assert '"request":"GET /mentor/…/ HTTP/1.1","status":200' in written
    assert '"request":"GET /followup/…/ HTTP/1.1","status":404' in written
    assert token not in written and "forged-token-of-nobody" not in written
    assert "Not Found: /followup/\\u2026/" in written  # JSON lines escape the ellipsis
