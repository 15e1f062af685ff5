"""Optional TOTP two-factor login for staff; required for superusers when DJANGO_REQUIRE_2FA is on."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def login(client, username, password, token=""):
    data = {"username": username, "password": password, "otp_token": token}
    return client.post("/admin/login/?next=/admin/", data, secure=True)


def current_code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_staff_without_a_device_log_in_with_the_password(client):
    User.objects.create_user("staff", password="a-long-staff-password", is_staff=True)
    assert login(client, "staff", "a-long-staff-password").status_code == 302
    assert client.get("/admin/", secure=True).status_code == 200


def test_an_enrolled_account_needs_its_code(client):
    User.objects.create_user("staff", password="a-long-staff-password", is_staff=True)
    out = StringIO()
    call_command("add_totp_device", "staff", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    device = TOTPDevice.objects.get(user__username="staff")

    refused = login(client, "staff", "a-long-staff-password")
    assert refused.status_code == 200
    assert "인증 앱의 6자리 코드를 입력하세요" in refused.content.decode()
    wrong = "000000" if current_code(device) != "000000" else "111111"
    assert "인증 코드가 맞지 않습니다" in login(client, "staff", "a-long-staff-password", wrong).content.decode()
    assert client.get("/admin/", secure=True).status_code == 302  # still not in

    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a wrong code; a person would wait a moment
    assert login(client, "staff", "a-long-staff-password", current_code(device)).status_code == 302
    assert client.get("/admin/", secure=True).status_code == 200


def test_superusers_need_a_device_when_2fa_is_required(client, settings):
    settings.REQUIRE_2FA = True
    User.objects.create_superuser("root", password="a-long-root-password")
    login(client, "root", "a-long-root-password")
    assert client.get("/admin/", secure=True).status_code == 302  # sent back to the login page

    call_command("add_totp_device", "root", stdout=StringIO())
    device = TOTPDevice.objects.get(user__username="root")
    client.logout()
    assert login(client, "root", "a-long-root-password", current_code(device)).status_code == 302
    assert client.get("/admin/", secure=True).status_code == 200


def test_without_the_setting_superusers_may_use_the_password_alone(client, settings):
    settings.REQUIRE_2FA = False
    User.objects.create_superuser("root", password="a-long-root-password")
    login(client, "root", "a-long-root-password")
    assert client.get("/admin/", secure=True).status_code == 200
