"""Production security: deploy checks, headers on every page type, cookies, login lockout, request limits."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import reverse

from cases.models import Case

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k3y-" + "9f8e7d6c5b4a" * 6,
    "DJANGO_ALLOWED_HOSTS": "cases.example.org",
}


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_deploy_check_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_proxy_header_is_trusted_only_when_configured():
    script = "from django.conf import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    assert run_manage("shell", "-c", script, **PRODUCTION_ENV).stdout.strip().endswith("None")
    behind = run_manage("shell", "-c", script, DJANGO_BEHIND_PROXY="1", **PRODUCTION_ENV)
    assert "HTTP_X_FORWARDED_PROTO" in behind.stdout


def page_types(seeded_client):
    j = Case.objects.get(code="2017-J")
    return [
        "/",
        "/cases/?pattern=1",
        j.get_absolute_url(),
        "/stats/",
        "/api/cases/",
        f"/api/cases/{j.pk}/",
        "/cases/export.csv",
        "/cases/0/",
        "/admin/login/",
        reverse("admin:cases_case_change", args=[j.pk]),
        reverse("admin:cases_case_changelist"),
    ]


def test_every_page_type_sends_the_security_headers(client, seeded):
    client.force_login(User.objects.create_superuser("root", password="a-long-root-password"))
    for path in page_types(client):
        response = client.get(path, secure=True)
        assert response.status_code in (200, 302, 404), path
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["default-src"] == "'self'", path
        assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        max_age = int(response["Strict-Transport-Security"].split("max-age=")[1].split(";")[0])
        assert max_age >= 365 * 24 * 3600, path


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https(client, db):
    response = client.get("/cases/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_session_and_csrf_cookies_are_host_only_secure_and_httponly(client, db):
    User.objects.create_user("staff", password="a-long-staff-password", is_staff=True)
    login_page = client.get("/admin/login/", secure=True)
    csrf = login_page.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax" and csrf["path"] == "/"
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "staff", "password": "a-long-staff-password", "csrfmiddlewaretoken": csrf.value},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax" and session["path"] == "/"
    assert not session["domain"]


def login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, secure=True)


def test_repeated_failures_lock_the_username_until_the_cool_off(client, settings):
    User.objects.create_user("staff", password="a-long-staff-password", is_staff=True)
    User.objects.create_user("colleague", password="another-long-password", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "staff", "wrong-password").status_code == 200
    assert login(client, "staff", "wrong-password").status_code == 429  # the K-th failure locks
    locked = login(client, "staff", "a-long-staff-password")  # now even the right password is refused
    assert locked.status_code == 429
    assert "로그인이 잠시 잠겼습니다" in locked.content.decode()
    # Locking is per username: a colleague behind the same address still gets in.
    assert login(client, "colleague", "another-long-password").status_code == 302
    client.logout()

    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(hours=1))
    assert login(client, "staff", "a-long-staff-password").status_code == 302


@pytest.mark.parametrize("password", ["short-pw", "password1234", "123456789012"])
def test_weak_passwords_are_refused(password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(password, User(username="staff"))


def test_over_long_query_string_is_a_korean_400(client, db):
    response = client.get("/cases/?q=" + "가" * 2000)
    assert response.status_code == 400
    assert "잘못된 요청입니다" in response.content.decode()
    assert "default-src 'self'" in response["Content-Security-Policy"]  # refused requests keep the headers


def test_too_many_parameters_is_a_400(client, db):
    query = "&".join(f"p{n}=1" for n in range(300))
    response = client.get("/cases/?" + query)
    assert response.status_code == 400


def test_healthz_reports_the_database_and_sets_no_cookies(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not response.cookies
