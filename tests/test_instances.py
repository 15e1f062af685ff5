"""Two app instances behind one proxy share sessions and login lockouts through PostgreSQL (nothing that matters
lives in process memory)."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.test_backup import fresh_pg_database, manage, needs_postgres

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Instance:
    """One gunicorn process, reached the way the proxy would reach it (X-Forwarded-Proto: https)."""

    def __init__(self, database_url, static_root):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
        env.update(
            DATABASE_URL=database_url,
            DJANGO_SECRET_KEY="shared-secret-of-both-instances",
            DJANGO_ALLOWED_HOSTS="localhost",
            DJANGO_BEHIND_PROXY="1",
            DJANGO_STATIC_ROOT=str(static_root),
            GUNICORN_WORKERS="1",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
        )
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "tracker.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("instance did not start")

    def request(self, method, path, cookies=None, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Host": "localhost", "X-Forwarded-Proto": "https", "Referer": "https://localhost/admin/login/"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        set_cookies = dict(
            re.match(r"([^=]+)=([^;]*)", value).groups()
            for key, value in response.getheaders()
            if key.lower() == "set-cookie"
        )
        return response.status, set_cookies, response.read().decode()

    def login(self, username, password):
        status, cookies, page = self.request("GET", "/admin/login/")
        assert status == 200, (status, page[:500])
        token = re.search(r"name=.csrfmiddlewaretoken. value=.([^\"']+)", page).group(1)
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
        status, new_cookies, _ = self.request("POST", "/admin/login/", cookies=cookies, form=form)
        return status, {**cookies, **new_cookies}

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@needs_postgres
def test_two_instances_share_sessions_and_lockouts(tmp_path):
    database = fresh_pg_database("tracker_two_instances")
    manage(database, "migrate", "-v0")
    manage(database, "collectstatic", "--noinput", "-v0", env={"DJANGO_STATIC_ROOT": str(tmp_path)})
    create = (
        "from django.contrib.auth.models import User; "
        "User.objects.create_superuser('alice', password='alice-long-password'); "
        "User.objects.create_superuser('bob', password='bob-long-password')"
    )
    manage(database, "shell", "-c", create)
    first, second = Instance(database, tmp_path), Instance(database, tmp_path)
    try:
        status, cookies = first.login("alice", "alice-long-password")
        assert status == 302
        # The session made on the first instance is valid on the second.
        status, _, page = second.request("GET", "/admin/", cookies=cookies)
        assert status == 200 and "alice" in page

        for _ in range(5):  # AXES_FAILURE_LIMIT failures on the first instance ...
            first.login("bob", "wrong-password")
        status, _ = second.login("bob", "bob-long-password")  # ... lock bob out on the second too
        assert status == 429
    finally:
        first.stop()
        second.stop()


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
