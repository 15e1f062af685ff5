"""The whole admin reads Korean, including the parts other packages bring: the two-factor login and device admin
(django-otp), the login lockout page and records (django-axes) and the permission names on user and group pages."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_staff_user

pytestmark = pytest.mark.django_db


def login(client, username, password, token=""):
    data = {"username": username, "password": password, "otp_token": token}
    return client.post("/admin/login/?next=/admin/", data, secure=True)


def assert_korean(page, korean, english):
    for text in korean:
        assert text in page, text
    for text in english:
        assert text not in page, text


@pytest.fixture
def device(db):
    root = make_staff_user("root")
    call_command("add_totp_device", "root", stdout=StringIO())
    return TOTPDevice.objects.get(user=root)


def test_the_login_page_asks_for_the_code_in_korean(client, device):
    english = ["OTP Token", "OTP Device", "Get OTP Challenge", "otp_challenge"]
    page = client.get("/admin/login/", secure=True).content.decode()
    assert_korean(page, ["사용자 이름", "비밀번호", "인증 코드:", "2단계 인증을 등록한 계정만"], english)
    # The password was right but the code is missing: one device, so no device to pick and no challenge button.
    page = login(client, "root", "a-long-staff-password").content.decode()
    assert_korean(page, ["인증 앱의 6자리 코드를 입력하세요", "인증 코드:"], [*english, "인증 기기", "인증 코드 요청"])


def test_the_lockout_page_is_korean_and_says_how_long(client, settings):
    User.objects.create_user("staff", password="a-long-staff-password", is_staff=True)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "staff", "wrong-password")
    assert response.status_code == 429
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert_korean(
        response.content.decode(),
        ["로그인이 잠시 잠겼습니다", f"{minutes}분 동안", "로그인 화면으로 돌아가기", "기술지도 사례 관리"],
        ["Account locked", "too many login attempts", "Django administration", "Django 관리"],
    )


def test_the_two_factor_device_admin_is_korean(client, device):
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    assert login(client, "root", "a-long-staff-password", code).status_code == 302  # enrolled: password and code
    english = [
        "TOTP device",
        "Identity",
        "Timestamps",
        "Configuration",
        "Throttling",
        "human-readable",
        "hex-encoded",
        "The date and time",
        "Unix time",
        "QR Code",
        ">qrcode<",
        "Search by user",
        "Otp_Totp",
        "Install",
    ]
    pages = {
        "/admin/": ["2단계 인증", "인증 앱 (TOTP)"],
        "/admin/otp_totp/totpdevice/": [
            "인증 앱 (TOTP)",
            "기기 이름",
            "사용 중",
            "QR 코드 보기",
            "사용자 이름이나 이메일로",
        ],
        "/admin/otp_totp/totpdevice/add/": [
            "기기 이름",
            "비밀 키",
            "코드 주기 (초)",
            "잘못된 코드 제한",
            "연속 실패 횟수",
        ],
        f"/admin/otp_totp/totpdevice/{device.pk}/change/": ["인증 앱 (TOTP) 변경", "등록일시", "마지막 사용", "설정"],
        f"/admin/otp_totp/totpdevice/{device.pk}/config/": ["QR 코드를 찍으세요", "otpauth://"],
    }
    for url, korean in pages.items():
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert_korean(response.content.decode(), korean, english)


def test_the_lockout_records_are_korean(client, settings):
    AccessAttempt.objects.create(
        username="someone",
        ip_address="127.0.0.1",
        user_agent="시험",
        http_accept="*/*",
        path_info="/admin/login/",
        get_data="",
        post_data="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    client.force_login(make_staff_user())
    page = client.get("/admin/axes/accessattempt/", secure=True).content.decode()
    assert_korean(
        page,
        ["로그인 잠금", "로그인 시도", "시도 일시", "IP 주소", "잠김", "상태"],
        ["access attempt", "Attempt Time", "Locked Out", "IP Address", "User Agent", ">Axes<", ">Status<"],
    )
    page = client.get("/admin/axes/accesslog/", secure=True).content.decode()
    assert_korean(page, ["로그인 기록", "로그아웃 일시"], ["access log", "Logout Time"])


def test_permissions_read_korean_on_the_group_page(client):
    client.force_login(make_staff_user())
    page = client.get("/admin/auth/group/add/", secure=True).content.decode()
    assert_korean(
        page,
        ["기술지도 사례 · 추가", "기술지도 사례 변경 이력 · 보기", "인증 앱 (TOTP) · 변경"],
        ["Can add", "Can change", "Can view", "historical"],
    )
